// TFMA's EvalConfig: parsed from text proto or JSON with TFMA's field names
// and numbers, normalised as TFMA's update_eval_config_with_defaults does,
// then turned into plain structs for the TF-free evaluation code.
#ifndef XAI_VALIDATION_EVAL_CONFIG_H_
#define XAI_VALIDATION_EVAL_CONFIG_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "xai/base/status.h"
#include "xai/metrics/metrics.h"
#include "xai/metrics/slicing.h"

namespace xai::validation {

struct ValueThreshold {
  std::optional<double> lower_bound;  // unset = -inf
  std::optional<double> upper_bound;  // unset = +inf
  bool operator==(const ValueThreshold& o) const {
    return lower_bound == o.lower_bound && upper_bound == o.upper_bound;
  }
};

enum class Direction { kUnknown = 0, kLowerIsBetter = 1, kHigherIsBetter = 2 };

struct ChangeThreshold {
  std::optional<double> absolute;
  std::optional<double> relative;
  Direction direction = Direction::kUnknown;
  bool operator==(const ChangeThreshold& o) const {
    return absolute == o.absolute && relative == o.relative && direction == o.direction;
  }
};

struct MetricThreshold {
  std::optional<ValueThreshold> value_threshold;
  std::optional<ChangeThreshold> change_threshold;
};

struct PerSliceThreshold {
  std::vector<metrics::SlicingSpec> slicing_specs;  // non-empty
  MetricThreshold threshold;
};

struct MetricConfig {
  metrics::MetricDef def;
  std::optional<MetricThreshold> threshold;
  std::vector<PerSliceThreshold> per_slice_thresholds;
};

struct MetricsSpec {
  std::vector<MetricConfig> metrics;
  std::vector<std::string> model_names;  // filled by normalisation
  std::map<std::string, MetricThreshold> thresholds;  // training-time metric names
  std::map<std::string, std::vector<PerSliceThreshold>> per_slice_thresholds;
  bool has_example_weights = false;  // MetricsSpec.example_weights set
  bool weighted = false, unweighted = false;
};

struct ModelSpec {
  std::string name;
  std::string signature_name;
  std::string label_key;
  std::string prediction_key;
  std::string example_weight_key;
  bool is_baseline = false;
  int inference_batch_size = 0;  // 0 = xai's default
};

struct EvalConfig {
  std::vector<ModelSpec> model_specs;  // after normalisation: 1, or candidate + baseline
  std::vector<metrics::SlicingSpec> slicing_specs;  // empty = Overall only
  std::vector<MetricsSpec> metrics_specs;
  std::optional<int> min_slice_size;

  const ModelSpec* Baseline() const;    // nullptr without a baseline
  const ModelSpec& Candidate() const;   // the first non-baseline spec
  bool HasThresholds() const;
};

// How the run is set up; decides TFMA's normalisation.
struct ConfigContext {
  bool has_baseline = false;  // a baseline model (or baseline predictions) is evaluated
  bool rubber_stamp = false;  // first run: no baseline, change thresholds are dropped
};

struct LoadedConfig {
  EvalConfig config;
  std::string normalized_proto;  // the normalised EvalConfig message, serialized
  std::vector<std::string> warnings;
};

// Parses `text` (JSON when it starts with '{', else text proto). `source`
// names the file in errors. InvalidArgument names unknown fields, unsupported
// TFMA features (cross slicing, binarize, multi-output keys, SQL slicing,
// confidence intervals) and TFMA's own config errors (e.g. change thresholds
// without a baseline outside a rubber stamp).
StatusOr<LoadedConfig> LoadEvalConfig(const std::string& text, const std::string& source,
                                      const ConfigContext& context);

// eval_config.json as TFMA writes it: EvalRun {eval_config, version,
// data_location, file_format, model_locations} in proto3 JSON.
std::string EvalRunJson(const LoadedConfig& config, const std::string& data_location,
                        const std::map<std::string, std::string>& model_locations);

}  // namespace xai::validation

#endif  // XAI_VALIDATION_EVAL_CONFIG_H_
