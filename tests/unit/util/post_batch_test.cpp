#include "util/post_batch.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <vector>

namespace cz::util {
namespace {

namespace asio = boost::asio;

// Counts the handlers an io_context runs (run_one until none is left).
std::size_t run_counting(asio::io_context& ctx) {
  std::size_t handlers = 0;
  while (ctx.poll_one()) ++handlers;
  ctx.restart();
  return handlers;
}

TEST(PostBatch, WithoutAScopeEveryPostIsItsOwnHandler) {
  asio::io_context target;
  std::vector<int> ran;
  for (int i = 0; i < 3; ++i) post_to(target.get_executor(), [&ran, i] { ran.push_back(i); });
  EXPECT_EQ(run_counting(target), 3u);
  EXPECT_EQ(ran, (std::vector<int>{0, 1, 2}));
}

TEST(PostBatch, AScopeSendsOneHandlerPerTargetInOrder) {
  asio::io_context a, b;
  std::vector<int> ran_a, ran_b;
  {
    PostBatch scope;
    for (int i = 0; i < 5; ++i) {
      post_to(a.get_executor(), [&ran_a, i] { ran_a.push_back(i); });
      post_to(b.get_executor(), [&ran_b, i] { ran_b.push_back(10 + i); });
    }
    // Nothing leaves before the scope ends.
    EXPECT_EQ(run_counting(a), 0u);
    EXPECT_EQ(run_counting(b), 0u);
  }
  EXPECT_EQ(run_counting(a), 1u);
  EXPECT_EQ(run_counting(b), 1u);
  EXPECT_EQ(ran_a, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(ran_b, (std::vector<int>{10, 11, 12, 13, 14}));
}

TEST(PostBatch, NestedScopesSendWhenTheOutermostEnds) {
  asio::io_context a;
  int ran = 0;
  {
    PostBatch outer;
    {
      PostBatch inner;
      post_to(a.get_executor(), [&ran] { ++ran; });
    }
    EXPECT_EQ(run_counting(a), 0u);
    post_to(a.get_executor(), [&ran] { ++ran; });
  }
  EXPECT_EQ(run_counting(a), 1u);
  EXPECT_EQ(ran, 2);
}

TEST(PostBatch, WhatABatchPostsOnwardIsBatchedToo) {
  asio::io_context a, b;
  std::vector<int> ran_b;
  {
    PostBatch scope;
    for (int i = 0; i < 3; ++i) {
      post_to(a.get_executor(),
              [&b, &ran_b, i] { post_to(b.get_executor(), [&ran_b, i] { ran_b.push_back(i); }); });
    }
  }
  EXPECT_EQ(run_counting(a), 1u);
  EXPECT_EQ(run_counting(b), 1u);
  EXPECT_EQ(ran_b, (std::vector<int>{0, 1, 2}));
}

TEST(PostBatch, APostToTheRunningExecutorIsNotHeldBack) {
  asio::io_context a;
  std::vector<int> ran;
  asio::post(a, [&] {
    PostBatch scope;
    post_to(a.get_executor(), [&ran] { ran.push_back(1); });
    asio::post(a, [&ran] { ran.push_back(2); });  // queued after it, runs after it
  });
  a.run();
  EXPECT_EQ(ran, (std::vector<int>{1, 2}));
}

TEST(PostBatch, MoveOnlyHandlersAreAccepted) {
  asio::io_context a;
  auto value = std::make_unique<int>(7);
  int seen = 0;
  {
    PostBatch scope;
    post_to(a.get_executor(), [v = std::move(value), &seen] { seen = *v; });
  }
  a.run();
  EXPECT_EQ(seen, 7);
}

}  // namespace
}  // namespace cz::util
