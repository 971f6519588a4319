// BuildOnceMap: one build per key under contention, failures not kept,
// other keys not blocked by a build in progress, Erase vs shared holders.
#include "xai/base/build_once.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

namespace xai {
namespace {

TEST(BuildOnceMap, ConcurrentGetsOfOneKeyBuildOnce) {
  BuildOnceMap<int, int> map;
  std::atomic<int> builds{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  std::vector<int*> seen(16, nullptr);
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t]() {
      while (!go) std::this_thread::yield();
      auto v = map.Get(7, [&]() -> StatusOr<std::unique_ptr<int>> {
        ++builds;
        return std::make_unique<int>(49);
      });
      ASSERT_TRUE(v.ok());
      seen[t] = *v;
    });
  }
  go = true;
  for (auto& th : threads) th.join();
  EXPECT_EQ(builds.load(), 1);
  for (int* p : seen) {
    EXPECT_EQ(p, seen[0]);
    EXPECT_EQ(*p, 49);
  }
}

TEST(BuildOnceMap, FailedBuildIsNotKept) {
  BuildOnceMap<std::string, int> map;
  int builds = 0;
  auto failing = [&]() -> StatusOr<std::unique_ptr<int>> {
    ++builds;
    return absl::UnavailableError("transient");
  };
  auto v = map.Get("k", failing);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(), "transient");
  EXPECT_EQ(map.size(), 0u);
  auto w = map.Get("k", [&]() -> StatusOr<std::unique_ptr<int>> {
    ++builds;
    return std::make_unique<int>(1);
  });
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(builds, 2);
  EXPECT_EQ(map.size(), 1u);
}

TEST(BuildOnceMap, AThrowingBuildIsAnErrorAndNotKept) {
  BuildOnceMap<int, int> map;
  auto thrown = map.Get(3, []() -> StatusOr<std::unique_ptr<int>> { throw std::runtime_error("boom"); });
  ASSERT_FALSE(thrown.ok());
  EXPECT_EQ(thrown.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(thrown.status().message(), "building a cached value threw: boom");
  auto next = map.Get(3, []() -> StatusOr<std::unique_ptr<int>> { return std::make_unique<int>(3); });
  ASSERT_TRUE(next.ok());  // the key is free again, nobody is left waiting
  EXPECT_EQ(**next, 3);
}

TEST(BuildOnceMap, ABuildInProgressDoesNotBlockOtherKeys) {
  BuildOnceMap<int, int> map;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  std::thread slow([&]() {
    auto v = map.Get(1, [&]() -> StatusOr<std::unique_ptr<int>> {
      started.set_value();
      released.wait();  // held until the other key has been built and read
      return std::make_unique<int>(1);
    });
    EXPECT_TRUE(v.ok());
  });
  started.get_future().wait();
  auto other = map.Get(2, []() -> StatusOr<std::unique_ptr<int>> { return std::make_unique<int>(2); });
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(**other, 2);
  release.set_value();
  slow.join();
  EXPECT_EQ(map.size(), 2u);
}

TEST(BuildOnceMap, EraseLeavesSharedHoldersTheirValue) {
  BuildOnceMap<int, std::string> map;
  auto held = map.GetShared(1, []() -> StatusOr<std::unique_ptr<std::string>> {
    return std::make_unique<std::string>("first");
  });
  ASSERT_TRUE(held.ok());
  EXPECT_TRUE(map.Erase(1));
  EXPECT_FALSE(map.Erase(1));
  EXPECT_EQ(**held, "first");
  auto again = map.GetShared(1, []() -> StatusOr<std::unique_ptr<std::string>> {
    return std::make_unique<std::string>("second");
  });
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(**again, "second");
  EXPECT_EQ(**held, "first");
}

}  // namespace
}  // namespace xai
