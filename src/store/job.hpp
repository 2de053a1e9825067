#pragma once
// One queued store request: the operation to run on a database connection and the callback
// that receives its result. Shared by every Store implementation (Conn is the connection type).
#include <spdlog/spdlog.h>

#include <exception>
#include <optional>
#include <utility>

#include "store/errors.hpp"
#include "store/store.hpp"

namespace cz::store {

// The part of a job that does not depend on the database: its outcome and its delivery.
class Completion {
 public:
  virtual ~Completion() = default;
  // True when the operation ended in an error (the writer then rolls back its savepoint).
  virtual bool failed() const = 0;
  // Replaces the outcome with an error (a failed commit, a refused request).
  virtual void set_error(Error error) = 0;
  // Calls the callback with the outcome. Exactly once per job.
  virtual void complete() noexcept = 0;
};

template <typename Conn>
class Job : public Completion {
 public:
  // Runs the operation and keeps its outcome; database exceptions become errors.
  virtual void run(Conn& conn) noexcept = 0;
};

template <typename Conn, typename T, typename Op>
class TypedJob final : public Job<Conn> {
 public:
  TypedJob(Op op, Callback<T> done) : op_(std::move(op)), done_(std::move(done)) {}

  void run(Conn& conn) noexcept override {
    try {
      outcome_.emplace(op_(conn));
    } catch (const StoreFailure& failure) {
      outcome_.emplace(failure.error());
    } catch (const std::exception& e) {
      outcome_.emplace(make_error(kStoreError, e.what()));
    }
  }
  bool failed() const override { return !outcome_ || !outcome_->ok(); }
  void set_error(Error error) override { outcome_.emplace(std::move(error)); }
  void complete() noexcept override {
    if (!outcome_) outcome_.emplace(make_error(kStoreError, "request was not run"));
    try {
      done_(std::move(*outcome_));
    } catch (const std::exception& e) {
      // A throwing callback must not take a store thread down with it.
      spdlog::error("store: a completion callback threw: {}", e.what());
    } catch (...) {
      spdlog::error("store: a completion callback threw");
    }
  }

 private:
  Op op_;
  Callback<T> done_;
  std::optional<Result<T>> outcome_;
};

// make_job<Conn, T>(op, done): op is callable as Result<T>(Conn&).
template <typename Conn, typename T, typename Op>
std::unique_ptr<Job<Conn>> make_job(Op op, Callback<T> done) {
  return std::make_unique<TypedJob<Conn, T, Op>>(std::move(op), std::move(done));
}

}  // namespace cz::store
