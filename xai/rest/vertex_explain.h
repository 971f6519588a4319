// Vertex AI's :explain wire format, transport-free: request JSON → instances
// and options, ExplainResult → response JSON
// (../shared/reference/vertex_xai.md §3). No model runs here.
#ifndef XAI_REST_VERTEX_EXPLAIN_H_
#define XAI_REST_VERTEX_EXPLAIN_H_

#include <map>
#include <optional>
#include <string>

#include "xai/base/status.h"
#include "xai/explain.h"
#include "xai/metadata/metadata.h"
#include "xai/model/model.h"

namespace xai {

struct ExplainRequestBody {
  Json instances;  // the request's instances, as parsed
  api::ExplainOptions options;                  // the caller's, with explanationSpecOverride applied
  std::optional<ExplanationMetadata> metadata;  // the caller's, or the override's
};

// Parses {"instances": [...], "parameters"?, "explanationSpecOverride"?}:
// `options` and `metadata` are the defaults the override applies to.
// InvalidArgument for anything else, naming the field.
StatusOr<ExplainRequestBody> ParseExplainRequest(const std::string& body, api::ExplainOptions options,
                                                 std::optional<ExplanationMetadata> metadata);

// The instances as batched tensors for `signature` (the rules and messages
// of TF Serving's row format, as predict).
StatusOr<std::map<std::string, Tensor>> InstancesToTensors(const Json& instances, const MetaGraphInfo& meta_graph,
                                                           const std::string& signature);

// One featureAttributions value: a number, a nested list shaped like
// `values`, or {name: value} for bag encodings.
Json FeatureAttributionJson(const api::FeatureAttribution& attribution);

// {"explanations": [...], "predictions": ...} as `xai explain` prints it
// (2-space indent, newline at the end); predictions in TF Serving's number
// format, NaN and Infinity as its bare tokens.
StatusOr<std::string> FormatExplainResponse(const api::ExplainResult& result);

}  // namespace xai

#endif  // XAI_REST_VERTEX_EXPLAIN_H_
