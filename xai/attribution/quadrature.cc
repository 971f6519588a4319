#include "xai/attribution/quadrature.h"

#include <cmath>

namespace xai {
namespace {

// Legendre polynomial P_n(x) and its derivative, by the three-term recurrence.
void Legendre(int n, double x, double* p, double* dp) {
  double p0 = 1, p1 = x;
  for (int k = 2; k <= n; ++k) {
    double pk = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
    p0 = p1;
    p1 = pk;
  }
  *p = n == 0 ? 1 : p1;
  *dp = n * (x * p1 - p0) / (x * x - 1);
}

Quadrature GaussLegendre(int n) {
  Quadrature q;
  for (int i = 0; i < n; ++i) {
    // Newton's method from the Chebyshev-like initial guess of root i on [-1, 1].
    double x = std::cos(M_PI * (i + 0.75) / (n + 0.5)), p, dp;
    for (int iter = 0; iter < 100; ++iter) {
      Legendre(n, x, &p, &dp);
      double step = p / dp;
      x -= step;
      if (std::fabs(step) < 1e-16) break;
    }
    Legendre(n, x, &p, &dp);
    q.alphas.push_back((1 - x) / 2);               // map to [0, 1], ascending
    q.weights.push_back(1.0 / ((1 - x * x) * dp * dp));  // 2/((1-x²)P'²), halved for [0, 1]
  }
  return q;
}

}  // namespace

StatusOr<QuadratureRule> ParseQuadratureRule(const std::string& name) {
  if (name == "gauss_legendre") return QuadratureRule::kGaussLegendre;
  if (name == "trapezoid") return QuadratureRule::kTrapezoid;
  if (name == "midpoint") return QuadratureRule::kMidpoint;
  return absl::InvalidArgumentError("unknown quadrature '" + name + "'; expected gauss_legendre, trapezoid or midpoint");
}

StatusOr<Quadrature> MakeQuadrature(QuadratureRule rule, int points) {
  if (points < 1 || (rule == QuadratureRule::kTrapezoid && points < 2)) {
    return absl::InvalidArgumentError("a quadrature needs at least " +
                                      std::string(rule == QuadratureRule::kTrapezoid ? "2" : "1") + " points, got " +
                                      std::to_string(points));
  }
  Quadrature q;
  switch (rule) {
    case QuadratureRule::kGaussLegendre:
      return GaussLegendre(points);
    case QuadratureRule::kTrapezoid:
      for (int j = 0; j < points; ++j) {
        q.alphas.push_back(static_cast<double>(j) / (points - 1));
        q.weights.push_back((j == 0 || j == points - 1 ? 0.5 : 1.0) / (points - 1));
      }
      return q;
    case QuadratureRule::kMidpoint:
      for (int j = 0; j < points; ++j) {
        q.alphas.push_back((j + 0.5) / points);
        q.weights.push_back(1.0 / points);
      }
      return q;
  }
  return q;
}

}  // namespace xai
