#include "xai/attribution/quadrature.h"

#include <cmath>

#include <gtest/gtest.h>

namespace xai {
namespace {

double Integrate(const Quadrature& q, double (*f)(double)) {
  double s = 0;
  for (size_t i = 0; i < q.alphas.size(); ++i) s += q.weights[i] * f(q.alphas[i]);
  return s;
}

TEST(Quadrature, GaussLegendreIsExactForDegree2nMinus1) {
  auto q = MakeQuadrature(QuadratureRule::kGaussLegendre, 4);
  ASSERT_TRUE(q.ok());
  // ∫0^1 x^7 dx = 1/8 exactly with 4 nodes.
  EXPECT_NEAR(Integrate(*q, [](double x) { return std::pow(x, 7); }), 1.0 / 8, 1e-14);
  // Known 2-point nodes on [0,1]: (1 ± 1/√3)/2.
  auto two = MakeQuadrature(QuadratureRule::kGaussLegendre, 2);
  EXPECT_NEAR(two->alphas[0], (1 - 1 / std::sqrt(3.0)) / 2, 1e-15);
  EXPECT_NEAR(two->weights[0], 0.5, 1e-15);
}

TEST(Quadrature, WeightsSumToOne) {
  for (auto rule : {QuadratureRule::kGaussLegendre, QuadratureRule::kTrapezoid, QuadratureRule::kMidpoint}) {
    for (int n : {2, 7, 50, 100}) {
      auto q = MakeQuadrature(rule, n);
      ASSERT_TRUE(q.ok());
      double sum = 0;
      for (double w : q->weights) sum += w;
      EXPECT_NEAR(sum, 1.0, 1e-12) << static_cast<int>(rule) << " " << n;
    }
  }
}

TEST(Quadrature, TrapezoidAndMidpointOnExp) {
  double exact = std::exp(1.0) - 1;
  auto f = [](double x) { return std::exp(x); };
  // Euler–Maclaurin: trapezoid error ≈ h²/12 (f'(1) − f'(0)), midpoint ≈ −h²/24 (f'(1) − f'(0)).
  auto t = MakeQuadrature(QuadratureRule::kTrapezoid, 11);
  auto m = MakeQuadrature(QuadratureRule::kMidpoint, 10);
  EXPECT_NEAR(Integrate(*t, f) - exact, 0.01 / 12 * exact, 2e-6);
  EXPECT_NEAR(Integrate(*m, f) - exact, -0.01 / 24 * exact, 2e-6);
}

TEST(Quadrature, BadArguments) {
  EXPECT_FALSE(MakeQuadrature(QuadratureRule::kTrapezoid, 1).ok());
  EXPECT_FALSE(ParseQuadratureRule("simpson").ok());
}

}  // namespace
}  // namespace xai
