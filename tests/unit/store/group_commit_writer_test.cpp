// The group-commit writer's failure handling, against a scripted connection.
#include "store/group_commit_writer.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <future>
#include <string>
#include <vector>

namespace cz::store {
namespace {

// A connection that logs transaction control and fails where told to.
struct ScriptedConn {
  std::vector<std::string> log;
  bool open = false;
  bool fail_begin = false;
  bool fail_commit = false;

  void begin() {
    if (fail_begin) throw StoreFailure(make_error(kStoreUnavailable, "database is locked"));
    open = true;
    log.push_back("BEGIN");
  }
  void commit() {
    if (fail_commit) throw StoreFailure(make_error(kStoreError, "disk I/O error"));
    open = false;
    log.push_back("COMMIT");
  }
  void rollback() noexcept {
    open = false;
    log.push_back("ROLLBACK");
  }
  void savepoint() { log.push_back("SAVEPOINT"); }
  void release_savepoint() {
    if (!open) throw StoreFailure(make_error(kStoreError, "no such savepoint"));
    log.push_back("RELEASE");
  }
  void rollback_to_savepoint() {
    if (!open) throw StoreFailure(make_error(kStoreError, "no such savepoint"));
    log.push_back("ROLLBACK TO");
  }
  bool in_transaction() const { return open; }
};

// The same, counting changed rows as SQLite does: the writer then tries batches without
// savepoints first.
struct CountingConn : ScriptedConn {
  std::int64_t changes = 0;
  std::int64_t total_changes() const { return changes; }
};

// A job that changes a row (logged as `label`), then ends with `outcome`.
auto writing(std::string label, Result<int> outcome) {
  return [label = std::move(label), outcome = std::move(outcome)](CountingConn& c) {
    c.log.push_back(label);
    ++c.changes;
    return outcome;
  };
}

template <typename Conn>
class BasicWriterTest : public ::testing::Test {
 protected:
  BasicWriterTest() {
    auto conn = std::make_unique<Conn>();
    conn_ = conn.get();
    writer_ = std::make_unique<GroupCommitWriter<Conn>>(std::move(conn), 100, 100, errors_);
    writer_->pause();
  }

  // Queues a job that runs `op`; returns the future of its result.
  template <typename Op>
  std::future<Result<int>> submit(Op op) {
    auto p = std::make_shared<std::promise<Result<int>>>();
    auto f = p->get_future();
    writer_->submit(make_job<Conn, int>(
        std::move(op), Callback<int>([p](Result<int> r) { p->set_value(std::move(r)); })));
    return f;
  }
  // A job that copies the connection's log so far (the connection is gone after run()).
  auto snapshot_log(int v) {
    return [this, v](Conn& conn) {
      log_copy_ = conn.log;
      return Result<int>(v);
    };
  }
  static auto returns(int v) {
    return [v](ScriptedConn& c) {
      c.log.push_back("job " + std::to_string(v));
      return Result<int>(v);
    };
  }
  // Finishes the queued work and returns the connection's log.
  std::vector<std::string> run() {
    writer_->resume();
    writer_->stop();  // drains, joins; conn_ is gone afterwards, so copy the log first
    return log_copy_;
  }

