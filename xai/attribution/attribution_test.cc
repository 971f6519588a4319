// IG, SmoothGrad, Sampled Shapley and the blur baseline's Gaussian on
// analytic fakes with closed-form answers.
#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <numeric>

#include <gtest/gtest.h>

#include "xai/attribution/attribution.h"
#include "xai/attribution/blur.h"

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
    r.y = Tensor(DType::kFloat, {n, 1});
    for (int64_t i = 0; i < n; ++i) r.y.data<float>()[i] = static_cast<float>(f_(x.data<float>() + i * d_));
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
  // f(x), then one VJP run for all 150 path rows and the 3 baseline rows
  // (f(b) comes out of the VJP runs' forward pass).
  EXPECT_EQ(m1.runs, 2);
  EXPECT_EQ(m2.runs, 1 + 3 * 50 + 3);  // one row per VJP run
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

// ---- SmoothGrad -------------------------------------------------------------

IgOptions Smooth(double sigma, int samples, uint64_t seed = 1) {
  IgOptions o;
  o.smooth_grad.enabled = true;
  o.smooth_grad.noise_sigma = sigma;
  o.smooth_grad.noisy_sample_count = samples;
  o.smooth_grad.seed = seed;
  return o;
}

TEST(SmoothGrad, LinearModelIsUnchangedByNoise) {
  // The gradient is constant: noise cannot change it, and the result is w·(x − b).
  FakeModel model([](const float* x) { return kW[0] * x[0] + kW[1] * x[1] + kW[2] * x[2]; },
                  [](const float*, double* g) { for (int k = 0; k < 3; ++k) g[k] = kW[k]; }, 3);
  std::vector<float> x = {1, 2, 3, -1, 0.5, 4}, b = {0, 0, 0, 1, 1, 1};
  auto r = IntegratedGradients(model, Target(2), {Feature(x, b, 3)}, Smooth(5.0, 7));
  ASSERT_TRUE(r.ok()) << r.status();
  for (int e = 0; e < 6; ++e) EXPECT_NEAR(r->attributions[0].data<float>()[e], kW[e % 3] * (x[e] - b[e]), 1e-5);
  EXPECT_EQ(model.runs, 2);  // f(x), one VJP run of 2 × 50 × 7 path rows + 2 baseline rows
}

TEST(SmoothGrad, CubicGainsThreeSigmaSquaredInExpectation) {
  // F = x³: E[F'(p + ε)] = 3p² + 3σ², so E[SmoothGrad-IG] = (x³ − b³) + 3σ²(x − b)
  // (exact quadrature of a quadratic). The estimate's variance per node is
  // Var[3(p + ε)²] = 9(4p²σ² + 2σ⁴), divided by the samples, weighted by w_j².
  FakeModel model([](const float* x) { return std::pow(x[0], 3); },
                  [](const float* x, double* g) { g[0] = 3.0 * x[0] * x[0]; }, 1);
  const double x = 2, sigma = 0.5;
  const int samples = 50, steps = 100;
  IgOptions options = Smooth(sigma, samples, 42);
  options.step_count = steps;
  auto r = IntegratedGradients(model, Target(1), {Feature({2}, {0}, 1)}, options);
  ASSERT_TRUE(r.ok()) << r.status();
  Quadrature q = *MakeQuadrature(QuadratureRule::kGaussLegendre, steps);
  double var = 0;
  for (int j = 0; j < steps; ++j) {
    double p = q.alphas[j] * x;
    var += q.weights[j] * q.weights[j] * 9 * (4 * p * p * sigma * sigma + 2 * std::pow(sigma, 4)) / samples;
  }
  double sd = x * std::sqrt(var), expected = 8 + 3 * sigma * sigma * x;  // 9.5; plain IG gives 8
  EXPECT_NEAR(r->attributions[0].data<float>()[0], expected, 4 * sd);
  EXPECT_GT(std::fabs(expected - 8), 4 * sd);  // the test can tell the noise was applied
}

TEST(SmoothGrad, SeededAndIndependentOfTheMemoryBudget) {
  auto f = [](const float* x) { return std::sin(x[0]) * x[1]; };
  auto g = [](const float* x, double* d) { d[0] = std::cos(x[0]) * x[1]; d[1] = std::sin(x[0]); };
  std::vector<float> x = {1, 2, 0.5, -1}, b(4, 0);
  IgOptions big = Smooth(0.3, 4), small = Smooth(0.3, 4), other_seed = Smooth(0.3, 4, 2);
  small.memory_budget_bytes = 1;
  FakeModel m1(f, g, 2), m2(f, g, 2), m3(f, g, 2);
  auto a = IntegratedGradients(m1, Target(2), {Feature(x, b, 2)}, big);
  auto c = IntegratedGradients(m2, Target(2), {Feature(x, b, 2)}, small);
  auto d = IntegratedGradients(m3, Target(2), {Feature(x, b, 2)}, other_seed);
  ASSERT_TRUE(a.ok() && c.ok() && d.ok());
  EXPECT_EQ(a->attributions[0].bytes(), c->attributions[0].bytes());
  EXPECT_EQ(m2.runs, 1 + 2 * 50 * 4 + 2);
  EXPECT_NE(a->attributions[0].bytes(), d->attributions[0].bytes());
}

