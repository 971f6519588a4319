// Post-training metrics with TFMA's names, defaults and definitions, computed
// from streaming, mergeable accumulators (one per slice × model × weighting).
// TF-free. Definitions follow TFMA 0.52 (see docs/validation.md for the
// operation order that makes AUC bit-identical).
#ifndef XAI_METRICS_METRICS_H_
#define XAI_METRICS_METRICS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "xai/base/status.h"

namespace xai::metrics {

// Which TFMA computation a MetricConfig class_name maps to.
enum class MetricKind {
  kExampleCount,          // ExampleCount, WeightedExampleCount
  kAuc,                   // AUC, AUCPrecisionRecall (histogram method)
  kConfusion,             // BinaryAccuracy, Precision, Recall at one threshold
  kMeanLabel,
  kMeanPrediction,
  kCalibration,
  kMeanSquaredError,
  kMeanAbsoluteError,
  kBinaryCrossEntropy,    // TFMA native (no clipping)
  kKerasBinaryCrossentropy,  // Keras BinaryCrossentropy (epsilon clipping)
  kCategoricalAccuracy,   // Keras
  kSparseCategoricalAccuracy,  // Keras
};

// A metric parsed from MetricConfig {class_name, config}.
struct MetricDef {
  std::string class_name;
  std::string name;  // config "name", else TFMA's default name
  MetricKind kind = MetricKind::kExampleCount;
  // AUC: number of interpolated thresholds (TFMA default 10,000).
  int num_thresholds = 10000;
  bool pr_curve = false;            // AUC curve "PR" (AUCPrecisionRecall)
  enum class Summation { kInterpolation, kMinoring, kMajoring } summation = Summation::kInterpolation;
  double threshold = 0.5;           // confusion metrics: positive iff prediction > threshold
  enum class Confusion { kAccuracy, kPrecision, kRecall } confusion = Confusion::kAccuracy;
  bool needs_label = true;          // false only for the example counts
};

// Parses class_name and the config JSON (outer braces optional, as in TFMA).
// InvalidArgument names an unsupported class or config key, listing the
// supported ones.
StatusOr<MetricDef> ParseMetricDef(const std::string& class_name, const std::string& config_json);

// One example's values for one model, as TFMA's to_label_prediction_example_weight
// yields them: label and prediction as stored (float32 unless the label came
// from an int64 feature), weight 1.0 when unweighted.
struct MetricInput {
  const double* label = nullptr;  // label values (1 for binary, k for one-hot)
  size_t label_size = 0;
  bool label_is_float32 = true;   // label from a float feature (TFMA subtracts in float32)
  const float* prediction = nullptr;
  size_t prediction_size = 0;
  double weight = 1.0;
};

// What the accumulators must collect for a set of metrics.
struct AccumulatorPlan {
  bool histogram = false;            // AUC metrics present
  std::vector<double> thresholds;    // distinct confusion-matrix thresholds
  bool binary = false;               // metrics needing one label and one prediction in [0,1] labels
  bool categorical = false;          // Keras (sparse) categorical accuracy

  static AccumulatorPlan For(const std::vector<MetricDef>& defs);
};

// Sums for one slice, one model and one weighting. Merge() adds another
// accumulator of the same plan (sharded evaluation). Not thread-safe.
class Accumulator {
 public:
  explicit Accumulator(const AccumulatorPlan* plan);

  // InvalidArgument (without location; the caller adds it) when the label or
  // prediction shape does not fit the planned metrics, or a binary label is
  // outside [0, 1].
  Status Add(const MetricInput& in);
  void Merge(const Accumulator& other);

  // The value of `def` (NaN where TFMA gives NaN).
  double Compute(const MetricDef& def) const;

  int64_t num_examples() const { return num_examples_; }

 private:
  struct Confusion {
    double tp = 0, tn = 0, fp = 0, fn = 0;
  };
  void AddBinary(double label, float prediction, double weight, bool label_is_float32);
  void AddHistogram(double label, double prediction, double weight);
  void AddCategorical(const MetricInput& in);
  double ComputeConfusion(const MetricDef& def) const;
  double ComputeAuc(const MetricDef& def) const;

  const AccumulatorPlan* plan_;
  int64_t num_examples_ = 0;
  double example_weight_sum_ = 0;  // ExampleCount: Σw (w = 1 unweighted)
  // calibration.py's _WeightedLabelsPredictionsExamples.
  double total_weighted_examples_ = 0, total_weighted_labels_ = 0, total_weighted_predictions_ = 0;
  // mean_regression_error.py accumulators (NaN errors skipped).
  double mse_error_ = 0, mse_weight_ = 0, mae_error_ = 0, mae_weight_ = 0;
  double bce_sum_ = 0, bce_weight_ = 0, keras_bce_sum_ = 0, keras_bce_weight_ = 0;
  double cat_match_ = 0, cat_weight_ = 0, sparse_match_ = 0, sparse_weight_ = 0;
  std::vector<Confusion> confusion_;  // one per plan_->thresholds
  // calibration_histogram.py: 10,000 buckets over [0, 1] plus -inf/+inf ends;
  // per bucket Σw·label and Σw (empty until the first example).
  std::vector<double> hist_labels_, hist_weights_;
  std::vector<bool> hist_used_;
};

// numpy's pairwise summation (np.sum / np.nansum of a contiguous float64
// array), reproduced operation for operation so AUC is bit-identical.
double NumpyPairwiseSum(const double* values, size_t n);

// The names of every supported class, for error messages.
std::string SupportedMetricClasses();

}  // namespace xai::metrics

#endif  // XAI_METRICS_METRICS_H_
