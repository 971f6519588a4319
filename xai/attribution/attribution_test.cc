// IG and Sampled Shapley on analytic fakes with closed-form answers.
#include <cmath>
#include <functional>

#include <gtest/gtest.h>

#include "xai/attribution/attribution.h"

namespace xai {
namespace {

// y = F(x) for one feature tensor "x:0" of shape [N, d]; output "y:0" [N, 1].
class FakeModel : public Model {
 public:
  FakeModel(std::function<double(const float*)> f, std::function<void(const float*, double*)> grad, int d)
      : f_(std::move(f)), grad_(std::move(grad)), d_(d) {}
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
  StatusOr<const GraphView*> SignatureGraph(const std::string&) override { return absl::UnimplementedError("fake"); }
  Status CheckGradientPath(const std::string&, const std::string&, const std::string&) override {
    return absl::OkStatus();
  }
  StatusOr<std::vector<Tensor>> RunFlat(const std::string&, const std::vector<std::pair<std::string, Tensor>>& feeds,
                                        const std::vector<std::string>&) override {
    const Tensor& x = Find(feeds);
    int64_t n = x.shape()[0];
    Tensor y(DType::kFloat, {n, 1});
    for (int64_t i = 0; i < n; ++i) y.data<float>()[i] = static_cast<float>(f_(x.data<float>() + i * d_));
    ++runs;
    return std::vector<Tensor>{y};
  }
  StatusOr<VjpResult> Vjp(const VjpRequest& request) override {
    std::vector<std::pair<std::string, Tensor>> feeds(request.feeds.begin(), request.feeds.end());
    const Tensor& x = Find(feeds);
    int64_t n = x.shape()[0];
    VjpResult r;
    r.gradients.emplace_back(DType::kFloat, x.shape());
    std::vector<double> g(d_);
    for (int64_t i = 0; i < n; ++i) {
      grad_(x.data<float>() + i * d_, g.data());
      for (int k = 0; k < d_; ++k) {
        r.gradients[0].data<float>()[i * d_ + k] = static_cast<float>(g[k] * request.weights.data<float>()[i]);
      }
    }
    r.gradient = r.gradients[0];
    ++runs;
    return r;
  }
  int runs = 0;

