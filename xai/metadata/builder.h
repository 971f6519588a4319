// Builds explanation metadata from a loaded model by reading its graph: picks
// the signature the explanation service would use, finds the differentiable
// feature tensors (after parsing, decoding and preprocessing), encoded
// tensors of categorical inputs, and the probability (or logit) output.
#ifndef XAI_METADATA_BUILDER_H_
#define XAI_METADATA_BUILDER_H_

#include <string>

#include "xai/metadata/metadata.h"
#include "xai/model/model.h"

namespace xai {

enum class OutputKind { kProbabilities, kLogits };

struct BuildOptions {
  std::string signature;  // empty: choose as Vertex does (ChooseSignature)
  OutputKind output = OutputKind::kProbabilities;
};

// Which signatures explanations use: `model_signature` is called with the
// feature tensors; `preprocess_signature` (may be empty) turns request
// instances into them first.
struct SignatureChoice {
  std::string model_signature;
  std::string preprocess_signature;
};

// xai_model (chained after xai_preprocess when both exist), else the only
// signature, else serving_default. An explicit `requested` key is used as
// is (no chaining). InvalidArgument listing the signatures when none of
// these applies; NotFound for an explicit unknown key.
StatusOr<SignatureChoice> ChooseSignature(const MetaGraphInfo& meta_graph, const std::string& requested);

// The metadata `xai explain` uses when the user gives none.
StatusOr<ExplanationMetadata> BuildMetadata(Model& model, const BuildOptions& options);

}  // namespace xai

#endif  // XAI_METADATA_BUILDER_H_