TEST(SmoothGrad, FeatureSigmasByNameAndErrors) {
  auto f = [](const float* x) { return std::pow(x[0], 3); };
  auto g = [](const float* x, double* d) { d[0] = 3.0 * x[0] * x[0]; };
  FakeModel m1(f, g, 1), m2(f, g, 1);
  IgOptions zero = Smooth(0, 3);
  zero.smooth_grad.feature_noise_sigma = {{"x", 0.0}};
  auto plain = IntegratedGradients(m1, Target(1), {Feature({2}, {0}, 1)}, IgOptions());
  auto r = IntegratedGradients(m2, Target(1), {Feature({2}, {0}, 1)}, zero);
  ASSERT_TRUE(plain.ok() && r.ok());
  EXPECT_EQ(plain->attributions[0].bytes(), r->attributions[0].bytes());

  IgOptions unknown = Smooth(0.1, 3);
  unknown.smooth_grad.feature_noise_sigma = {{"nope", 0.2}};
  auto e = IntegratedGradients(m1, Target(1), {Feature({2}, {0}, 1)}, unknown);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(std::string(e.status().message()).find("names 'nope', which is not an attributed feature; expected one of: x"),
            std::string::npos) << e.status();
  IgOptions negative = Smooth(-1, 3), none = Smooth(0.1, 0);
  EXPECT_FALSE(IntegratedGradients(m1, Target(1), {Feature({2}, {0}, 1)}, negative).ok());
  EXPECT_FALSE(IntegratedGradients(m1, Target(1), {Feature({2}, {0}, 1)}, none).ok());
}

// ---- Sampled Shapley: players, groups, standard errors -----------------------

// Scalar features "a:0", "b:0", "c:0" ([N, 1] each), F(a, b, c) → "y:0" [N, 1].
class ThreeInputModel : public FakeModel {
 public:
  explicit ThreeInputModel(std::function<double(double, double, double)> f)
      : FakeModel(nullptr, nullptr, 1), f3_(std::move(f)) {}
  StatusOr<std::vector<Tensor>> RunFlat(const std::string&, const std::vector<std::pair<std::string, Tensor>>& feeds,
                                        const std::vector<std::string>&) override {
    std::map<std::string, const Tensor*> by_name;
    for (const auto& [name, t] : feeds) by_name[name] = &t;
    int64_t n = by_name.at("a:0")->shape()[0];
    Tensor y(DType::kFloat, {n, 1});
    for (int64_t i = 0; i < n; ++i) {
      y.data<float>()[i] = static_cast<float>(f3_(by_name.at("a:0")->data<float>()[i],
                                                  by_name.at("b:0")->data<float>()[i],
                                                  by_name.at("c:0")->data<float>()[i]));
    }
    return std::vector<Tensor>{y};
  }

 private:
  std::function<double(double, double, double)> f3_;
};

std::vector<FeatureTensor> ThreeFeatures(const std::vector<float>& x, const std::vector<float>& b) {
  std::vector<FeatureTensor> out;
  for (int k = 0; k < 3; ++k) {
    FeatureTensor f;
    f.name = std::string(1, static_cast<char>('a' + k));
    f.tensor = f.name + ":0";
    f.value = Tensor::FromFloats({1, 1}, {x[k]});
    f.baselines.push_back(Tensor::FromFloats({1, 1}, {b[k]}));
    out.push_back(f);
  }
  return out;
}

TEST(SampledShapley, AdditiveModelIsExactWithZeroStandardError) {
  // Every order gives each feature the same marginal contribution g_k(x_k) − g_k(b_k).
  ThreeInputModel model([](double a, double b, double c) { return 2 * a + b * b + std::exp(c); });
  std::vector<float> x = {1, 2, 0.5}, b = {0, -1, 0};
  ShapleyOptions options;
  options.path_count = 7;
  auto r = SampledShapley(model, Target(1), ThreeFeatures(x, b), options);
  ASSERT_TRUE(r.ok()) << r.status();
  std::vector<double> exact = {2.0, 4.0 - 1.0, std::exp(0.5) - 1.0};
  for (int k = 0; k < 3; ++k) {
    EXPECT_NEAR(r->attributions[k].data<float>()[0], exact[k], 1e-5);
    EXPECT_NEAR(r->standard_errors[k].data<double>()[0], 0.0, 1e-6);
  }
}

