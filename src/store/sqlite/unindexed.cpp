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
  const auto it = by_client_id_.find(client_key(room_id, sender, client_message_id));
  if (it == by_client_id_.end()) return std::nullopt;
  return it->second;
}

bool UnindexedMessages::publish(std::vector<Message>& messages, std::string_view records,
                                std::size_t flush_threshold) {
  std::lock_guard lock(mutex_);
  // Under the lock: the writer rotates the log under it, so a record never lands in a segment
  // that is deleted before its message was indexed.
  if (log_) log_->append(records);
  for (Message& m : messages) {
    if (!m.client_message_id.empty()) {
      by_client_id_.emplace(client_key(m.room_id, m.from, m.client_message_id), m);
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
    std::move(waiting_.begin(), waiting_.end(), std::back_inserter(taken_));
    waiting_.clear();
  }
  flush_asked_ = false;
  return taken_;
}

void UnindexedMessages::forget(const std::vector<Message>& messages) {
  for (const Message& m : messages) {
    if (!m.client_message_id.empty()) {
      by_client_id_.erase(client_key(m.room_id, m.from, m.client_message_id));
    }
  }
}

void UnindexedMessages::indexed() {
  bool any = false;
  {
    std::lock_guard lock(mutex_);
    if (!taken_.empty()) {
      any = true;
      forget(taken_);
      count_.store(count_.load(std::memory_order_relaxed) - taken_.size(),
                   std::memory_order_release);
      indexed_messages_ += taken_.size();
      taken_.clear();
      ++generation_;
      if (log_) log_->remove_older_segments();
    }
  }
  if (any) indexed_cv_.notify_all();
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
