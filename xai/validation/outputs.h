// The files TFMA's writers produce, from xai's results: validations.tfrecord
// (one ValidationResult), metrics-00000-of-00001.tfrecord (MetricsForSlice per
// slice), eval_config.json (EvalRun), plus TFX's BLESSED / NOT_BLESSED marker
// and a human summary (validation_summary.txt).
#ifndef XAI_VALIDATION_OUTPUTS_H_
#define XAI_VALIDATION_OUTPUTS_H_

#include <string>
#include <utility>
#include <vector>

#include "xai/base/status.h"
#include "xai/validation/validator.h"

namespace xai::validation {

// Serialized tensorflow_model_analysis.ValidationResult.
std::string SerializeValidationResult(const ValidationResult& result);

// Serialized MetricsForSlice for one slice (keys in MetricKey order).
std::string SerializeMetricsForSlice(const metrics::SliceKey& slice, const SliceMetrics& values);

// The ValidationResult in protobuf text format (for summaries and tests).
std::string ValidationResultText(const ValidationResult& result);

// A short human summary: verdict, then each failure (slice, metric, value,
// threshold) and each missing slice.
std::string HumanSummary(const ValidationResult& result);

struct OutputFiles {
  std::string output_path;
  std::string eval_run_json;
};

// Writes every file under output_path (created if missing), each atomically;
// removes a stale BLESSED/NOT_BLESSED of an earlier run.
Status WriteOutputs(const OutputFiles& files, const ValidationResult& result,
                    const std::vector<std::pair<metrics::SliceKey, SliceMetrics>>& slices);

}  // namespace xai::validation

#endif  // XAI_VALIDATION_OUTPUTS_H_