TEST(SampledShapley, StandardErrorsShrinkWithPathCount) {
  ThreeInputModel model([](double a, double b, double c) { return a * b * c + a * a * c; });
  std::vector<float> x = {1, 2, 1.5}, b = {0, 0, 0.5};
  std::vector<double> se[2];
  int paths[2] = {5, 50};
  for (int t = 0; t < 2; ++t) {
    ShapleyOptions options;
    options.path_count = paths[t];
    options.seed = 3;
    auto r = SampledShapley(model, Target(1), ThreeFeatures(x, b), options);
    ASSERT_TRUE(r.ok()) << r.status();
    for (int k = 0; k < 3; ++k) se[t].push_back(r->standard_errors[k].data<double>()[0]);
  }
  for (int k = 0; k < 3; ++k) {
    EXPECT_GT(se[0][k], 0);
    EXPECT_LT(se[1][k], se[0][k]) << k;
  }
}

TEST(SampledShapley, GroupIsOnePlayer) {
  // Players {a, b} and {c}: both orders of two players are one antithetic pair,
  // so the estimate is the exact two-player Shapley value for any path_count.
  auto f = [](double a, double b, double c) { return a * b + a * c * c + 3 * c; };
  ThreeInputModel model(f);
  std::vector<float> x = {1, 2, 1.5}, b = {0.5, 0, 0};
  auto features = ThreeFeatures(x, b);
  features[0].group = features[1].group = "ab";
  ShapleyOptions options;
  options.path_count = 3;
  auto r = SampledShapley(model, Target(1), features, options);
  ASSERT_TRUE(r.ok()) << r.status();
  double none = f(b[0], b[1], b[2]), ab = f(x[0], x[1], b[2]), c = f(b[0], b[1], x[2]), all = f(x[0], x[1], x[2]);
  double phi_ab = 0.5 * ((ab - none) + (all - c)), phi_c = 0.5 * ((c - none) + (all - ab));
  EXPECT_NEAR(r->attributions[0].data<float>()[0], phi_ab, 1e-5);
  EXPECT_EQ(r->attributions[1].data<float>()[0], 0.0f);  // the group's value is on its first feature
  EXPECT_NEAR(r->attributions[2].data<float>()[0], phi_c, 1e-5);
  EXPECT_NEAR(r->standard_errors[0].data<double>()[0], 0.0, 1e-6);
}

// ---- Sampled Shapley: each element of a tensor its own player ----------------

// F over named feeds, row by row: f(feeds, row) → "y:0" [N, 1].
class RowModel : public FakeModel {
 public:
  using Fn = std::function<double(const std::map<std::string, const Tensor*>&, int64_t)>;
  explicit RowModel(Fn f) : FakeModel(nullptr, nullptr, 1), fn_(std::move(f)) {}
  StatusOr<std::vector<Tensor>> RunFlat(const std::string&, const std::vector<std::pair<std::string, Tensor>>& feeds,
                                        const std::vector<std::string>&) override {
    std::map<std::string, const Tensor*> by_name;
    for (const auto& [name, t] : feeds) by_name[name] = &t;
    int64_t n = feeds.front().second.shape()[0];
    Tensor y(DType::kFloat, {n, 1});
    for (int64_t k = 0; k < n; ++k) y.data<float>()[k] = static_cast<float>(fn_(by_name, k));
    return std::vector<Tensor>{y};
  }

 private:
  Fn fn_;
};

// Element e of row k of the float feed of feature `name` (tensor name + ":0", [N, per]).
double At(const std::map<std::string, const Tensor*>& feeds, const std::string& name, int64_t k, int64_t e) {
  const Tensor& t = *feeds.at(name + ":0");
  return t.data<float>()[k * t.row_size() + e];
}

FeatureTensor Named(const std::string& name, int64_t n, int64_t per, const std::vector<float>& x,
                    const std::vector<float>& b) {
  FeatureTensor f;
  f.name = name;
  f.tensor = name + ":0";
  f.value = Tensor::FromFloats({n, per}, x);
  f.baselines.push_back(Tensor::FromFloats({n, per}, b));
  return f;
}

// Exact Shapley values of `m` players by enumerating all 2^m coalitions;
// v(mask) is F with the players in `mask` at their instance values.
std::vector<double> ExactShapley(int m, const std::function<double(unsigned)>& v) {
  std::vector<double> phi(m, 0.0), fact(m + 1, 1.0);
  for (int k = 1; k <= m; ++k) fact[k] = fact[k - 1] * k;
  for (unsigned mask = 0; mask < (1u << m); ++mask) {
    int size = __builtin_popcount(mask);
    for (int j = 0; j < m; ++j) {
      if (mask & (1u << j)) continue;
      phi[j] += fact[size] * fact[m - size - 1] / fact[m] * (v(mask | (1u << j)) - v(mask));
    }
  }
  return phi;
}

