#include "xai/rest/vertex_explain.h"

#include <functional>

#include "xai/base/json_limits.h"
#include "xai/base/json_util.h"
#include "xai/rest/explain_spec.h"
#include "xai/rest/predict_json.h"

namespace xai {
namespace {

// Replaces the quoted markers QuoteNonFiniteTokens left in a dumped document
// by TF Serving's bare tokens.
std::string UnquoteNonFinite(std::string text) {
  for (const char* token : {"NaN", "Infinity", "-Infinity"}) {
    const std::string quoted = std::string("\"__xai_") + token + "__\"";
    for (size_t at = text.find(quoted); at != std::string::npos; at = text.find(quoted, at)) {
      text.replace(at, quoted.size(), token);
      at += std::char_traits<char>::length(token);
    }
  }
  return text;
}

Json AttributionEntryJson(const api::OutputAttribution& a, bool with_errors) {
  Json features = Json::object();
  for (const auto& f : a.features) features[f.name] = FeatureAttributionJson(f);
  Json entry = {{"baselineOutputValue", a.baseline_output},
                {"instanceOutputValue", a.instance_output},
                {"featureAttributions", features},
                {"outputIndex", Json::array({a.output_index})},
                {"approximationError", a.approximation_error},
                {"outputName", a.output_name}};
  if (a.output_display_name) entry["outputDisplayName"] = *a.output_display_name;
  if (with_errors) {
    Json errors = Json::object();
    for (const auto& f : a.standard_errors) errors[f.name] = FeatureAttributionJson(f);
    entry["xaiStandardErrors"] = errors;
  }
  return entry;
}

}  // namespace

StatusOr<ExplainRequestBody> ParseExplainRequest(const std::string& body, api::ExplainOptions options,
                                                 std::optional<ExplanationMetadata> metadata) {
  XAI_RETURN_IF_ERROR(CheckJsonDepth(body, "the :explain request"));
  Json request = Json::parse(QuoteNonFiniteTokens(body), nullptr, false);  // overflow (1e400): discarded
  if (request.is_discarded() || !request.is_object()) {
    return absl::InvalidArgumentError("the :explain request must be a JSON object with \"instances\"");
  }
  for (auto it = request.begin(); it != request.end(); ++it) {
    if (it.key() == "explanationSpecOverride" || it.key() == "explanation_spec_override") {
      XAI_RETURN_IF_ERROR(ApplyExplanationSpec(it.value(), &options, &metadata));
    } else if (it.key() != "instances" && it.key() != "parameters") {
      return absl::InvalidArgumentError("unknown field '" + it.key() +
                                        "' in the :explain request; expected instances, parameters, "
                                        "explanationSpecOverride");
    }
  }
  if (!request.contains("instances")) return absl::InvalidArgumentError("the :explain request has no \"instances\"");
  return ExplainRequestBody{std::move(request["instances"]), std::move(options), std::move(metadata)};
}

StatusOr<std::map<std::string, Tensor>> InstancesToTensors(const Json& instances, const MetaGraphInfo& meta_graph,
                                                           const std::string& signature) {
  nlohmann::json body = {{"signature_name", signature}, {"instances", nlohmann::json(instances)}};
  XAI_ASSIGN_OR_RETURN(PredictRequest request, ParsePredictDocument(body, meta_graph, signature));
  return std::move(request.inputs);
}

Json FeatureAttributionJson(const api::FeatureAttribution& attribution) {
  const Tensor& t = attribution.values;
  const double* v = t.data<double>();
  if (!attribution.element_names.empty()) {
    Json named = Json::object();
    for (size_t e = 0; e < attribution.element_names.size(); ++e) named[attribution.element_names[e]] = v[e];
    return named;
  }
  std::function<Json(size_t, int64_t*)> nest = [&](size_t level, int64_t* next) -> Json {
    if (level == t.shape().size()) return v[(*next)++];
    Json arr = Json::array();
    for (int64_t k = 0; k < t.shape()[level]; ++k) arr.push_back(nest(level + 1, next));
    return arr;
  };
  int64_t next = 0;
  return nest(0, &next);
}

StatusOr<std::string> FormatExplainResponse(const api::ExplainResult& result) {
  Json explanations = Json::array();
  for (const auto& e : result.explanations) {
    Json attributions = Json::array();
    for (const auto& a : e.attributions) attributions.push_back(AttributionEntryJson(a, !a.standard_errors.empty()));
    explanations.push_back({{"attributions", attributions}});
  }
  XAI_ASSIGN_OR_RETURN(std::string predict_text, FormatPredictResponse(RequestFormat::kRow, result.predictions));
  Json response = {{"explanations", explanations},
                   {"predictions", Json::parse(QuoteNonFiniteTokens(predict_text))["predictions"]}};
  return UnquoteNonFinite(response.dump(2)) + "\n";
}

}  // namespace xai
