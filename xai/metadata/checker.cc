#include "xai/metadata/checker.h"

#include <deque>
#include <set>

#include "absl/strings/str_join.h"
#include "xai/base/json_shape.h"
#include "xai/base/strings.h"
#include "xai/metadata/builder.h"

namespace xai {
namespace {

int OutputIndex(const std::string& tensor) { return std::stoi(tensor.substr(tensor.rfind(':') + 1)); }


std::vector<std::string> Candidates(const SignatureInfo& sig, const GraphView& graph, bool as_output) {
  std::vector<std::string> names;
  for (const auto& s : as_output ? sig.outputs : sig.inputs) names.push_back(s.key);
  for (const auto& n : graph.nodes) {
    for (size_t i = 0; i < n.output_dtypes.size(); ++i) names.push_back(n.name + ":" + std::to_string(i));
  }
  return names;
}

// True when `from` is an ancestor of (or equal to) `to` along data edges.
bool ComputedFrom(const GraphView& g, const std::string& from, const std::string& to) {
  std::string from_node = from.substr(0, from.rfind(':'));
  std::deque<const GraphNode*> queue{g.Producer(to)};
  std::set<const GraphNode*> seen;
  while (!queue.empty()) {
    const GraphNode* n = queue.front();
    queue.pop_front();
    if (!n || !seen.insert(n).second) continue;
    if (n->name == from_node) return true;
    for (const auto& in : n->inputs) queue.push_back(g.Producer(in));
  }
  return false;
}

// Per-instance shape: the tensor's shape without its batch dimension.
std::optional<std::vector<int64_t>> InstanceShape(const ResolvedTensor& t) {
  if (!t.shape || t.shape->empty()) return t.shape;
  return std::vector<int64_t>(t.shape->begin() + 1, t.shape->end());
}

void CheckBaselines(const std::string& where, const std::optional<Json>& baselines, const ResolvedTensor& t,
                    std::vector<std::string>* problems) {
  if (!baselines) return;
  auto shape = InstanceShape(t);
  for (size_t i = 0; i < baselines->size(); ++i) {
    const Json& b = (*baselines)[i];
    std::vector<int64_t> bshape = NestedListShape(b);
    if (shape && !Broadcasts(bshape, *shape)) {
      problems->push_back(where + "[" + std::to_string(i) + "] has shape " + ShapeString(bshape) +
                          ", which does not broadcast to the tensor's per-instance shape " + ShapeString(*shape) +
                          " (" + t.tensor + ")");
    }
  }
}

class Checker {
 public:
  Checker(Model& model, const SignatureInfo& sig, const GraphView& graph, CheckReport* report)
      : model_(model), sig_(sig), graph_(graph), report_(*report) {}

  std::optional<ResolvedTensor> Resolve(const std::string& where, const std::string& name, bool as_output) {
    StatusOr<ResolvedTensor> t = ResolveTensor(sig_, graph_, name, as_output);
    if (!t.ok()) {
      report_.problems.push_back(where + ": " + std::string(t.status().message()));
      return std::nullopt;
    }
    return *t;
  }

  void CheckInput(const std::string& key, const InputMetadata& in, const std::string& output_tensor) {
    std::string where = "inputs['" + key + "']";
    if (in.input_tensor_name.empty()) {
      report_.problems.push_back(where + " has no input_tensor_name");
      return;
    }
    auto input = Resolve(where + ".input_tensor_name", in.input_tensor_name, false);
    if (!input) return;
    CheckBaselines(where + ".input_baselines", in.input_baselines, *input, &report_.problems);
    if (in.input_baselines && in.encoded_baselines) {
      report_.problems.push_back(where + " sets both input_baselines and encoded_baselines; use one");
    }
    CheckSparse(where, in);
    CheckMapping(where, in, *input);
    std::optional<ResolvedTensor> feature = input;
    if (!in.encoded_tensor_name.empty()) {
      feature = Resolve(where + ".encoded_tensor_name", in.encoded_tensor_name, false);
      if (!feature) return;
      if (!ComputedFrom(graph_, input->tensor, feature->tensor)) {
        report_.problems.push_back(where + ".encoded_tensor_name '" + in.encoded_tensor_name +
                                   "' is not computed from its input '" + in.input_tensor_name + "'");
      }
      CheckBaselines(where + ".encoded_baselines", in.encoded_baselines, *feature, &report_.problems);
    } else if (in.encoding == "COMBINED_EMBEDDING" || in.encoding == "CONCAT_EMBEDDING") {
      report_.problems.push_back(where + " has encoding " + in.encoding + " but no encoded_tensor_name");
    }
    if (report_.method == "sampled_shapley") return;
    if (report_.method == "xrai" && in.modality != "image") {
      report_.problems.push_back(where + " has modality '" + (in.modality.empty() ? "numeric" : in.modality) +
                                 "'; xrai explains image inputs only");
    }
    CheckDifferentiable(where, in, *feature, output_tensor);
  }

  void CheckDifferentiable(const std::string& where, const InputMetadata& in, const ResolvedTensor& feature,
                           const std::string& output_tensor) {
    if (!IsFloatDType(feature.dtype)) {
      report_.problems.push_back(where + ": tensor '" + feature.tensor + "' is " + DTypeName(feature.dtype) + "; " +
                                 report_.method + " needs a float tensor: set encoded_tensor_name to its " +
                                 "differentiable encoding (e.g. the one-hot or embedding output), or use sampled_shapley");
      return;
    }
    Status path = model_.CheckGradientPath(sig_.key, feature.tensor, output_tensor);
    if (!path.ok()) {
      report_.problems.push_back(where + ": " + std::string(path.message()) + "; " +
                                 (in.encoded_tensor_name.empty() ? "set encoded_tensor_name to a tensor after it, or "
                                                                 : "") +
                                 "use sampled_shapley");
    }
  }

