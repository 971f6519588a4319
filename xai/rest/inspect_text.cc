#include "xai/rest/inspect_text.h"

#include <algorithm>

#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"

namespace xai {
namespace {

std::string Indent(int level) { return std::string(level * 2, ' '); }

// Python repr of the joined tag string, as in "%r" % ', '.join(tags).
std::string PyRepr(const std::string& s) {
  bool single = s.find('\'') != std::string::npos, dbl = s.find('"') != std::string::npos;
  char q = (single && !dbl) ? '"' : '\'';
  std::string out(1, q);
  for (char c : s) {
    if (c == '\\' || c == q) out += '\\';
    out += c;
  }
  return out + q;
}

std::string ShapeText(const TensorSpec& spec) {
  if (spec.unknown_rank) return "unknown_rank";
  std::vector<std::string> dims;
  for (int64_t d : spec.shape) dims.push_back(std::to_string(d));
  return "(" + absl::StrJoin(dims, ", ") + ")";
}

void AppendTensor(const TensorSpec& spec, int indent, std::string* out) {
  std::string pad = Indent(indent);
  *out += pad + "    dtype: " + spec.dtype_enum + "\n";
  *out += pad + "    shape: " + ShapeText(spec) + "\n";
  *out += pad + "    name: " + spec.name + "\n";
}

void AppendSignature(const SignatureInfo& sig, int indent, std::string* out) {
  std::string pad = Indent(indent);
  *out += pad + "The given SavedModel SignatureDef contains the following input(s):\n";
  for (const auto& in : sig.inputs) {
    *out += pad + "  inputs['" + in.key + "'] tensor_info:\n";
    AppendTensor(in, indent + 1, out);
  }
  *out += pad + "The given SavedModel SignatureDef contains the following output(s):\n";
  for (const auto& o : sig.outputs) {
    *out += pad + "  outputs['" + o.key + "'] tensor_info:\n";
    AppendTensor(o, indent + 1, out);
  }
  *out += pad + "Method name is: " + sig.method_name + "\n";
}

std::string PyList(const std::vector<std::string>& items) {
  std::vector<std::string> quoted;
  for (const auto& s : items) quoted.push_back(PyRepr(s));
  return "[" + absl::StrJoin(quoted, ", ") + "]";
}

void AppendOps(const MetaGraphInfo& mg, std::string* out) {
  std::vector<std::string> quoted;
  for (const auto& op : mg.op_types) quoted.push_back(PyRepr(op));
  *out += "The MetaGraph with tag set " + PyList(mg.tags) + " contains the following ops: {" +
          absl::StrJoin(quoted, ", ") + "}\n";
}

void AppendFunctions(const SavedModelInfo& info, std::string* out) {
  const MetaGraphInfo* with_graph = nullptr;
  for (const auto& mg : info.meta_graphs) {
    if (mg.has_object_graph) with_graph = &mg;
  }
  if (!with_graph) return;
  *out += "\nConcrete Functions:";
  for (const auto& fn : with_graph->functions) {
    *out += "\n  Function Name: '" + fn.name + "'\n";
    for (size_t i = 0; i < fn.options.size(); ++i) {
      const auto& args = fn.options[i];
      bool has_positional = std::any_of(args.begin(), args.end(), [](const auto& a) { return !a.named; });
      if (has_positional) *out += "    Option #" + std::to_string(i + 1) + "\n      Callable with:\n";
      int positional = 0, named = 0;
      for (const auto& arg : args) {
        *out += arg.named ? "        Named Argument #" + std::to_string(++named) + "\n"
                          : "        Argument #" + std::to_string(++positional) + "\n";
        for (const auto& line : arg.lines) *out += "          " + line + "\n";
      }
    }
  }
}

std::string ShowAll(const SavedModelInfo& info) {
  std::vector<const MetaGraphInfo*> graphs;
  for (const auto& mg : info.meta_graphs) graphs.push_back(&mg);
  std::stable_sort(graphs.begin(), graphs.end(),
                   [](const MetaGraphInfo* a, const MetaGraphInfo* b) { return a->tags < b->tags; });
  std::string out;
  for (const MetaGraphInfo* mg : graphs) {
    out += "\nMetaGraphDef with tag-set: '" + absl::StrJoin(mg->tags, ", ") +
           "' contains the following SignatureDefs:\n";
    for (const auto& sig : mg->signatures) {
      out += "\nsignature_def['" + sig.key + "']:\n";
      AppendSignature(sig, 1, &out);
    }
    AppendOps(*mg, &out);
  }
  AppendFunctions(info, &out);
  return out;
}

std::string ShowTagSets(const SavedModelInfo& info) {
  std::string out = "The given SavedModel contains the following tag-sets:\n";
  for (const auto& mg : info.meta_graphs) {
    std::vector<std::string> tags = mg.tags;
    std::sort(tags.begin(), tags.end());
    out += PyRepr(absl::StrJoin(tags, ", ")) + "\n";
  }
  return out;
}

nlohmann::ordered_json TensorJson(const TensorSpec& spec) {
  nlohmann::ordered_json j;
  j["dtype"] = spec.dtype_enum;
  j["shape"] = spec.unknown_rank ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(spec.shape);
  j["name"] = spec.name;
  return j;
}

nlohmann::ordered_json SignatureJson(const SignatureInfo& sig) {
  nlohmann::ordered_json j;
  j["method_name"] = sig.method_name;
  j["inputs"] = nlohmann::ordered_json::object();
  for (const auto& in : sig.inputs) j["inputs"][in.key] = TensorJson(in);
  j["outputs"] = nlohmann::ordered_json::object();
  for (const auto& o : sig.outputs) j["outputs"][o.key] = TensorJson(o);
  return j;
}

}  // namespace

StatusOr<std::string> InspectText(const SavedModelInfo& info, const InspectOptions& options) {
  if (options.all) return ShowAll(info);
  if (!options.has_tag_set) {
    std::string out;
    if (options.list_ops) out += "--list_ops must be paired with a tag-set or with --all.\n";
    return out + ShowTagSets(info);
  }
  XAI_ASSIGN_OR_RETURN(const MetaGraphInfo* mg, info.FindMetaGraph(options.tag_set));
  std::string out;
  if (options.list_ops) AppendOps(*mg, &out);
  if (!options.has_signature_def) {
    out += "The given SavedModel MetaGraphDef contains SignatureDefs with the following keys:\n";
    for (const auto& sig : mg->signatures) out += "SignatureDef key: \"" + sig.key + "\"\n";
    return out;
  }
  XAI_ASSIGN_OR_RETURN(const SignatureInfo* sig, mg->FindSignature(options.signature_def));
  AppendSignature(*sig, 0, &out);
  return out;
}

StatusOr<std::string> InspectJson(const SavedModelInfo& info, const InspectOptions& options) {
  nlohmann::ordered_json root;
  root["meta_graphs"] = nlohmann::ordered_json::array();
  for (const auto& mg : info.meta_graphs) {
    if (options.has_tag_set && !options.all) {
      XAI_ASSIGN_OR_RETURN(const MetaGraphInfo* wanted, info.FindMetaGraph(options.tag_set));
      if (wanted != &mg) continue;
    }
    nlohmann::ordered_json j;
    j["tags"] = mg.tags;
    j["signatures"] = nlohmann::ordered_json::object();
    if (options.has_signature_def && !options.all) {
      XAI_ASSIGN_OR_RETURN(const SignatureInfo* sig, mg.FindSignature(options.signature_def));
      j["signatures"][sig->key] = SignatureJson(*sig);
    } else {
      for (const auto& sig : mg.signatures) j["signatures"][sig.key] = SignatureJson(sig);
    }
    j["ops"] = mg.op_types;
    root["meta_graphs"].push_back(std::move(j));
  }
  return root.dump(2) + "\n";
}

}  // namespace xai
