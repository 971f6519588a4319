#include "xai/validate.h"

#include "xai/api/convert.h"
#include "xai/hub/resolver.h"
#include "xai/validation/evaluate.h"

namespace xai::api {

StatusOr<ValidateResult> Validate(const ValidateOptions& options) {
  validation::ValidateOptions v;
  v.eval_config_path = options.eval_config_path;
  v.data_location = options.data_location;
  v.output_path = options.output_path;
  v.load = FromApi(options.load);
  v.batch_size = options.batch_size;
  for (auto [from, to] : {std::pair{&options.candidate, &v.candidate_dir}, std::pair{&options.baseline, &v.baseline_dir}}) {
    if (from->empty()) continue;
    xai::StatusOr<std::string> dir = hub::ResolveHandle(*from, hub::HubOptions::FromEnvironment());
    if (!dir.ok()) return ToApi(dir.status());
    *to = *dir;
  }
  xai::StatusOr<validation::ValidateOutcome> outcome = validation::RunValidation(v);
  if (!outcome.ok()) return ToApi(outcome.status());
  return ValidateResult{outcome->result.validation_ok, outcome->examples, outcome->summary, outcome->warnings};
}

}  // namespace xai::api
