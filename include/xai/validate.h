// TFMA-compatible model validation (`xai validate`).
#ifndef XAI_VALIDATE_H_
#define XAI_VALIDATE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "xai/export.h"
#include "xai/model.h"
#include "xai/status.h"

namespace xai::api {

struct ValidateOptions {
  std::string eval_config_path;  // TFMA EvalConfig, text proto or JSON
  std::string data_location;     // TFRecord files of tf.Example: paths or globs, comma-separated
  std::string output_path;       // validations.tfrecord, metrics, BLESSED / NOT_BLESSED go here
  std::string candidate;         // handle; empty: predictions from model_specs.prediction_key
  std::string baseline;          // handle; empty: a rubber stamp
  LoadOptions load;
  int batch_size = 1000;         // examples per model call
};

struct ValidateResult {
  bool blessed = false;            // every threshold passed
  int64_t examples = 0;
  std::string summary;             // what validation_summary.txt holds
  std::vector<std::string> warnings;
};

// Thread-safe (runs are independent). Writes the same files as `xai validate`.
XAI_EXPORT StatusOr<ValidateResult> Validate(const ValidateOptions& options);

}  // namespace xai::api

#endif  // XAI_VALIDATE_H_