TEST(SampledShapleySplit, AdditiveModelOverElementsIsExactWithZeroStandardError) {
  // F = 2 x0 + x1² + exp(x2) + sin(x3): element e gets g_e(x_e) − g_e(b_e) in every order.
  auto g = [](int e, double v) { return e == 0 ? 2 * v : e == 1 ? v * v : e == 2 ? std::exp(v) : std::sin(v); };
  RowModel model([&](const auto& feeds, int64_t k) {
    double s = 0;
    for (int e = 0; e < 4; ++e) s += g(e, At(feeds, "x", k, e));
    return s;
  });
  std::vector<float> x = {1, 2, 0.5, -1, -0.5, 1.5, 2, 0.25}, b = {0, -1, 0, 0, 1, 1, 1, 1};
  FeatureTensor f = Named("x", 2, 4, x, b);
  f.split_elements = true;
  ShapleyOptions options;
  options.path_count = 5;
  auto r = SampledShapley(model, Target(2), {f}, options);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->attributions[0].shape(), (std::vector<int64_t>{2, 4}));
  ASSERT_EQ(r->standard_errors[0].shape(), (std::vector<int64_t>{2, 4}));
  for (int i = 0; i < 2; ++i) {
    for (int e = 0; e < 4; ++e) {
      EXPECT_NEAR(r->attributions[0].data<float>()[i * 4 + e], g(e, x[i * 4 + e]) - g(e, b[i * 4 + e]), 1e-5);
      EXPECT_NEAR(r->standard_errors[0].data<double>()[i * 4 + e], 0.0, 1e-6);
    }
  }
}

TEST(SampledShapleySplit, TwoElementsAreExactForAnyPathCount) {
  // Two players: one antithetic pair holds both orders, so the estimate is exact.
  RowModel model([](const auto& feeds, int64_t k) { return At(feeds, "x", k, 0) * At(feeds, "x", k, 1); });
  FeatureTensor f = Named("x", 1, 2, {3, 2}, {1, -1});
  f.split_elements = true;
  ShapleyOptions options;
  options.path_count = 1;
  auto r = SampledShapley(model, Target(1), {f}, options);
  ASSERT_TRUE(r.ok()) << r.status();
  double phi0 = 0.5 * ((3 * -1 - 1 * -1) + (3 * 2 - 1 * 2)), phi1 = 0.5 * ((1 * 2 - 1 * -1) + (3 * 2 - 3 * -1));
  EXPECT_NEAR(r->attributions[0].data<float>()[0], phi0, 1e-5);
  EXPECT_NEAR(r->attributions[0].data<float>()[1], phi1, 1e-5);
}

TEST(SampledShapleySplit, InteractingElementsAndAScalarMatchExactEnumeration) {
  // Players: x0, x1, x2 (split elements of "x") and c (a whole feature). Every
  // player is in a three-way term: with only pairwise terms an antithetic pair
  // would already give the exact value (standard error 0).
  auto F = [](double x0, double x1, double x2, double c) {
    return x0 * x1 * c + x2 * x2 * x0 * c + 3 * c + x1 - x1 * x2;
  };
  RowModel model([&](const auto& feeds, int64_t k) {
    return F(At(feeds, "x", k, 0), At(feeds, "x", k, 1), At(feeds, "x", k, 2), At(feeds, "c", k, 0));
  });
  std::vector<float> x = {1.5, 2, -2}, bx = {0, 0.5, 1};
  float c = 2, bc = -1;
  FeatureTensor fx = Named("x", 1, 3, x, bx), fc = Named("c", 1, 1, {c}, {bc});
  fx.split_elements = true;
  fc.split_elements = false;
  std::vector<double> exact = ExactShapley(4, [&](unsigned mask) {
    auto pick = [&](int j, double on, double off) { return (mask & (1u << j)) ? on : off; };
    return F(pick(0, x[0], bx[0]), pick(1, x[1], bx[1]), pick(2, x[2], bx[2]), pick(3, c, bc));
  });
  ShapleyOptions options;
  options.path_count = 50;
  options.seed = 5;
  auto r = SampledShapley(model, Target(1), {fx, fc}, options);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->attributions[1].shape(), (std::vector<int64_t>{1}));
  double total = 0;
  for (int j = 0; j < 4; ++j) {
    double got = j < 3 ? r->attributions[0].data<float>()[j] : r->attributions[1].data<float>()[0];
    double se = j < 3 ? r->standard_errors[0].data<double>()[j] : r->standard_errors[1].data<double>()[0];
    EXPECT_GT(se, 0) << j;
    EXPECT_LE(std::abs(got - exact[j]), 5 * se + 1e-6) << j << ": " << got << " vs " << exact[j] << " se " << se;
    total += got;
  }
  EXPECT_NEAR(total, F(x[0], x[1], x[2], c) - F(bx[0], bx[1], bx[2], bc), 1e-5);  // efficiency, every sample
}

