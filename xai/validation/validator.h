// Validation exactly as TFMA's metrics_validator.py and CombineValidations:
// thresholds keyed by MetricKey (metric_specs.metric_thresholds_from_metrics_specs),
// per-slice checks, merge, missing slices, rubber stamp. TF-free.
#ifndef XAI_VALIDATION_VALIDATOR_H_
#define XAI_VALIDATION_VALIDATOR_H_

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "xai/metrics/metric_key.h"
#include "xai/metrics/slicing.h"
#include "xai/validation/eval_config.h"

namespace xai::validation {

// One bare threshold with the slice spec it is limited to (none = every slice).
struct ThresholdEntry {
  std::optional<metrics::SlicingSpec> slicing_spec;
  bool is_change = false;  // change_threshold (checked on the diff key) vs value_threshold
  ValueThreshold value;
  ChangeThreshold change;

  bool SameThreshold(const ThresholdEntry& o) const {
    return is_change == o.is_change && (is_change ? change == o.change : value == o.value);
  }
};

using ThresholdMap = std::map<metrics::MetricKey, std::vector<ThresholdEntry>>;

// Example-weighting options of a MetricsSpec (TFMA's _example_weight_options):
// the spec's example_weights if set, else weighted iff a model it names has an
// example_weight_key.
std::vector<bool> ExampleWeightOptions(const EvalConfig& config, const MetricsSpec& spec);

// MetricKey → thresholds, deduplicated per (key, slice spec, threshold).
ThresholdMap BuildThresholds(const EvalConfig& config);

struct Failure {
  metrics::MetricKey key;
  ThresholdEntry threshold;
  std::optional<double> value;  // absent for "Metric not found."
  std::string message;
};

struct SliceValidation {
  metrics::SliceKey slice;
  std::vector<Failure> failures;
};

struct SlicingDetail {
  metrics::SlicingSpec spec;
  int num_matching_slices = 0;
};

struct ValidationResult {
  bool validation_ok = false;
  bool missing_thresholds = false;
  bool rubber_stamp = false;
  std::vector<SliceValidation> metric_validations_per_slice;  // slices with failures
  std::vector<metrics::SlicingSpec> missing_slices;
  std::vector<SlicingDetail> slicing_details;
};

using SliceMetrics = std::map<metrics::MetricKey, double>;

// Validates every slice's metrics (diff metrics included) and combines the
// results as TFMA does. `slices` in any order; empty gives validation_ok=false.
ValidationResult Validate(const EvalConfig& config, const std::vector<std::pair<metrics::SliceKey, SliceMetrics>>& slices,
                          bool rubber_stamp);

}  // namespace xai::validation

#endif  // XAI_VALIDATION_VALIDATOR_H_