  ErrorDispatcher errors_;
  Conn* conn_ = nullptr;
  std::vector<std::string> log_copy_;
  std::unique_ptr<GroupCommitWriter<Conn>> writer_;
};
using WriterTest = BasicWriterTest<ScriptedConn>;
using UnguardedWriterTest = BasicWriterTest<CountingConn>;

TEST_F(WriterTest, OneTransactionPerBatchWithASavepointPerJob) {
  auto a = submit(returns(1));
  auto b = submit([](ScriptedConn& c) {
    c.log.push_back("job failing");
    return Result<int>(make_error(kRoomNotFound, "no room"));
  });
  auto c = submit(returns(3));
  auto log_job = submit(snapshot_log(4));
  run();
  EXPECT_EQ(a.get().value(), 1);
  EXPECT_EQ(b.get().error().code, "ROOM_NOT_FOUND");
  EXPECT_EQ(c.get().value(), 3);
  EXPECT_EQ(log_job.get().value(), 4);
  EXPECT_EQ(log_copy_,
            (std::vector<std::string>{"BEGIN", "SAVEPOINT", "job 1", "RELEASE", "SAVEPOINT",
                                      "job failing", "ROLLBACK TO", "RELEASE", "SAVEPOINT", "job 3",
                                      "RELEASE", "SAVEPOINT"}));
  EXPECT_EQ(writer_->counters().transactions.load(), 1u);
  EXPECT_EQ(writer_->counters().writes.load(), 4u);
}

TEST_F(WriterTest, AFailedCommitFailsEveryJobThatHadSucceeded) {
  conn_->fail_commit = true;
  auto a = submit(returns(1));
  auto b = submit([](ScriptedConn&) { return Result<int>(make_error(kForbidden, "not yours")); });
  auto c = submit(returns(3));
  run();
  const Error a_error = a.get().error();
  EXPECT_EQ(a_error.code, "STORE_ERROR");
  EXPECT_EQ(a_error.message, "disk I/O error");
  EXPECT_EQ(b.get().error().code, "FORBIDDEN");  // still true: it had failed on its own
  EXPECT_EQ(c.get().error().code, "STORE_ERROR");
  EXPECT_EQ(writer_->counters().transactions.load(), 0u);
  EXPECT_EQ(writer_->counters().failed_transactions.load(), 1u);
}

TEST_F(WriterTest, ATransactionAbortedMidBatchFailsWhatRanInItAndTheRestContinues) {
  auto a = submit(returns(1));
  auto abort = submit([](ScriptedConn& c) -> Result<int> {
    c.open = false;  // what SQLite does on e.g. SQLITE_FULL
    throw StoreFailure(make_error(kStoreError, "database or disk is full"));
  });
  auto c = submit(returns(3));
  run();
  EXPECT_EQ(a.get().error().message, "transaction aborted by the database");
  EXPECT_EQ(abort.get().error().message, "database or disk is full");
  EXPECT_EQ(c.get().value(), 3);  // in a fresh transaction
  EXPECT_EQ(writer_->counters().transactions.load(), 1u);
  EXPECT_EQ(writer_->counters().writes.load(), 1u);
}

TEST_F(WriterTest, AJobThatLostTheTransactionIsNotReportedAsDone) {
  auto quiet_abort = submit([](ScriptedConn& c) {
    c.open = false;  // the transaction ended under a job that did not notice
    return Result<int>(1);
  });
  auto next = submit(returns(2));
  run();
  EXPECT_EQ(quiet_abort.get().error().code, "STORE_ERROR");
  EXPECT_EQ(next.get().value(), 2);
}

TEST_F(WriterTest, AFailedBeginFailsTheBatchAsUnavailable) {
  conn_->fail_begin = true;
  auto a = submit(returns(1));
  auto b = submit(returns(2));
  run();
  EXPECT_EQ(a.get().error().code, "STORE_UNAVAILABLE");
  EXPECT_EQ(b.get().error().code, "STORE_UNAVAILABLE");
}

TEST_F(WriterTest, AnExceptionInAJobBecomesItsError) {
  auto a = submit([](ScriptedConn&) -> Result<int> { throw std::runtime_error("bug"); });
  auto b = submit(returns(2));
  run();
  const Error a_error = a.get().error();
  EXPECT_EQ(a_error.code, "STORE_ERROR");
  EXPECT_EQ(a_error.message, "bug");
  EXPECT_EQ(b.get().value(), 2);
}

TEST_F(UnguardedWriterTest, NoSavepointsWhileNoJobFailsAfterWriting) {
  auto a = submit(writing("job writing", 1));
  // Fails before it writes anything: nothing to undo, the batch goes on.
  auto b = submit([](CountingConn& c) {
    c.log.push_back("job refusing");
    return Result<int>(make_error(kRoomNotFound, "no room"));
  });
  auto log_job = submit(snapshot_log(3));
  run();
  EXPECT_EQ(a.get().value(), 1);
  EXPECT_EQ(b.get().error().code, "ROOM_NOT_FOUND");
  EXPECT_EQ(log_job.get().value(), 3);
  EXPECT_EQ(log_copy_, (std::vector<std::string>{"BEGIN", "job writing", "job refusing"}));
  EXPECT_EQ(writer_->counters().transactions.load(), 1u);
  EXPECT_EQ(writer_->counters().guarded_reruns.load(), 0u);
}

TEST_F(UnguardedWriterTest, AJobFailingAfterWritingSendsTheBatchBackUnderSavepoints) {
  auto a = submit(writing("job 1", 1));
  // Wrote, then failed: only a savepoint can undo it alone.
  auto b = submit(writing("job half-done", make_error(kStoreError, "second statement failed")));
  auto c = submit(writing("job 3", 3));
  auto log_job = submit(snapshot_log(4));
  run();
  // Each callback ran exactly once (a promise set twice would throw) with the guarded outcome.
  EXPECT_EQ(a.get().value(), 1);
  EXPECT_EQ(b.get().error().code, "STORE_ERROR");
  EXPECT_EQ(c.get().value(), 3);
  EXPECT_EQ(log_job.get().value(), 4);
  EXPECT_EQ(log_copy_, (std::vector<std::string>{
                           "BEGIN", "job 1", "job half-done", "ROLLBACK", "BEGIN", "SAVEPOINT",
                           "job 1", "RELEASE", "SAVEPOINT", "job half-done", "ROLLBACK TO",
                           "RELEASE", "SAVEPOINT", "job 3", "RELEASE", "SAVEPOINT"}));
  EXPECT_EQ(writer_->counters().guarded_reruns.load(), 1u);
  EXPECT_EQ(writer_->counters().transactions.load(), 1u);
  EXPECT_EQ(writer_->counters().writes.load(), 4u);
}

}  // namespace
}  // namespace cz::store