TEST(SampledShapleySplit, StringElementsSwitchOneByOne) {
  // F = Σ_e w_e [s_e == "on"]: additive over elements, so exact; strings are copied per element.
  const double w[3] = {1.0, -2.0, 0.5};
  RowModel model([&](const auto& feeds, int64_t k) {
    double s = 0;
    for (int e = 0; e < 3; ++e) s += w[e] * (feeds.at("s:0")->strings()[k * 3 + e] == "on");
    return s;
  });
  FeatureTensor f;
  f.name = "s";
  f.tensor = "s:0";
  f.value = Tensor(DType::kString, {2, 3});
  f.baselines.emplace_back(DType::kString, std::vector<int64_t>{2, 3});  // "" everywhere
  const char* values[6] = {"on", "off", "on", "off", "on", "on"};
  for (int e = 0; e < 6; ++e) f.value.strings()[e] = values[e];
  f.split_elements = true;
  ShapleyOptions options;
  options.path_count = 4;
  auto r = SampledShapley(model, Target(2), {f}, options);
  ASSERT_TRUE(r.ok()) << r.status();
  for (int e = 0; e < 6; ++e) {
    EXPECT_NEAR(r->attributions[0].data<float>()[e], std::string(values[e]) == "on" ? w[e % 3] : 0.0, 1e-6) << e;
  }
}

TEST(SampledShapleySplit, AGroupKeepsASplitFeatureWhole) {
  // x (split requested, but grouped with c) and c form one player: F(x) − F(b) on x, 0 on c.
  RowModel model([](const auto& feeds, int64_t k) {
    return At(feeds, "x", k, 0) * At(feeds, "x", k, 1) + At(feeds, "c", k, 0);
  });
  FeatureTensor fx = Named("x", 1, 2, {3, 2}, {0, 0}), fc = Named("c", 1, 1, {4}, {1});
  fx.split_elements = true;
  fx.group = fc.group = "g";
  ShapleyOptions options;
  options.path_count = 2;
  auto r = SampledShapley(model, Target(1), {fx, fc}, options);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->attributions[0].shape(), (std::vector<int64_t>{1}));
  EXPECT_NEAR(r->attributions[0].data<float>()[0], 6 + 3, 1e-5);
  EXPECT_EQ(r->attributions[1].data<float>()[0], 0.0f);
}

// ---- Sparse (VarLen) features: packing, feeds, gradient scatter -------------

std::vector<int64_t> Ints(const Tensor& t) {
  return std::vector<int64_t>(t.data<int64_t>(), t.data<int64_t>() + t.num_elements());
}

std::vector<float> Floats(const Tensor& t) {
  return std::vector<float>(t.data<float>(), t.data<float>() + t.num_elements());
}

Tensor Int64s(std::vector<int64_t> shape, const std::vector<int64_t>& values) {
  Tensor t(DType::kInt64, std::move(shape));
  std::copy(values.begin(), values.end(), t.data<int64_t>());
  return t;
}

// Three instances of a [3, 4] SparseTensor, entries given out of order:
// instance 0 has (0,1)=1 and (0,3)=2, instance 1 none, instance 2 (2,0)=4 and (2,3)=5.
FeatureTensor HandMadeSparse() {
  Tensor values = Tensor::FromFloats({4}, {5, 1, 4, 2});
  Tensor indices = Int64s({4, 2}, {2, 3, 0, 1, 2, 0, 0, 3});
  FeatureTensor f;
  f.name = "tags";
  f.tensor = "v:0";
  f.sparse = SparseLayout();
  f.sparse->indices_tensor = "i:0";
  f.sparse->dense_shape_tensor = "s:0";
  auto padded = PackSparse(values, indices, Int64s({2}, {3, 4}), 3, &*f.sparse);
  EXPECT_TRUE(padded.ok()) << padded.status();
  f.value = *padded;
  f.baselines.emplace_back(DType::kFloat, f.value.shape());
  return f;
}