 private:
  const Tensor& Find(const std::vector<std::pair<std::string, Tensor>>& feeds) const {
    for (const auto& [name, t] : feeds) {
      if (name == "x:0") return t;
    }
    static Tensor empty;
    return empty;
  }
  std::function<double(const float*)> f_;
  std::function<void(const float*, double*)> grad_;
  int d_;
  std::string dir_;
  MetaGraphInfo info_;
};

AttributionTarget Target(int n) {
  AttributionTarget t;
  t.signature = "serving_default";
  t.output_tensor = "y:0";
  t.output_index.assign(n, 0);
  return t;
}

FeatureTensor Feature(std::vector<float> x, std::vector<float> b, int d) {
  int64_t n = static_cast<int64_t>(x.size()) / d;
  FeatureTensor f;
  f.name = "x";
  f.tensor = "x:0";
  f.value = Tensor::FromFloats({n, d}, x);
  f.baselines.push_back(Tensor::FromFloats({n, d}, b));
  return f;
}

const std::vector<double> kW = {0.5, -1.0, 2.0};

TEST(IntegratedGradients, LinearModelGivesWeightTimesDelta) {
  FakeModel model([](const float* x) { return kW[0] * x[0] + kW[1] * x[1] + kW[2] * x[2] + 0.3; },
                  [](const float*, double* g) { for (int k = 0; k < 3; ++k) g[k] = kW[k]; }, 3);
  std::vector<float> x = {1, 2, 3, -1, 0.5, 4}, b = {0, 0, 0, 1, 1, 1};
  for (auto rule : {QuadratureRule::kGaussLegendre, QuadratureRule::kTrapezoid, QuadratureRule::kMidpoint}) {
    IgOptions options;
    options.rule = rule;
    options.step_count = 7;
    auto r = IntegratedGradients(model, Target(2), {Feature(x, b, 3)}, options);
    ASSERT_TRUE(r.ok()) << r.status();
    for (int e = 0; e < 6; ++e) EXPECT_NEAR(r->attributions[0].data<float>()[e], kW[e % 3] * (x[e] - b[e]), 1e-5);
    for (double err : r->approximation_error) EXPECT_LT(err, 1e-6);
  }
}

TEST(IntegratedGradients, MemoryBudgetSplitsRunsWithoutChangingResults) {
  auto f = [](const float* x) { return std::exp(x[0]) + x[1] * x[1]; };
  auto g = [](const float* x, double* d) { d[0] = std::exp(x[0]); d[1] = 2 * x[1]; };
  std::vector<float> x = {1, 2, 0.5, -1, 2, 3}, b(6, 0);
  IgOptions big, small;
  small.memory_budget_bytes = 1;  // one row per run
  FakeModel m1(f, g, 2), m2(f, g, 2);
  auto a = IntegratedGradients(m1, Target(3), {Feature(x, b, 2)}, big);
  auto c = IntegratedGradients(m2, Target(3), {Feature(x, b, 2)}, small);
  ASSERT_TRUE(a.ok() && c.ok());
  EXPECT_EQ(a->attributions[0].bytes(), c->attributions[0].bytes());
  EXPECT_EQ(m1.runs, 3);            // f(x), f(b), one VJP run for all 150 rows
  EXPECT_EQ(m2.runs, 2 + 3 * 50);  // one row per VJP run
  // Additive model: IG is exact per feature: exp(x0) − 1 and x1².
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(a->attributions[0].data<float>()[2 * i], std::exp(x[2 * i]) - 1, 1e-5);
    EXPECT_NEAR(a->attributions[0].data<float>()[2 * i + 1], x[2 * i + 1] * x[2 * i + 1], 1e-5);
  }
}

TEST(IntegratedGradients, ApproximationErrorIsTheCompletenessGap) {
  // Midpoint rule with 2 steps on a cubic: a known, non-zero gap.
  FakeModel model([](const float* x) { return std::pow(x[0], 3); },
                  [](const float* x, double* g) { g[0] = 3 * x[0] * x[0]; }, 1);
  IgOptions options;
  options.rule = QuadratureRule::kMidpoint;
  options.step_count = 2;
  auto r = IntegratedGradients(model, Target(1), {Feature({2}, {0}, 1)}, options);
  ASSERT_TRUE(r.ok());
  // Σ = 2 · (3·1² + 3·3²)/2 · ... computed: ∫ by midpoints at x=0.5,1.5 → 2·(0.75+6.75)/2 = 7.5; gap 8.
  EXPECT_NEAR(r->attributions[0].data<float>()[0], 7.5, 1e-5);
  EXPECT_NEAR(r->approximation_error[0], 0.5 / 8, 1e-6);
}

TEST(SampledShapley, LinearModelGivesWeightTimesDelta) {
  // Three scalar features, each its own tensor "x:0" column? Use three features of one fake: split by name.
  FakeModel model([](const float* x) { return kW[0] * x[0] + kW[1] * x[1] + kW[2] * x[2]; },
                  [](const float*, double* g) { for (int k = 0; k < 3; ++k) g[k] = kW[k]; }, 3);
  ShapleyOptions options;
  options.path_count = 3;
  std::vector<float> x = {1, 2, 3}, b = {0.5, 0, -1};
  auto r = SampledShapley(model, Target(1), {Feature(x, b, 3)}, options);
  ASSERT_TRUE(r.ok()) << r.status();
  double expected = 0;
  for (int k = 0; k < 3; ++k) expected += kW[k] * (x[k] - b[k]);
  EXPECT_NEAR(r->attributions[0].data<float>()[0], expected, 1e-5);  // one feature: the whole tensor
  EXPECT_NEAR(r->instance_output[0] - r->baseline_output[0], expected, 1e-5);
}

}  // namespace
}  // namespace xai
