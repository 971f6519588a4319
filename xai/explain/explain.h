// The explain pipeline on tensors: instances (batched tensors) + explanation
// metadata + options → attributions (include/xai/explain.h's result). No
// JSON wire format, no files, no stderr: notes come back in the result, and
// pictures are drawn from it by visualize/. Vertex's :explain JSON is
// rest/vertex_explain.h. Facts: ../shared/reference/vertex_xai.md §3.
#ifndef XAI_EXPLAIN_EXPLAIN_H_
#define XAI_EXPLAIN_EXPLAIN_H_

#include <map>
#include <string>
#include <vector>

#include "xai/base/status.h"
#include "xai/explain.h"
#include "xai/metadata/metadata.h"
#include "xai/model/model.h"

namespace xai {

using api::ExplainOptions;
using api::ExplainResult;
using api::FeatureAttribution;
using api::OutputAttribution;

// Ranges (Vertex's: step_count 1–100, path_count 1–50, noisy_sample_count
// 1–50), known method, quadrature and xrai algorithm, top_k, output_indices
// >= 0, memory budget > 0, and the SmoothGrad / blur / target_error settings
// only with gradient methods. InvalidArgument naming the setting.
Status ValidateExplainOptions(const ExplainOptions& options);

// The signature the instances are given to: the preprocessing signature
// when xai_preprocess is chained before xai_model, else the explained one.
StatusOr<std::string> ExplainInputSignature(const MetaGraphInfo& meta_graph, const ExplainOptions& options);

// An explanation with what pictures need beside the result.
struct ExplainRun {
  ExplainResult result;
  struct Feature {
    std::string key;               // metadata input key
    const InputMetadata* md = nullptr;  // points into the metadata passed to Explain
    Tensor value;                  // [N, ...] the attributed tensor's values
    std::vector<Tensor> attributions;  // per explained rank, [N, ...] float32 like value
    // per rank, per instance: this input's attribution as the response
    // shows it before groups are summed
    std::vector<std::vector<FeatureAttribution>> shown;
  };
  std::vector<Feature> features;   // metadata order
  std::vector<std::vector<int64_t>> output_index;  // [rank][instance]
};

// Explains `inputs` (batched, keyed by the input keys of
// ExplainInputSignature) with `metadata` (it must outlive the result's
// Feature::md). Validates the options first. Thread-safe for concurrent
// calls on one model (the model is).
StatusOr<ExplainRun> Explain(Model& model, const std::map<std::string, Tensor>& inputs,
                             const ExplanationMetadata& metadata, const ExplainOptions& options);

}  // namespace xai

#endif  // XAI_EXPLAIN_EXPLAIN_H_
