// Checks explanation metadata against a loaded model: every tensor exists,
// dtypes and shapes fit, baselines broadcast, encodings are computed from
// their inputs, and gradient methods have a differentiable path.
#ifndef XAI_METADATA_CHECKER_H_
#define XAI_METADATA_CHECKER_H_

#include <string>
#include <vector>

#include "xai/metadata/metadata.h"
#include "xai/model/model.h"

namespace xai {

struct CheckOptions {
  std::string signature;  // empty: chosen as Vertex does
  std::string method;     // integrated_gradients | sampled_shapley | xrai; empty = integrated_gradients
};

struct CheckReport {
  std::string signature;
  std::string method;
  std::vector<std::string> problems;  // one readable sentence each; empty = fine
};

// A name in metadata: a signature input/output key, else a tensor of the
// signature's flattened graph ("node:index"; ":0" may be omitted).
struct ResolvedTensor {
  std::string tensor;  // flat graph tensor name
  DType dtype = DType::kInvalid;
  std::optional<std::vector<int64_t>> shape;
};

// Resolution used by check and explain. NotFound with close suggestions.
StatusOr<ResolvedTensor> ResolveTensor(const SignatureInfo& sig, const GraphView& graph, const std::string& name,
                                       bool as_output);

// Runs every check; problems go into the report, errors only for a model or
// signature that cannot be used at all.
StatusOr<CheckReport> CheckMetadata(Model& model, const ExplanationMetadata& metadata, const CheckOptions& options);

// "metadata check: OK ..." or the list of problems, one per line.
std::string FormatReport(const CheckReport& report);

// numpy broadcasting of `from` to `to` (-1 in `to` matches anything).
bool Broadcasts(const std::vector<int64_t>& from, const std::vector<int64_t>& to);

}  // namespace xai

#endif  // XAI_METADATA_CHECKER_H_