TEST(SparseRows, PacksInstancesIntoCanonicalPaddedRows) {
  FeatureTensor f = HandMadeSparse();
  EXPECT_EQ(f.value.shape(), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(Floats(f.value), (std::vector<float>{1, 2, 0, 0, 4, 5}));
  EXPECT_EQ(f.sparse->counts, (std::vector<int64_t>{2, 0, 2}));
  EXPECT_EQ(f.sparse->columns, (std::vector<int64_t>{1, 3, 0, 0, 0, 3}));
  EXPECT_EQ(f.sparse->dense_tail, (std::vector<int64_t>{4}));
}

TEST(SparseRows, FeedsRebuildTheSparseTensorPerPathRow) {
  FeatureTensor f = HandMadeSparse();
  // Path rows: instances 2, 1, 0, 2; row 1 (no entries) holds padding that must not be fed.
  Tensor rows = Tensor::FromFloats({4, 2}, {40, 50, 9, 9, 10, 20, 41, 51});
  Feeds feeds;
  AppendFeatureFeeds(f, rows, {2, 1, 0, 2}, &feeds);
  ASSERT_EQ(feeds.size(), 3u);
  EXPECT_EQ(feeds[0].first, "v:0");
  EXPECT_EQ(Floats(feeds[0].second), (std::vector<float>{40, 50, 10, 20, 41, 51}));
  EXPECT_EQ(feeds[1].first, "i:0");
  EXPECT_EQ(feeds[1].second.shape(), (std::vector<int64_t>{6, 2}));
  EXPECT_EQ(Ints(feeds[1].second), (std::vector<int64_t>{0, 0, 0, 3, 2, 1, 2, 3, 3, 0, 3, 3}));
  EXPECT_EQ(feeds[2].first, "s:0");
  EXPECT_EQ(Ints(feeds[2].second), (std::vector<int64_t>{4, 4}));

  auto g = FeatureGradientRows(f, {2, 1, 0, 2}, Tensor::FromFloats({6}, {1, 2, 3, 4, 5, 6}));
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->shape(), (std::vector<int64_t>{4, 2}));
  EXPECT_EQ(Floats(*g), (std::vector<float>{1, 2, 0, 0, 3, 4, 5, 6}));
  EXPECT_FALSE(FeatureGradientRows(f, {2, 1, 0, 2}, Tensor::FromFloats({5}, {1, 2, 3, 4, 5})).ok());
}

TEST(SparseRows, RankThreeKeepsTheInnerCoordinates) {
  SparseLayout layout;
  auto padded = PackSparse(Tensor::FromFloats({2}, {7, 8}), Int64s({2, 3}, {1, 1, 4, 1, 0, 2}),
                           Int64s({3}, {2, 2, 5}), 2, &layout);
  ASSERT_TRUE(padded.ok()) << padded.status();
  EXPECT_EQ(Floats(*padded), (std::vector<float>{0, 0, 8, 7}));  // (1,0,2) before (1,1,4)
  EXPECT_EQ(layout.columns, (std::vector<int64_t>{0, 0, 0, 0, 0, 2, 1, 4}));
  FeatureTensor f;
  f.tensor = "v:0";
  f.value = *padded;
  f.sparse = layout;
  Feeds feeds;
  AppendFeatureFeeds(f, GatherRows(*padded, {1}), {1}, &feeds);
  EXPECT_EQ(Ints(feeds[1].second), (std::vector<int64_t>{0, 0, 2, 0, 1, 4}));
  EXPECT_EQ(Ints(feeds[2].second), (std::vector<int64_t>{1, 2, 5}));
}

TEST(SparseRows, RejectsInconsistentSparseTensors) {
  SparseLayout layout;
  Tensor values = Tensor::FromFloats({1}, {1});
  // dense_shape[0] is 2 for 3 instances; a column outside dense_shape; indices of the wrong rank.
  EXPECT_FALSE(PackSparse(values, Int64s({1, 2}, {0, 0}), Int64s({2}, {2, 4}), 3, &layout).ok());
  EXPECT_FALSE(PackSparse(values, Int64s({1, 2}, {0, 4}), Int64s({2}, {3, 4}), 3, &layout).ok());
  EXPECT_FALSE(PackSparse(values, Int64s({1, 3}, {0, 0, 0}), Int64s({2}, {3, 4}), 3, &layout).ok());
}

// y[k] = S_k (1 + x_k) with S_k = Σ c[col] v over row k's entries of the
// SparseTensor ("v:0", "i:0", "s:0") and a dense "x:0" [N, 1].
class SparseModel : public FakeModel {
 public:
  SparseModel() : FakeModel(nullptr, nullptr, 1) {}
  static constexpr double kC[4] = {1.0, -2.0, 0.5, 3.0};
  StatusOr<std::vector<Tensor>> RunFlat(const std::string&, const std::vector<std::pair<std::string, Tensor>>& feeds,
                                        const std::vector<std::string>&) override {
    Inputs in(feeds);
    Tensor y(DType::kFloat, {in.count, 1});
    for (int64_t k = 0; k < in.count; ++k) y.data<float>()[k] = static_cast<float>(in.s[k] * (1 + in.x[k]));
    return std::vector<Tensor>{y};
  }
  StatusOr<VjpResult> Vjp(const VjpRequest& request) override {
    std::vector<std::pair<std::string, Tensor>> feeds(request.feeds.begin(), request.feeds.end());
    Inputs in(feeds);
    VjpResult r;
    for (const auto& name : request.xs) {
      Tensor g(DType::kFloat, name == "v:0" ? std::vector<int64_t>{in.nnz} : std::vector<int64_t>{in.count, 1});
      for (int64_t e = 0; e < g.num_elements(); ++e) {
        int64_t k = name == "v:0" ? in.row[e] : e;
        double w = request.weights.data<float>()[k];
        g.data<float>()[e] = static_cast<float>(w * (name == "v:0" ? kC[in.col[e]] * (1 + in.x[k]) : in.s[k]));
      }
      r.gradients.push_back(g);
    }
    r.y = Tensor(DType::kFloat, {in.count, 1});
    for (int64_t k = 0; k < in.count; ++k) r.y.data<float>()[k] = static_cast<float>(in.s[k] * (1 + in.x[k]));
    ++vjp_runs;
    return r;
  }
  int vjp_runs = 0;

