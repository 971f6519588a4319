// ModelRegistry with a fake loader (no TensorFlow): merged concurrent
// loads, failed loads not cached, handles outliving Unload, no lock held
// while loading.
#include "xai/registry/registry.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

namespace xai {
namespace {

class FakeModel : public Model {
 public:
  explicit FakeModel(std::string dir) : dir_(std::move(dir)) {}
  const std::string& dir() const override { return dir_; }
  const MetaGraphInfo& meta_graph() const override { return info_; }
  StatusOr<std::map<std::string, Tensor>> RunSignature(const std::string&, const std::map<std::string, Tensor>&,
                                                       const std::vector<std::string>&) override {
    return absl::UnimplementedError("fake");
  }
  StatusOr<std::vector<Tensor>> Run(const std::vector<std::pair<std::string, Tensor>>&,
                                    const std::vector<std::string>&) override {
    return absl::UnimplementedError("fake");
  }
  StatusOr<VjpResult> Vjp(const VjpRequest&) override { return absl::UnimplementedError("fake"); }
  StatusOr<const GraphView*> SignatureGraph(const std::string&) override { return absl::UnimplementedError("fake"); }
  Status CheckGradientPath(const std::string&, const std::string&, const std::string&) override {
    return absl::UnimplementedError("fake");
  }
  StatusOr<std::vector<Tensor>> RunFlat(const std::string&, const std::vector<std::pair<std::string, Tensor>>&,
                                        const std::vector<std::string>&) override {
    return absl::UnimplementedError("fake");
  }

 private:
  std::string dir_;
  MetaGraphInfo info_;
};

ModelRegistry::Resolver Identity() {
  return [](const std::string& handle) -> StatusOr<std::string> { return "/resolved/" + handle; };
}

TEST(ModelRegistry, ConcurrentFirstLoadsAreOneLoad) {
  std::atomic<int> loads{0};
  ModelRegistry registry(Identity(), [&](const std::string& dir, const LoadOptions&) -> StatusOr<std::unique_ptr<Model>> {
    ++loads;
    return std::unique_ptr<Model>(new FakeModel(dir));
  });
  std::atomic<bool> go{false};
  std::vector<std::shared_ptr<ServedModel>> got(12);
  std::vector<std::thread> threads;
  for (int t = 0; t < 12; ++t) {
    threads.emplace_back([&, t]() {
      while (!go) std::this_thread::yield();
      auto m = registry.Load("m", LoadOptions());
      ASSERT_TRUE(m.ok()) << m.status();
      got[t] = *m;
    });
  }
  go = true;
  for (auto& th : threads) th.join();
  EXPECT_EQ(loads.load(), 1);
  for (const auto& m : got) EXPECT_EQ(m.get(), got[0].get());
  EXPECT_EQ(got[0]->dir(), "/resolved/m");
  EXPECT_EQ(got[0]->handle(), "m");
}

TEST(ModelRegistry, FailedLoadIsNotCached) {
  int loads = 0;
  ModelRegistry registry(Identity(), [&](const std::string& dir, const LoadOptions&) -> StatusOr<std::unique_ptr<Model>> {
    if (++loads == 1) return absl::NotFoundError("no SavedModel in " + dir);
    return std::unique_ptr<Model>(new FakeModel(dir));
  });
  auto first = registry.Load("m", LoadOptions());
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(first.status().message(), "no SavedModel in /resolved/m");
  EXPECT_EQ(registry.size(), 0u);
  auto second = registry.Load("m", LoadOptions());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(loads, 2);
}

TEST(ModelRegistry, ResolverErrorsReachTheCaller) {
  ModelRegistry registry([](const std::string& h) -> StatusOr<std::string> {
                           return absl::InvalidArgumentError("bad handle '" + h + "'");
                         },
                         [](const std::string&, const LoadOptions&) -> StatusOr<std::unique_ptr<Model>> {
                           ADD_FAILURE() << "loader called after a failed resolve";
                           return absl::InternalError("unreachable");
                         });
  auto m = registry.Load("ftp://x", LoadOptions());
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message(), "bad handle 'ftp://x'");
}

TEST(ModelRegistry, HandlesKeepTheModelAfterUnload) {
  ModelRegistry registry(Identity(), [](const std::string& dir, const LoadOptions&) -> StatusOr<std::unique_ptr<Model>> {
    return std::unique_ptr<Model>(new FakeModel(dir));
  });
  auto held = registry.Load("m", LoadOptions());
  ASSERT_TRUE(held.ok());
  std::weak_ptr<ServedModel> weak = *held;
  EXPECT_TRUE(registry.Unload("m", LoadOptions()));
  EXPECT_EQ(registry.size(), 0u);
  EXPECT_FALSE(weak.expired());
  EXPECT_EQ((*held)->model().dir(), "/resolved/m");
  auto fresh = registry.Load("m", LoadOptions());
  ASSERT_TRUE(fresh.ok());
  EXPECT_NE(fresh->get(), held->get());
  held->reset();
  EXPECT_TRUE(weak.expired());
}

TEST(ModelRegistry, OptionsAreTheKey) {
  int loads = 0;
  ModelRegistry registry(Identity(), [&](const std::string& dir, const LoadOptions&) -> StatusOr<std::unique_ptr<Model>> {
    ++loads;
    return std::unique_ptr<Model>(new FakeModel(dir));
  });
  LoadOptions latency;
  latency.inter_op_threads = -1;
  auto a = registry.Load("m", LoadOptions());
  auto b = registry.Load("m", latency);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->get(), b->get());
  EXPECT_EQ(loads, 2);
}

TEST(ModelRegistry, NoLockIsHeldWhileAModelLoads) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> slow_started;
  ModelRegistry registry(Identity(), [&](const std::string& dir, const LoadOptions&) -> StatusOr<std::unique_ptr<Model>> {
    if (dir == "/resolved/slow") {
      slow_started.set_value();
      released.wait();  // the fast model must load meanwhile
    }
    return std::unique_ptr<Model>(new FakeModel(dir));
  });
  std::thread slow([&]() { EXPECT_TRUE(registry.Load("slow", LoadOptions()).ok()); });
  slow_started.get_future().wait();
  auto fast = registry.Load("fast", LoadOptions());
  ASSERT_TRUE(fast.ok());
  release.set_value();
  slow.join();
  EXPECT_EQ(registry.size(), 2u);
}

}  // namespace
}  // namespace xai
