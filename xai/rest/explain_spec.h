// Vertex's ExplanationSpec / ExplanationParameters JSON → explanation options.
#ifndef XAI_REST_EXPLAIN_SPEC_H_
#define XAI_REST_EXPLAIN_SPEC_H_

#include <optional>

#include "xai/base/status.h"
#include "xai/explain.h"
#include "xai/metadata/metadata.h"

namespace xai {

// Reads an ExplanationSpec / ExplanationParameters JSON ({"parameters": {...},
// "metadata": {...}} or the parameters object itself) into `options`, and
// the metadata into `metadata` when present. Unknown keys, wrong types and
// integers out of range are InvalidArgument naming them.
Status ApplyExplanationSpec(const Json& spec, api::ExplainOptions* options,
                            std::optional<ExplanationMetadata>* metadata);

}  // namespace xai

#endif  // XAI_REST_EXPLAIN_SPEC_H_
