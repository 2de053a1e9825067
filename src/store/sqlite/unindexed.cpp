#include "store/sqlite/unindexed.hpp"

#include <iterator>

namespace cz::store::sqlite {

UnindexedMessages::UnindexedMessages(std::unique_ptr<MessageLog> log) : log_(std::move(log)) {}

std::string UnindexedMessages::client_key(std::string_view room_id, std::string_view sender,
                                          std::string_view client_message_id) {
  std::string key;
  key.reserve(room_id.size() + sender.size() + client_message_id.size() + 2);
  key.append(room_id).push_back('\0');
  key.append(sender).push_back('\0');
  key.append(client_message_id);
  return key;
}

std::optional<Message> UnindexedMessages::find_by_client_id(const std::string& room_id,
                                                            const std::string& sender,
                                                            const std::string& client_message_id,
                                                            std::uint64_t* generation) const {
  std::lock_guard lock(mutex_);
  if (generation) *generation = generation_;
  const std::string key = client_key(room_id, sender, client_message_id);
  for (const ByClientId* ids : {&waiting_by_client_id_, &taken_by_client_id_}) {
    if (const auto it = ids->find(key); it != ids->end()) return it->second;
  }
  return std::nullopt;
}

bool UnindexedMessages::publish(std::vector<Message>& messages, std::string_view records,
                                std::size_t flush_threshold) {
  std::lock_guard lock(mutex_);
  // Under the lock: the writer rotates the log under it, so a record never lands in a segment
  // that is deleted before its message was indexed.
  if (log_) log_->append(records);
  for (Message& m : messages) {
    if (!m.client_message_id.empty()) {
      waiting_by_client_id_.emplace(client_key(m.room_id, m.from, m.client_message_id), m);
    }
    waiting_.push_back(std::move(m));
  }
  const std::size_t now_waiting = count_.load(std::memory_order_relaxed) + messages.size();
  count_.store(now_waiting, std::memory_order_release);
  messages.clear();
  if (now_waiting < flush_threshold || flush_asked_) return false;
  flush_asked_ = true;
  return true;
}

const std::vector<Message>& UnindexedMessages::take() {
  std::lock_guard lock(mutex_);
  if (!waiting_.empty()) {
    if (log_) log_->rotate();
    if (taken_.empty()) {
      taken_.swap(waiting_);
      taken_by_client_id_.swap(waiting_by_client_id_);
    } else {  // what an earlier transaction took and did not commit stays first
      std::move(waiting_.begin(), waiting_.end(), std::back_inserter(taken_));
      waiting_.clear();
      taken_by_client_id_.merge(waiting_by_client_id_);  // moves the nodes, keys are unique
    }
  }
  flush_asked_ = false;
  return taken_;
}

void UnindexedMessages::indexed() {
  std::vector<Message> stored;
  ByClientId stored_ids;
  std::vector<std::string> emptied_segments;
  {
    std::lock_guard lock(mutex_);
    if (!taken_.empty()) {
      stored.swap(taken_);
      stored_ids.swap(taken_by_client_id_);
      count_.store(count_.load(std::memory_order_relaxed) - stored.size(),
                   std::memory_order_release);
      indexed_messages_ += stored.size();
      ++generation_;
      if (log_) emptied_segments = log_->detach_older_segments();
    }
  }
  if (!stored.empty()) indexed_cv_.notify_all();
  // Outside the lock: the segments' unlinking, and `stored`'s freeing at the end of the scope.
  MessageLog::remove_files(emptied_segments);
  if (after_commit_) after_commit_();
}

std::uint64_t UnindexedMessages::index_transactions() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

std::uint64_t UnindexedMessages::indexed_messages() const {
  std::lock_guard lock(mutex_);
  return indexed_messages_;
}

bool UnindexedMessages::wait_until_below(std::size_t limit, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return indexed_cv_.wait_for(lock, timeout, [&] { return count() < limit; });
}

}  // namespace cz::store::sqlite
