#include "xai/metadata/builder.h"

#include <deque>
#include <set>

#include "absl/strings/str_join.h"

namespace xai {
namespace {

constexpr char kInitOp[] = "__saved_model_init_op";


int OutputIndex(const std::string& tensor) {
  size_t colon = tensor.rfind(':');
  return colon == std::string::npos ? 0 : std::stoi(tensor.substr(colon + 1));
}

std::optional<std::vector<int64_t>> TensorShape(const GraphView& g, const std::string& tensor) {
  const GraphNode* n = g.Producer(tensor);
  int i = OutputIndex(tensor);
  return n && i < static_cast<int>(n->output_shapes.size()) ? n->output_shapes[i] : std::nullopt;
}

bool IsImageShape(const std::optional<std::vector<int64_t>>& shape) {
  return shape && shape->size() == 4 && ((*shape)[3] == 1 || (*shape)[3] == 3 || (*shape)[3] == 4);
}

// True when no Placeholder feeds `tensor` (constants, variables, their reads).
bool IsConstantLike(const GraphView& g, const std::string& tensor) {
  std::deque<const GraphNode*> queue{g.Producer(tensor)};
  std::set<const GraphNode*> seen;
  while (!queue.empty()) {
    const GraphNode* n = queue.front();
    queue.pop_front();
    if (!n || !seen.insert(n).second) continue;
    if (n->op == "Placeholder" || n->op == "_Arg") return false;
    for (const auto& in : n->inputs) queue.push_back(g.Producer(in));
  }
  return true;
}

// Follows elementwise ops with constant operands (normalization, scaling)
// from `tensor`; returns the last tensor after at least one such op, or
// `tensor` itself when there is none.
std::string AfterPreprocessing(const GraphView& g, std::string tensor) {
  static const std::set<std::string> kElementwise = {"Sub", "Mul", "RealDiv", "Div", "Add", "AddV2",
                                                     "Maximum", "Minimum", "Identity"};
  std::string best = tensor;
  for (int steps = 0; steps < 64; ++steps) {
    auto consumers = g.Consumers(tensor);
    if (consumers.size() != 1 || !kElementwise.count(consumers[0].first->op)) break;
    const GraphNode* op = consumers[0].first;
    bool others_constant = true;
    for (size_t i = 0; i < op->inputs.size(); ++i) {
      if (static_cast<int>(i) != consumers[0].second && !IsConstantLike(g, op->inputs[i])) others_constant = false;
    }
    if (!others_constant || !IsFloatDType(op->output_dtypes[0])) break;
    tensor = op->name + ":0";
    if (op->op != "Identity") best = tensor;
  }
  return best;
}

// First float tensor reached forward from `tensor` (breadth first): the decoded
// image, the one-hot or embedding of a categorical input.
std::string FirstFloatDownstream(const GraphView& g, const std::string& tensor) {
  std::deque<std::string> queue{tensor};
  std::set<std::string> seen{tensor};
  while (!queue.empty()) {
    std::string t = queue.front();
    queue.pop_front();
    for (const auto& [node, pos] : g.Consumers(t)) {
      for (size_t i = 0; i < node->output_dtypes.size(); ++i) {
        std::string out = node->name + ":" + std::to_string(i);
        if (IsFloatDType(node->output_dtypes[i]) && node->op != "Shape") return out;
        if (seen.insert(out).second) queue.push_back(out);
      }
    }
  }
  return "";
}

// Skips Identity-like ops backwards.
const GraphNode* RealProducer(const GraphView& g, std::string tensor) {
  const GraphNode* n = g.Producer(tensor);
  while (n && (n->op == "Identity" || n->op == "IdentityN") && !n->inputs.empty()) {
    tensor = n->inputs[n->op == "IdentityN" ? OutputIndex(tensor) : 0];
    n = g.Producer(tensor);
  }
  return n;
}

const GraphNode* FindParseOp(const GraphView& g, const std::string& tensor) {
  std::deque<std::string> queue{tensor};
  for (int steps = 0; !queue.empty() && steps < 16; ++steps) {
    std::string t = queue.front();
    queue.pop_front();
    for (const auto& [node, pos] : g.Consumers(t)) {
      if (node->op == "ParseExample" || node->op == "ParseExampleV2") return node;
      if (node->op == "Identity" || node->op == "Reshape") queue.push_back(node->name + ":0");
    }
  }
  return nullptr;
}

std::vector<std::string> ConstStrings(const GraphView& g, const std::string& tensor) {
  const GraphNode* n = RealProducer(g, tensor);
  return n && n->op == "Const" ? n->string_values : std::vector<std::string>{};
}

// Features of a ParseExample(V2) op: dense → its value tensor (after any
// preprocessing); sparse → values with indices and dense shape.
Status AddParsedFeatures(const GraphView& g, const GraphNode& parse, std::map<std::string, InputMetadata>* inputs) {
  std::vector<std::string> sparse_keys, dense_keys;
  if (parse.op == "ParseExampleV2") {
    sparse_keys = ConstStrings(g, parse.inputs.at(2));
    dense_keys = ConstStrings(g, parse.inputs.at(3));
  } else {
    int64_t ns = parse.int_attrs.count("Nsparse") ? parse.int_attrs.at("Nsparse") : 0;
    int64_t nd = parse.int_attrs.count("Ndense") ? parse.int_attrs.at("Ndense") : 0;
    for (int64_t i = 0; i < ns; ++i) sparse_keys.push_back(ConstStrings(g, parse.inputs.at(2 + i)).at(0));
    for (int64_t i = 0; i < nd; ++i) dense_keys.push_back(ConstStrings(g, parse.inputs.at(2 + ns + i)).at(0));
  }
  size_t ns = sparse_keys.size();
  auto out = [&](size_t i) { return parse.name + ":" + std::to_string(i); };
  for (size_t i = 0; i < dense_keys.size(); ++i) {
    InputMetadata in;
    in.input_tensor_name = AfterPreprocessing(g, out(3 * ns + i));
    in.modality = IsImageShape(TensorShape(g, in.input_tensor_name)) ? "image" : "numeric";
    (*inputs)[dense_keys[i]] = in;
  }
  for (size_t i = 0; i < ns; ++i) {
    InputMetadata in;
    in.input_tensor_name = out(ns + i);
    in.indices_tensor_name = out(i);
    in.dense_shape_tensor_name = out(2 * ns + i);
    in.modality = "numeric";
    (*inputs)[sparse_keys[i]] = in;
  }
  if (dense_keys.empty() && sparse_keys.empty()) {
    return absl::FailedPreconditionError("could not read the feature keys of '" + parse.name + "'");
  }
  return absl::OkStatus();
}

// Metadata for one signature input (tensor names: `key` stands for the
// signature's own tensor, flat graph names for anything inside it).
Status AddInput(const GraphView& g, const TensorSpec& spec, const std::string& key,
                std::map<std::string, InputMetadata>* inputs) {
  std::string tensor = CanonicalTensorName(spec.name);
  if (spec.dtype == DType::kString) {
    if (const GraphNode* parse = FindParseOp(g, tensor)) return AddParsedFeatures(g, *parse, inputs);
  }
  InputMetadata in;
  in.input_tensor_name = key;
  in.modality = "numeric";
  if (IsFloatDType(spec.dtype)) {
    std::string after = AfterPreprocessing(g, tensor);
    if (after != tensor) in.input_tensor_name = after;
    if (IsImageShape(TensorShape(g, after))) in.modality = "image";
  } else if (spec.dtype == DType::kString || IsIntegerDType(spec.dtype) || spec.dtype == DType::kBool) {
    std::string encoded = FirstFloatDownstream(g, tensor);
    if (encoded.empty()) {
      in.modality = "categorical";  // no float tensor follows: Sampled Shapley only
    } else if (IsImageShape(TensorShape(g, encoded))) {
      in.input_tensor_name = encoded;  // decoded image
      in.modality = "image";
    } else {
      in.encoded_tensor_name = encoded;
      in.modality = "categorical";
      auto in_shape = TensorShape(g, tensor);
      auto enc_shape = TensorShape(g, encoded);
      bool per_element = in_shape && enc_shape && in_shape->size() >= 2 && enc_shape->size() == in_shape->size() + 1;
      in.encoding = per_element ? "CONCAT_EMBEDDING" : "COMBINED_EMBEDDING";
    }
  }
  (*inputs)[spec.key] = in;
  return absl::OkStatus();
}

bool IsActivation(const GraphNode* n) { return n && (n->op == "Softmax" || n->op == "Sigmoid"); }

// Chooses the output to explain: a float output produced by Softmax/Sigmoid
// when there is one, else the first float output; class ids and strings never.
Status AddOutput(const GraphView& g, const SignatureInfo& sig, bool use_keys, OutputKind kind,
                 ExplanationMetadata* md) {
  int chosen = -1;
  for (size_t k = 0; k < sig.outputs.size(); ++k) {
    if (!IsFloatDType(sig.outputs[k].dtype)) continue;
    const GraphNode* p = RealProducer(g, "xai_y_" + std::to_string(k) + ":0");
    if (IsActivation(p)) {
      chosen = static_cast<int>(k);
      break;
    }
    if (chosen < 0) chosen = static_cast<int>(k);
  }
  if (chosen < 0) {
    return absl::FailedPreconditionError("signature '" + sig.key + "' has no float output to explain");
  }
  const TensorSpec& out = sig.outputs[chosen];
  md->output_name = out.key;
  md->output.output_tensor_name = use_keys ? out.key : out.name;
  if (kind == OutputKind::kProbabilities) return absl::OkStatus();
  const GraphNode* act = RealProducer(g, "xai_y_" + std::to_string(chosen) + ":0");
  if (!IsActivation(act)) {
    return absl::FailedPreconditionError("output '" + out.key + "' is not computed by Softmax or Sigmoid (it comes from " +
                                         (act ? act->op : std::string("?")) + "), so it has no separate logits");
  }
  std::string logits = act->inputs.at(0);
  md->output_name = "logits";
  md->output.output_tensor_name = logits;
  for (size_t k = 0; k < sig.outputs.size(); ++k) {  // a signature output that is the logits
    const GraphNode* p = RealProducer(g, "xai_y_" + std::to_string(k) + ":0");
    if (p && RealProducer(g, logits) == p) {
      md->output_name = sig.outputs[k].key;
      md->output.output_tensor_name = use_keys ? sig.outputs[k].key : sig.outputs[k].name;
    }
  }
  return absl::OkStatus();
}

std::vector<std::string> UserSignatures(const MetaGraphInfo& mg) {
  std::vector<std::string> keys;
  for (const auto& s : mg.signatures) {
    if (s.key != kInitOp) keys.push_back(s.key);
  }
  return keys;
}

}  // namespace

StatusOr<SignatureChoice> ChooseSignature(const MetaGraphInfo& mg, const std::string& requested) {
  std::vector<std::string> keys = UserSignatures(mg);
  auto has = [&](const std::string& k) { return std::find(keys.begin(), keys.end(), k) != keys.end(); };
  SignatureChoice choice;
  if (!requested.empty()) {
    XAI_RETURN_IF_ERROR(mg.FindSignature(requested).status());
    choice.model_signature = requested;  // instances are for this signature: no chaining
    return choice;
  }
  if (has("xai_model")) {
    choice.model_signature = "xai_model";
    if (has("xai_preprocess")) choice.preprocess_signature = "xai_preprocess";
  } else if (keys.size() == 1) {
    choice.model_signature = keys[0];
  } else if (has("serving_default")) {
    choice.model_signature = "serving_default";
  } else {
    return absl::InvalidArgumentError("cannot choose a signature to explain: no xai_model or serving_default among " +
                                      absl::StrJoin(keys, ", ") + "; pass --signature_def");
  }
  return choice;
}

StatusOr<ExplanationMetadata> BuildMetadata(Model& model, const BuildOptions& options) {
  const MetaGraphInfo& mg = model.meta_graph();
  XAI_ASSIGN_OR_RETURN(SignatureChoice choice, ChooseSignature(mg, options.signature));
  XAI_ASSIGN_OR_RETURN(const SignatureInfo* sig, mg.FindSignature(choice.model_signature));
  XAI_ASSIGN_OR_RETURN(const GraphView* graph, model.SignatureGraph(sig->key));
  // TF2 signatures are addressed by their keys (as Vertex and the
  // explainable-ai-sdk do); TF1 graphs by tensor names.
  bool use_keys = mg.has_object_graph;
  ExplanationMetadata md;
  for (const auto& spec : sig->inputs) {
    XAI_RETURN_IF_ERROR(AddInput(*graph, spec, use_keys ? spec.key : CanonicalTensorName(spec.name), &md.inputs));
  }
  XAI_RETURN_IF_ERROR(AddOutput(*graph, *sig, use_keys, options.output, &md));
  md.legacy_top["framework"] = use_keys ? "tensorflow2" : "tensorflow";
  md.legacy_top["tags"] = Json::array({"xai"});
  if (!options.signature.empty() || choice.model_signature != "serving_default") {
    md.legacy_top["serving_sigdef_key"] = choice.model_signature;
  }
  return md;
}

}  // namespace xai