 private:
  struct Inputs {
    explicit Inputs(const std::vector<std::pair<std::string, Tensor>>& feeds) {
      std::map<std::string, const Tensor*> by;
      for (const auto& [name, t] : feeds) by[name] = &t;
      count = by.at("s:0")->data<int64_t>()[0];
      EXPECT_EQ(by.at("x:0")->shape()[0], count);
      EXPECT_EQ(by.at("s:0")->data<int64_t>()[1], 4);
      nnz = by.at("v:0")->shape()[0];
      x.assign(by.at("x:0")->data<float>(), by.at("x:0")->data<float>() + count);
      s.assign(count, 0.0);
      for (int64_t e = 0; e < nnz; ++e) {
        row.push_back(by.at("i:0")->data<int64_t>()[2 * e]);
        col.push_back(by.at("i:0")->data<int64_t>()[2 * e + 1]);
        s[row[e]] += kC[col[e]] * by.at("v:0")->data<float>()[e];
      }
    }
    int64_t count = 0, nnz = 0;
    std::vector<double> x, s;
    std::vector<int64_t> row, col;
  };
};

std::vector<FeatureTensor> SparseAndDense(const std::vector<float>& x) {
  FeatureTensor dense;
  dense.name = "x";
  dense.tensor = "x:0";
  dense.value = Tensor::FromFloats({3, 1}, x);
  dense.baselines.emplace_back(DType::kFloat, dense.value.shape());
  return {HandMadeSparse(), dense};
}

TEST(SparseRows, IntegratedGradientsMatchTheClosedForm) {
  // From zero baselines: IG(v_e) = c v_e (1 + x/2), IG(x) = x S / 2.
  std::vector<float> x = {0.5, 2.0, -1.0};
  const double s[3] = {1 * -2.0 + 2 * 3.0, 0.0, 4 * 1.0 + 5 * 3.0};
  const double want[3][2] = {{-2.0 * 1.25, 6.0 * 1.25}, {0, 0}, {4.0 * 0.5, 15.0 * 0.5}};
  for (int64_t budget : {int64_t{256} << 20, int64_t{1}}) {  // one run; one row per run (some with no entries)
    SparseModel model;
    IgOptions options;
    options.step_count = 5;
    options.memory_budget_bytes = budget;
    auto r = IntegratedGradients(model, Target(3), SparseAndDense(x), options);
    ASSERT_TRUE(r.ok()) << r.status();
    for (int i = 0; i < 3; ++i) {
      for (int c = 0; c < 2; ++c) EXPECT_NEAR(r->attributions[0].data<float>()[i * 2 + c], want[i][c], 1e-5);
      EXPECT_NEAR(r->attributions[1].data<float>()[i], x[i] * s[i] / 2, 1e-5);
      EXPECT_LT(r->approximation_error[i], 1e-6);
    }
  }
}

TEST(SparseRows, SmoothGradNoiseIsSeededAndIndependentOfTheBudget) {
  // Noise on x changes ∂F/∂v; noise on v (present entries only) leaves F linear in v.
  std::vector<float> x = {0.5, 2.0, -1.0};
  std::vector<std::vector<float>> got;
  for (int64_t budget : {int64_t{256} << 20, int64_t{1}}) {
    SparseModel model;
    IgOptions options;
    options.step_count = 5;
    options.memory_budget_bytes = budget;
    options.smooth_grad.enabled = true;
    options.smooth_grad.seed = 11;
    options.smooth_grad.feature_noise_sigma = {{"tags", 0.3}, {"x", 0.2}};
    auto r = IntegratedGradients(model, Target(3), SparseAndDense(x), options);
    ASSERT_TRUE(r.ok()) << r.status();
    got.push_back(Floats(r->attributions[0]));
  }
  for (size_t e = 0; e < got[0].size(); ++e) EXPECT_NEAR(got[0][e], got[1][e], 1e-6);
  EXPECT_NE(got[0][0], static_cast<float>(-2.0 * 1.25));  // the noise on x reached the tags' gradient
  EXPECT_EQ(got[0][2], 0.0f);                             // instance 1 has no entries
  EXPECT_EQ(got[0][3], 0.0f);
}

