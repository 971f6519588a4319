// Checks of explanation options, done once at the pipeline's entry.
#include <cmath>

#include "xai/base/json_util.h"
#include "xai/explain/explain.h"

namespace xai {
namespace {

Status CheckRange(const char* name, int value, int lo, int hi) {
  if (value >= lo && value <= hi) return absl::OkStatus();
  return absl::InvalidArgumentError(std::string(name) + " must be in [" + std::to_string(lo) + ", " +
                                    std::to_string(hi) + "] as in Vertex, got " + std::to_string(value));
}

// SmoothGrad, blur baseline and target_error: ranges, and only with gradient methods.
Status CheckGradientSettings(const ExplainOptions& o) {
  auto non_negative = [](const std::string& name, double v) -> Status {
    if (std::isfinite(v) && v >= 0) return absl::OkStatus();
    return absl::InvalidArgumentError(name + " must be a finite number >= 0, got " + FormatDouble(v));
  };
  const api::SmoothGradOptions& sg = o.smooth_grad;
  if (sg.enabled) {
    XAI_RETURN_IF_ERROR(CheckRange("noisy_sample_count", sg.noisy_sample_count, 1, 50));
    XAI_RETURN_IF_ERROR(non_negative("noise_sigma", sg.noise_sigma));
    for (const auto& [name, sigma] : sg.feature_noise_sigma) {
      XAI_RETURN_IF_ERROR(non_negative("feature_noise_sigma of '" + name + "'", sigma));
    }
  }
  XAI_RETURN_IF_ERROR(non_negative("max_blur_sigma", o.max_blur_sigma));
  if (o.target_error && !(std::isfinite(*o.target_error) && *o.target_error > 0)) {
    return absl::InvalidArgumentError("target_error must be a number > 0, got " + FormatDouble(*o.target_error));
  }
  if (o.method == "sampled_shapley" && sg.enabled) {
    return absl::InvalidArgumentError("SmoothGrad (noise_sigma, feature_noise_sigma, noisy_sample_count) applies to "
                                      "integrated_gradients and xrai, not sampled_shapley");
  }
  if (o.method == "sampled_shapley" && o.max_blur_sigma > 0) {
    return absl::InvalidArgumentError("max_blur_sigma applies to integrated_gradients and xrai, not sampled_shapley");
  }
  if (o.target_error && o.method != "integrated_gradients") {
    return absl::InvalidArgumentError("target_error applies to integrated_gradients, not " + o.method);
  }
  return absl::OkStatus();
}

Status CheckTopK(int top_k) {
  if (top_k >= -1) return absl::OkStatus();
  return absl::InvalidArgumentError("top_k must be -1 (all outputs) or >= 1 (0: the default, the argmax), got " +
                                    std::to_string(top_k));
}

Status CheckKnown(const std::string& what, const std::string& value, std::initializer_list<const char*> known) {
  std::string list;
  for (const char* k : known) {
    if (value == k) return absl::OkStatus();
    list += (list.empty() ? "" : ", ") + std::string(k);
  }
  return absl::InvalidArgumentError("unknown " + what + " '" + value + "'; expected " + list);
}

}  // namespace

Status ValidateExplainOptions(const ExplainOptions& options) {
  XAI_RETURN_IF_ERROR(CheckRange("step_count", options.step_count, 1, 100));
  XAI_RETURN_IF_ERROR(CheckRange("path_count", options.path_count, 1, 50));
  XAI_RETURN_IF_ERROR(CheckTopK(options.top_k));
  if (options.method != "integrated_gradients" && options.method != "sampled_shapley" && options.method != "xrai") {
    return absl::InvalidArgumentError("unknown method '" + options.method +
                                      "'; expected integrated_gradients, sampled_shapley or xrai");
  }
  if (options.xrai_algorithm != "full" && options.xrai_algorithm != "fast") {
    return absl::InvalidArgumentError("unknown xrai algorithm '" + options.xrai_algorithm + "'; expected full or fast");
  }
  XAI_RETURN_IF_ERROR(CheckKnown("quadrature", options.quadrature, {"gauss_legendre", "trapezoid", "midpoint"}));
  if (options.memory_budget_bytes <= 0) {
    return absl::InvalidArgumentError("memory budget must be > 0 bytes, got " +
                                      std::to_string(options.memory_budget_bytes));
  }
  return CheckGradientSettings(options);
}

}  // namespace xai
