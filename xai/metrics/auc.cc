// TFMA's histogram-based AUC (calibration_histogram.rebin,
// binary_confusion_matrices._histogram_to_binary_confusion_matrices,
// confusion_matrix_metrics.AUC._metric_value), step for step in float64 so
// the result is bit-identical to TFMA's numpy code.
#include <cmath>
#include <limits>
#include <vector>

#include "xai/metrics/metrics.h"

namespace xai::metrics {
namespace {

constexpr int kBuckets = 10000;
constexpr double kEpsilon = 1e-7;

// binary_confusion_matrices._interpolated_thresholds.
std::vector<double> InterpolatedThresholds(int n) {
  std::vector<double> t;
  t.reserve(n);
  t.push_back(-kEpsilon);
  for (int i = 0; i < n - 2; ++i) t.push_back((i + 1) * 1.0 / (n - 1));
  t.push_back(1.0 + kEpsilon);
  return t;
}

struct Matrices {
  std::vector<double> tp, tn, fp, fn;
};

// Divides where the denominator is non-zero, else 0 (np.divide with `where`).
double SafeDivide(double a, double b) { return b != 0 ? a / b : 0.0; }

double PairwiseBlock(const double* a, size_t n) {
  if (n < 8) {
    double res = 0.0;
    for (size_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= 128) {
    double r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    size_t i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (int j = 0; j < 8; ++j) r[j] += a[i + j];
    }
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  size_t n2 = n / 2;
  n2 -= n2 % 8;
  return PairwiseBlock(a, n2) + PairwiseBlock(a + n2, n - n2);
}

}  // namespace

double NumpyPairwiseSum(const double* values, size_t n) { return PairwiseBlock(values, n); }

double Accumulator::ComputeAuc(const MetricDef& def) const {
  const std::vector<double> thresholds = InterpolatedThresholds(def.num_thresholds);
  const size_t n = thresholds.size();
  // rebin thresholds: t + eps (0 stays 0); the ends need no extra fence posts
  // because thresholds[0] < 0 and thresholds[n-1] >= 1.
  std::vector<double> rebin(n);
  for (size_t i = 0; i < n; ++i) rebin[i] = thresholds[i] != 0 ? thresholds[i] + kEpsilon : thresholds[i];

  std::vector<double> labels(n, 0.0), weights(n, 0.0);
  size_t offset = 0;
  double total_labels = 0.0, total_weights = 0.0;
  for (size_t b = 0; b < hist_used_.size(); ++b) {
    if (!hist_used_[b]) continue;
    double pred = b == 0 ? -std::numeric_limits<double>::infinity()
                 : b >= kBuckets + 1 ? std::numeric_limits<double>::infinity()
                                     : static_cast<double>(b - 1) / kBuckets * (1.0 - 0.0) + 0.0;
    if (offset + 1 < n && pred >= rebin[offset + 1]) {
      labels[offset] = total_labels;
      weights[offset] = total_weights;
      ++offset;
      total_labels = total_weights = 0.0;
      while (offset + 1 < n && pred >= rebin[offset + 1]) ++offset;
    }
    total_labels += hist_labels_[b];
    total_weights += hist_weights_[b];
  }
  labels[offset] = total_labels;
  weights[offset] = total_weights;

  Matrices m{std::vector<double>(n, 0.0), std::vector<double>(n, 0.0), std::vector<double>(n, 0.0),
             std::vector<double>(n, 0.0)};
  for (size_t i = 0; i < n; ++i) {
    size_t start = i, end = n - i - 1;
    double start_pos = labels[start], start_neg = weights[start] - labels[start];
    double end_pos = labels[end], end_neg = weights[end] - labels[end];
    m.tp[end] = end < n - 1 ? m.tp[end + 1] + end_pos : end_pos;
    m.fp[end] = end < n - 1 ? m.fp[end + 1] + end_neg : end_neg;
    if (start + 1 < n) {
      m.tn[start + 1] = m.tn[start] + start_neg;
      m.fn[start + 1] = m.fn[start] + start_pos;
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (thresholds[i] >= 1.0 + kEpsilon) {
      m.tp[i] = 0.0;
      m.fp[i] = 0.0;
      m.fn[i] = m.tp[0];
      m.tn[i] = m.fp[0];
    }
  }

  std::vector<double> terms(n - 1);
  if (def.pr_curve && def.summation == MetricDef::Summation::kInterpolation) {
    // Davis & Goadrich interpolation, as TFMA writes it.
    for (size_t i = 0; i + 1 < n; ++i) {
      double dtp = m.tp[i] - m.tp[i + 1];
      double p0 = m.tp[i] + m.fp[i], p1 = m.tp[i + 1] + m.fp[i + 1];
      double dp = p0 - p1;
      double slope = dtp / std::max(dp, 0.0);
      double intercept = m.tp[i + 1] - slope * p1;
      double ratio = p1 != 0 ? p0 / p1 : 1.0;
      terms[i] = slope * (dtp + intercept * std::log(ratio)) / std::max(m.tp[i + 1] + m.fn[i + 1], 0.0);
    }
  } else {
    std::vector<double> x(n), y(n);
    for (size_t i = 0; i < n; ++i) {
      double recall = SafeDivide(m.tp[i], m.tp[i] + m.fn[i]);
      if (def.pr_curve) {
        x[i] = recall;
        y[i] = SafeDivide(m.tp[i], m.tp[i] + m.fp[i]);
      } else {
        x[i] = SafeDivide(m.fp[i], m.fp[i] + m.tn[i]);
        y[i] = recall;
      }
    }
    for (size_t i = 0; i + 1 < n; ++i) {
      double height = def.summation == MetricDef::Summation::kInterpolation ? (y[i] + y[i + 1]) / 2.0
                      : def.summation == MetricDef::Summation::kMinoring ? std::min(y[i], y[i + 1])
                                                                         : std::max(y[i], y[i + 1]);
      terms[i] = (x[i] - x[i + 1]) * height;
    }
  }
  for (double& t : terms) {
    if (std::isnan(t)) t = 0.0;  // np.nansum
  }
  return NumpyPairwiseSum(terms.data(), terms.size());
}

}  // namespace xai::metrics
