// Explanation parameters: Vertex's ExplanationParameters / ExplanationSpec
// JSON and the checks every setting gets before a model runs.
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>

#include "xai/rest/explain_spec.h"

#include "xai/base/json_util.h"

namespace xai {

using api::ExplainOptions;
namespace {

// `*out` = the integer under `camel` or `snake` in `object` (left as is when absent).
template <typename T>
Status ReadInteger(const Json& object, const char* camel, const char* snake, T* out) {
  for (const char* key : {camel, snake}) {
    if (!object.is_object() || !object.contains(key)) continue;
    const Json& v = object[key];
    if (!v.is_number_integer()) {
      return absl::InvalidArgumentError(std::string("explanation parameter ") + camel + " must be an integer, got " +
                                        v.dump());
    }
    if (v.is_number_unsigned() ? v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<T>::max())
                               : v.get<int64_t>() < static_cast<int64_t>(std::numeric_limits<T>::min()) ||
                                     v.get<int64_t>() > static_cast<int64_t>(std::numeric_limits<T>::max())) {
      return absl::InvalidArgumentError(std::string("explanation parameter ") + camel + " is out of range, got " +
                                        v.dump());
    }
    *out = v.get<T>();
  }
  return absl::OkStatus();
}

// `*out` = the number at `object[key]`.
Status ReadNumber(const Json& object, const std::string& key, const std::string& what, double* out) {
  const Json& v = object[key];
  if (!v.is_number()) return absl::InvalidArgumentError(what + " must be a number, got " + v.dump());
  *out = v.get<double>();
  return absl::OkStatus();
}

// SmoothGradConfig {noiseSigma | featureNoiseSigma {noiseSigma: [{name, sigma}]}, noisySampleCount};
// replaces any earlier SmoothGrad setting as a whole.
Status ReadSmoothGrad(const Json& v, api::SmoothGradOptions* sg) {
  if (!v.is_object()) return absl::InvalidArgumentError("smoothGradConfig must be an object, got " + v.dump());
  *sg = api::SmoothGradOptions();
  sg->enabled = true;
  bool one_sigma = false;
  for (auto it = v.begin(); it != v.end(); ++it) {
    const std::string& k = it.key();
    if (k == "noiseSigma" || k == "noise_sigma") {
      XAI_RETURN_IF_ERROR(ReadNumber(v, k, "smoothGradConfig.noiseSigma", &sg->noise_sigma));
      one_sigma = true;
    } else if (k == "noisySampleCount" || k == "noisy_sample_count") {
      XAI_RETURN_IF_ERROR(ReadInteger(v, "noisySampleCount", "noisy_sample_count", &sg->noisy_sample_count));
    } else if (k == "featureNoiseSigma" || k == "feature_noise_sigma") {
      const Json& f = it.value();
      const Json* list = nullptr;
      for (auto jt = f.begin(); f.is_object() && jt != f.end(); ++jt) {
        if (jt.key() != "noiseSigma" && jt.key() != "noise_sigma") {
          return absl::InvalidArgumentError("unknown field '" + jt.key() +
                                            "' in smoothGradConfig.featureNoiseSigma; expected noiseSigma");
        }
        list = &jt.value();
      }
      if (!list || !list->is_array()) {
        return absl::InvalidArgumentError(
            "smoothGradConfig.featureNoiseSigma must be {\"noiseSigma\": [{\"name\": feature, \"sigma\": s}, ...]}, got " +
            f.dump());
      }
      for (const Json& e : *list) {
        if (!e.is_object() || !e.contains("name") || !e["name"].is_string()) {
          return absl::InvalidArgumentError("featureNoiseSigma.noiseSigma entries must be {\"name\": feature, "
                                            "\"sigma\": s}, got " + e.dump());
        }
        double sigma = 0.1;  // Vertex's default
        for (auto jt = e.begin(); jt != e.end(); ++jt) {
          if (jt.key() == "sigma") {
            XAI_RETURN_IF_ERROR(ReadNumber(e, "sigma", "featureNoiseSigma sigma", &sigma));
          } else if (jt.key() != "name") {
            return absl::InvalidArgumentError("unknown field '" + jt.key() +
                                              "' in a featureNoiseSigma entry; expected name, sigma");
          }
        }
        sg->feature_noise_sigma.emplace_back(e["name"].get<std::string>(), sigma);
      }
      if (sg->feature_noise_sigma.empty()) {
        return absl::InvalidArgumentError("smoothGradConfig.featureNoiseSigma lists no feature");
      }
    } else {
      return absl::InvalidArgumentError("unknown field '" + k +
                                        "' in smoothGradConfig; expected noiseSigma, featureNoiseSigma, "
                                        "noisySampleCount");
    }
  }
  if (one_sigma && !sg->feature_noise_sigma.empty()) {
    return absl::InvalidArgumentError(
        "smoothGradConfig has both noiseSigma and featureNoiseSigma; expected one of them (a oneof in Vertex)");
  }
  return absl::OkStatus();
}

// integratedGradientsAttribution / xraiAttribution: stepCount, smoothGradConfig, blurBaselineConfig.
Status ReadGradientMethod(const std::string& method, const Json& v, ExplainOptions* o) {
  if (!v.is_object()) return absl::InvalidArgumentError(method + " must be an object, got " + v.dump());
  for (auto it = v.begin(); it != v.end(); ++it) {
    const std::string& k = it.key();
    if (k == "stepCount" || k == "step_count") {
      XAI_RETURN_IF_ERROR(ReadInteger(v, "stepCount", "step_count", &o->step_count));
    } else if (k == "smoothGradConfig" || k == "smooth_grad_config") {
      XAI_RETURN_IF_ERROR(ReadSmoothGrad(it.value(), &o->smooth_grad));
    } else if (k == "blurBaselineConfig" || k == "blur_baseline_config") {
      const Json& b = it.value();
      if (!b.is_object()) return absl::InvalidArgumentError("blurBaselineConfig must be an object, got " + b.dump());
      o->max_blur_sigma = 0;
      for (auto jt = b.begin(); jt != b.end(); ++jt) {
        if (jt.key() != "maxBlurSigma" && jt.key() != "max_blur_sigma") {
          return absl::InvalidArgumentError("unknown field '" + jt.key() +
                                            "' in blurBaselineConfig; expected maxBlurSigma");
        }
        XAI_RETURN_IF_ERROR(ReadNumber(b, jt.key(), "blurBaselineConfig.maxBlurSigma", &o->max_blur_sigma));
      }
    } else {
      return absl::InvalidArgumentError("unknown field '" + k + "' in " + method +
                                        "; expected stepCount, smoothGradConfig, blurBaselineConfig");
    }
  }
  return absl::OkStatus();
}

Status ReadParameters(const Json& p, ExplainOptions* o) {
  if (!p.is_object()) return absl::InvalidArgumentError("explanation parameters must be an object, got " + p.dump());
  for (auto it = p.begin(); it != p.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    if (k == "integratedGradientsAttribution" || k == "integrated_gradients_attribution") {
      o->method = "integrated_gradients";
      XAI_RETURN_IF_ERROR(ReadGradientMethod(k, v, o));
    } else if (k == "sampledShapleyAttribution" || k == "sampled_shapley_attribution") {
      o->method = "sampled_shapley";
      XAI_RETURN_IF_ERROR(ReadInteger(v, "pathCount", "path_count", &o->path_count));
    } else if (k == "topK" || k == "top_k") {
      XAI_RETURN_IF_ERROR(ReadInteger(p, "topK", "top_k", &o->top_k));
    } else if (k == "outputIndices" || k == "output_indices") {
      o->output_indices.clear();
      for (const auto& e : v) {
        const Json& index = e.is_array() && !e.empty() ? e[0] : e;
        if (!index.is_number_integer()) {
          return absl::InvalidArgumentError("outputIndices must hold integers, got " + e.dump());
        }
        o->output_indices.push_back(index.get<int64_t>());
      }
    } else if (k == "xraiAttribution" || k == "xrai_attribution") {
      o->method = "xrai";
      XAI_RETURN_IF_ERROR(ReadGradientMethod(k, v, o));
    } else if (k == "examples") {
      return absl::UnimplementedError("explanation method '" + k + "' is not available in xai yet");
    } else {
      return absl::InvalidArgumentError("unknown field '" + k + "' in explanation parameters");
    }
  }
  return absl::OkStatus();
}

}  // namespace

Status ApplyExplanationSpec(const Json& spec, ExplainOptions* options, std::optional<ExplanationMetadata>* metadata) {
  if (!spec.is_object()) return absl::InvalidArgumentError("explanation spec must be a JSON object");
  if (!spec.contains("parameters") && !spec.contains("metadata")) return ReadParameters(spec, options);
  for (auto it = spec.begin(); it != spec.end(); ++it) {
    if (it.key() == "parameters") {
      XAI_RETURN_IF_ERROR(ReadParameters(it.value(), options));
    } else if (it.key() == "metadata") {
      XAI_ASSIGN_OR_RETURN(ExplanationMetadata md, ParseMetadata(it.value().dump(), MetadataFormat::kVertex));
      *metadata = std::move(md);
    } else {
      return absl::InvalidArgumentError("unknown field '" + it.key() + "' in the explanation spec");
    }
  }
  return absl::OkStatus();
}

}  // namespace xai