TEST(SparseRows, SampledShapleyRejectsSplittingASparseFeature) {
  SparseModel model;
  auto features = SparseAndDense({0.5, 2.0, -1.0});
  features[0].split_elements = true;
  auto r = SampledShapley(model, Target(3), features, ShapleyOptions());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(std::string(r.status().message()).find("'tags' is sparse"), std::string::npos) << r.status();
}

TEST(SparseRows, SampledShapleySwitchesTheWholeFeature) {
  // Two players from zero baselines: φ_v = S (1 + x/2), φ_x = x S / 2, exact for any path_count.
  std::vector<float> x = {0.5, 2.0, -1.0};
  const double s[3] = {4.0, 0.0, 19.0};
  SparseModel model;
  ShapleyOptions options;
  options.path_count = 2;
  auto r = SampledShapley(model, Target(3), SparseAndDense(x), options);
  ASSERT_TRUE(r.ok()) << r.status();
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(r->attributions[0].data<float>()[i], s[i] * (1 + x[i] / 2), 1e-5);
    EXPECT_NEAR(r->attributions[1].data<float>()[i], x[i] * s[i] / 2, 1e-5);
  }
}

// ---- Gaussian blur (scipy.ndimage.gaussian_filter, mode='constant', truncate=4) ----

TEST(Blur, KernelIsTheNormalisedSampledGaussian) {
  for (double sigma : {0.5, 1.0, 2.3}) {
    std::vector<double> k = GaussianKernel1D(sigma);
    int radius = static_cast<int>(4 * sigma + 0.5);
    ASSERT_EQ(k.size(), static_cast<size_t>(2 * radius + 1));
    double z = 0;
    for (int j = -radius; j <= radius; ++j) z += std::exp(-j * j / (2 * sigma * sigma));
    for (int j = -radius; j <= radius; ++j) EXPECT_NEAR(k[j + radius], std::exp(-j * j / (2 * sigma * sigma)) / z, 1e-15);
    EXPECT_NEAR(std::accumulate(k.begin(), k.end(), 0.0), 1.0, 1e-15);
  }
}

TEST(Blur, DeltaBecomesTheSampledGaussianAndChannelsDoNotMix) {
  const int h = 21, w = 19, c = 2;
  const double sigma = 1.5;  // radius 6: the delta's support stays inside
  std::vector<float> in(h * w * c, 0.0f), out(in.size());
  in[(10 * w + 9) * c + 1] = 1.0f;  // channel 1 only
  GaussianBlurImage(in.data(), out.data(), h, w, c, sigma);
  double z = 0;
  for (int j = -6; j <= 6; ++j) z += std::exp(-j * j / (2 * sigma * sigma));
  double total = 0;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      int dy = y - 10, dx = x - 9;
      double expected = std::abs(dy) <= 6 && std::abs(dx) <= 6
                            ? std::exp(-(dy * dy + dx * dx) / (2 * sigma * sigma)) / (z * z)
                            : 0.0;
      EXPECT_NEAR(out[(y * w + x) * c + 1], expected, 1e-7);
      EXPECT_EQ(out[(y * w + x) * c + 0], 0.0f);
      total += out[(y * w + x) * c + 1];
    }
  }
  EXPECT_NEAR(total, 1.0, 1e-6);  // mass preserved away from the border
}

TEST(Blur, ConstantModeDarkensBordersByTheMissingKernelMass) {
  // A constant image of ones: interior stays 1; a corner keeps (Σ_{k≥0} w_k)² of it.
  const int h = 30, w = 30;
  const double sigma = 2.0;
  std::vector<float> in(h * w, 1.0f), out(in.size());
  GaussianBlurImage(in.data(), out.data(), h, w, 1, sigma);
  std::vector<double> k = GaussianKernel1D(sigma);
  int radius = static_cast<int>(k.size() / 2);
  double half = std::accumulate(k.begin() + radius, k.end(), 0.0);
  EXPECT_NEAR(out[0], half * half, 1e-6);
  EXPECT_NEAR(out[15 * w + 15], 1.0, 1e-6);
  EXPECT_NEAR(out[15 * w], half, 1e-6);  // left edge, mid height
  // A batch [N, H, W] blurs each instance on its own.
  Tensor batch = Tensor::FromFloats({2, 3, 3}, {0, 0, 0, 0, 9, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1});
  Tensor blurred = GaussianBlurImages(batch, 0.7);
  std::vector<float> one(9);
  GaussianBlurImage(batch.data<float>() + 9, one.data(), 3, 3, 1, 0.7);
  for (int e = 0; e < 9; ++e) EXPECT_EQ(blurred.data<float>()[9 + e], one[e]);
}

}  // namespace
}  // namespace xai
