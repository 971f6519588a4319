// `xai validate` as a library call: EvalConfig + TFRecord data (+ candidate
// and baseline SavedModels, or predictions already in the data) → metrics per
// slice → TFMA ValidationResult → output files.
#ifndef XAI_VALIDATION_EVALUATE_H_
#define XAI_VALIDATION_EVALUATE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "xai/base/status.h"
#include "xai/model/model.h"
#include "xai/validation/validator.h"

namespace xai::validation {

struct Progress {
  int64_t records = 0;
  int64_t bytes_read = 0;
  int64_t total_bytes = 0;  // of all input files on disk
  double seconds = 0;
};

struct ValidateOptions {
  std::string eval_config_path;  // text proto or JSON
  std::string data_location;     // globs and comma-separated lists
  std::string output_path;
  // SavedModel directories. No candidate: predictions are read from each
  // ModelSpec's prediction_key feature (TFMA's model-agnostic mode).
  // Candidate without baseline: a rubber stamp (TFX's first run).
  std::string candidate_dir;
  std::string baseline_dir;
  LoadOptions load;
  // Examples per model call (ModelSpec.inference_batch_size overrides).
  int batch_size = 1000;
  // Called after every batch (from the calling thread); may be empty.
  std::function<void(const Progress&)> on_progress;
};

struct ValidateOutcome {
  ValidationResult result;
  std::vector<std::string> warnings;
  int64_t examples = 0;
  std::string summary;  // HumanSummary(result)
};

// Runs the whole validation and writes the outputs. Errors: InvalidArgument
// (bad config, missing label/weight/prediction feature, bad values, empty
// data), NotFound (missing files, signature or output), DataLoss (corrupt records).
StatusOr<ValidateOutcome> RunValidation(const ValidateOptions& options);

}  // namespace xai::validation

#endif  // XAI_VALIDATION_EVALUATE_H_
