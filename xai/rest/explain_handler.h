// Vertex :explain on a served model, transport-free: request body in,
// response body out (plus the pipeline's run, for pictures). What `xai
// explain`, `xai serve` and the public API's ExplainJson all call.
#ifndef XAI_REST_EXPLAIN_HANDLER_H_
#define XAI_REST_EXPLAIN_HANDLER_H_

#include <memory>
#include <optional>
#include <string>

#include "xai/base/status.h"
#include "xai/explain/explain.h"
#include "xai/registry/registry.h"

namespace xai {

struct ExplainExchange {
  std::optional<ExplanationMetadata> metadata;  // the caller's or the request's (else the model's built one)
  const ExplanationMetadata* used = nullptr;    // the metadata explained with
  api::ExplainOptions options;                  // after the request's explanationSpecOverride
  ExplainRun run;                               // points into `*used`
  std::string response;                         // the :explain response JSON
};

// Parses `body` (options and metadata: the defaults its override applies
// to; no metadata: the model's built metadata), explains, formats.
// Thread-safe for concurrent calls on one model.
StatusOr<std::unique_ptr<ExplainExchange>> HandleExplain(ServedModel& model, const std::string& body,
                                                         const api::ExplainOptions& options,
                                                         std::optional<ExplanationMetadata> metadata);

}  // namespace xai

#endif  // XAI_REST_EXPLAIN_HANDLER_H_
