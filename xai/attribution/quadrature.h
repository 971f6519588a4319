// Integration rules on [0, 1] for Integrated Gradients' path integral.
#ifndef XAI_ATTRIBUTION_QUADRATURE_H_
#define XAI_ATTRIBUTION_QUADRATURE_H_

#include <string>
#include <vector>

#include "xai/base/status.h"

namespace xai {

enum class QuadratureRule {
  kGaussLegendre,  // n Gauss–Legendre nodes: exact for polynomials of degree 2n-1
  kTrapezoid,      // n points j/(n-1), end points weighted half (n >= 2)
  kMidpoint,       // n points (j + 0.5)/n, equal weights (Riemann middle sum)
};

struct Quadrature {
  std::vector<double> alphas;   // points in [0, 1]
  std::vector<double> weights;  // sum to 1
};

StatusOr<QuadratureRule> ParseQuadratureRule(const std::string& name);  // gauss_legendre | trapezoid | midpoint
StatusOr<Quadrature> MakeQuadrature(QuadratureRule rule, int points);

}  // namespace xai

#endif  // XAI_ATTRIBUTION_QUADRATURE_H_