  void CheckSparse(const std::string& where, const InputMetadata& in) {
    if (in.indices_tensor_name.empty() != in.dense_shape_tensor_name.empty()) {
      report_.problems.push_back(where + " must set both indices_tensor_name and dense_shape_tensor_name, or neither");
    }
    if (!in.indices_tensor_name.empty()) Resolve(where + ".indices_tensor_name", in.indices_tensor_name, false);
    if (!in.dense_shape_tensor_name.empty()) {
      Resolve(where + ".dense_shape_tensor_name", in.dense_shape_tensor_name, false);
    }
  }

  void CheckMapping(const std::string& where, const InputMetadata& in, const ResolvedTensor& input) {
    bool needs = in.encoding == "BAG_OF_FEATURES" || in.encoding == "BAG_OF_FEATURES_SPARSE" ||
                 in.encoding == "INDICATOR";
    if (needs && in.index_feature_mapping.empty()) {
      report_.problems.push_back(where + " has encoding " + in.encoding + " but no index_feature_mapping");
    }
    auto shape = InstanceShape(input);
    if (needs && shape && !shape->empty() && shape->back() >= 0 &&
        static_cast<int64_t>(in.index_feature_mapping.size()) != shape->back() && !in.index_feature_mapping.empty()) {
      report_.problems.push_back(where + ".index_feature_mapping names " +
                                 std::to_string(in.index_feature_mapping.size()) + " features but the tensor has " +
                                 std::to_string(shape->back()));
    }
  }

 private:
  Model& model_;
  const SignatureInfo& sig_;
  const GraphView& graph_;
  CheckReport& report_;
};

}  // namespace

bool Broadcasts(const std::vector<int64_t>& from, const std::vector<int64_t>& to) {
  if (from.size() > to.size()) return false;
  for (size_t i = 0; i < from.size(); ++i) {
    int64_t f = from[from.size() - 1 - i], t = to[to.size() - 1 - i];
    if (f != 1 && t >= 0 && f != t) return false;
  }
  return true;
}

StatusOr<ResolvedTensor> ResolveTensor(const SignatureInfo& sig, const GraphView& graph, const std::string& name,
                                       bool as_output) {
  const TensorSpec* spec = as_output ? sig.FindOutput(name) : sig.FindInput(name);
  ResolvedTensor t;
  if (spec) {
    t.tensor = CanonicalTensorName(spec->name);
    t.dtype = spec->dtype;
    if (!spec->unknown_rank) t.shape = spec->shape;
    return t;
  }
  t.tensor = CanonicalTensorName(name);
  const GraphNode* node = graph.Producer(t.tensor);
  int index = node ? OutputIndex(t.tensor) : -1;
  if (!node || index >= static_cast<int>(node->output_dtypes.size())) {
    return absl::NotFoundError("'" + name + "' is neither " + (as_output ? "an output" : "an input") +
                               " of signature '" + sig.key + "' nor a tensor of its graph" +
                               DidYouMean(name, Candidates(sig, graph, as_output)));
  }
  t.dtype = node->output_dtypes[index];
  t.shape = node->output_shapes[index];
  return t;
}

StatusOr<CheckReport> CheckMetadata(Model& model, const ExplanationMetadata& md, const CheckOptions& options) {
  CheckReport report;
  report.method = options.method.empty() ? "integrated_gradients" : options.method;
  XAI_ASSIGN_OR_RETURN(SignatureChoice choice, ChooseSignature(model.meta_graph(), options.signature));
  report.signature = choice.model_signature;
  XAI_ASSIGN_OR_RETURN(const SignatureInfo* sig, model.meta_graph().FindSignature(choice.model_signature));
  XAI_ASSIGN_OR_RETURN(const GraphView* graph, model.SignatureGraph(sig->key));
  Checker checker(model, *sig, *graph, &report);
  std::string output_tensor;
  if (md.output.output_tensor_name.empty()) {
    report.problems.push_back("outputs['" + md.output_name + "'] has no output_tensor_name");
  } else if (auto out = checker.Resolve("outputs['" + md.output_name + "'].output_tensor_name",
                                        md.output.output_tensor_name, true)) {
    output_tensor = out->tensor;
    if (!IsFloatDType(out->dtype)) {
      report.problems.push_back("outputs['" + md.output_name + "']: tensor '" + out->tensor + "' is " +
                                DTypeName(out->dtype) + "; explain a float output (probabilities or logits)");
      output_tensor.clear();
    }
  }
  if (md.inputs.empty()) report.problems.push_back("metadata has no inputs");
  for (const auto& [key, in] : md.inputs) {
    if (output_tensor.empty() && report.method != "sampled_shapley") {
      // Without a usable output, only the tensor checks can run.
      CheckReport scratch = report;
      Checker partial(model, *sig, *graph, &scratch);
      partial.CheckInput(key, in, "");
      for (size_t i = report.problems.size(); i < scratch.problems.size(); ++i) {
        if (scratch.problems[i].find("differentiable") == std::string::npos) report.problems.push_back(scratch.problems[i]);
      }
      continue;
    }
    checker.CheckInput(key, in, output_tensor);
  }
  return report;
}

std::string FormatReport(const CheckReport& report) {
  std::string head = "signature '" + report.signature + "', method " + report.method;
  if (report.problems.empty()) return "metadata check: OK (" + head + ")\n";
  std::string out = "metadata check: " + std::to_string(report.problems.size()) + " problem" +
                    (report.problems.size() == 1 ? "" : "s") + " (" + head + ")\n";
  for (const auto& p : report.problems) out += "  - " + p + "\n";
  return out;
}

}  // namespace xai
