// Reads SavedModel metadata (MetaGraphs, signatures, ops, concrete functions)
// from saved_model.pb without creating a session.
#include <sys/stat.h>

#include <algorithm>
#include <sstream>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "tensorflow/cc/saved_model/reader.h"
#include "tensorflow/core/framework/types.pb.h"
#include "tensorflow/core/protobuf/saved_model.pb.h"
#include "tensorflow/core/protobuf/saved_object_graph.pb.h"
#include "tensorflow/core/protobuf/struct.pb.h"
#include "xai/model/model.h"
#include "xai/model/tf_convert.h"

namespace xai {
namespace {

namespace tfp = ::tensorflow;

TensorSpec ToSpec(const std::string& key, const tfp::TensorInfo& info) {
  TensorSpec spec;
  spec.key = key;
  spec.name = info.name();
  spec.dtype_enum = tfp::DataType_Name(info.dtype());
  spec.dtype = static_cast<DType>(info.dtype());
  spec.unknown_rank = info.tensor_shape().unknown_rank();
  for (const auto& dim : info.tensor_shape().dim()) spec.shape.push_back(dim.size());
  return spec;
}

std::vector<TensorSpec> ToSpecs(const google::protobuf::Map<std::string, tfp::TensorInfo>& map) {
  std::vector<TensorSpec> specs;
  for (const auto& [key, info] : map) specs.push_back(ToSpec(key, info));
  std::sort(specs.begin(), specs.end(),
            [](const TensorSpec& a, const TensorSpec& b) { return a.key < b.key; });
  return specs;
}

// Same traversal as TensorFlow's ops_used_by_graph_def: node ops plus the ops
// of every function reachable from them; function names themselves excluded.
std::set<std::string> OpsUsed(const tfp::GraphDef& graph) {
  std::map<std::string, const tfp::FunctionDef*> functions;
  for (const auto& f : graph.library().function()) functions[f.signature().name()] = &f;
  std::set<std::string> used;
  std::vector<const tfp::FunctionDef*> pending;
  auto mark = [&](const std::string& op) {
    if (!used.count(op) && functions.count(op)) pending.push_back(functions[op]);
    used.insert(op);
  };
  auto process = [&](const tfp::NodeDef& node) {
    mark(node.op());
    if (node.op() == "PartitionedCall" || node.op() == "StatefulPartitionedCall") {
      auto it = node.attr().find("f");
      if (it != node.attr().end()) mark(it->second.func().name());
    }
  };
  for (const auto& node : graph.node()) process(node);
  while (!pending.empty()) {
    const tfp::FunctionDef* f = pending.back();
    pending.pop_back();
    for (const auto& node : f->node_def()) process(node);
  }
  std::set<std::string> ops;
  for (const auto& op : used) {
    if (!functions.count(op)) ops.insert(op);
  }
  return ops;
}

// Python's str(TensorShape): "(None, 2)", "(None,)", "()", "<unknown>".
std::string PyShape(const tfp::TensorShapeProto& shape) {
  if (shape.unknown_rank()) return "<unknown>";
  std::vector<std::string> dims;
  for (const auto& d : shape.dim()) dims.push_back(d.size() < 0 ? "None" : std::to_string(d.size()));
  if (dims.size() == 1) return "(" + dims[0] + ",)";
  return "(" + absl::StrJoin(dims, ", ") + ")";
}

std::string PyQuote(const std::string& s) {
  // Python repr of a str: single quotes unless the text holds one and no double quote.
  bool has_single = s.find('\'') != std::string::npos;
  bool has_double = s.find('"') != std::string::npos;
  char q = (has_single && !has_double) ? '"' : '\'';
  std::string out(1, q);
  for (char c : s) {
    if (c == '\\' || c == q) out += '\\';
    if (c == '\n') { out += "\\n"; continue; }
    out += c;
  }
  return out + q;
}

std::string PyTensorSpec(const tfp::TensorSpecProto& spec) {
  std::string name = spec.name().empty() ? "None" : PyQuote(spec.name());
  return "TensorSpec(shape=" + PyShape(spec.shape()) + ", dtype=tf." +
         PythonDTypeName(static_cast<int>(spec.dtype())) + ", name=" + name + ")";
}

std::string PyFloat(double v) {
  std::ostringstream os;
  os.precision(17);
  os << v;
  std::string s = os.str();
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

// Python str() of a structured value (used inside list/dict renderings).
std::string PyStr(const tfp::StructuredValue& v);

std::string PyRepr(const tfp::StructuredValue& v) {
  if (v.kind_case() == tfp::StructuredValue::kStringValue) return PyQuote(v.string_value());
  return PyStr(v);
}

std::string PySequence(const google::protobuf::RepeatedPtrField<tfp::StructuredValue>& values,
                       const char* open, const char* close, bool tuple) {
  std::vector<std::string> parts;
  for (const auto& e : values) parts.push_back(PyRepr(e));
  std::string body = absl::StrJoin(parts, ", ");
  if (tuple && parts.size() == 1) body += ",";
  return open + body + close;
}

std::string PyStr(const tfp::StructuredValue& v) {
  switch (v.kind_case()) {
    case tfp::StructuredValue::kNoneValue: return "None";
    case tfp::StructuredValue::kFloat64Value: return PyFloat(v.float64_value());
    case tfp::StructuredValue::kInt64Value: return std::to_string(v.int64_value());
    case tfp::StructuredValue::kStringValue: return v.string_value();
    case tfp::StructuredValue::kBoolValue: return v.bool_value() ? "True" : "False";
    case tfp::StructuredValue::kTensorSpecValue: return PyTensorSpec(v.tensor_spec_value());
    case tfp::StructuredValue::kListValue: return PySequence(v.list_value().values(), "[", "]", false);
    case tfp::StructuredValue::kTupleValue: return PySequence(v.tuple_value().values(), "(", ")", true);
    case tfp::StructuredValue::kDictValue: {
      std::vector<std::string> parts;
      for (const auto& [k, e] : v.dict_value().fields()) parts.push_back(PyQuote(k) + ": " + PyRepr(e));
      std::sort(parts.begin(), parts.end());
      return "{" + absl::StrJoin(parts, ", ") + "}";
    }
    case tfp::StructuredValue::kTensorShapeValue: return PyShape(v.tensor_shape_value());
    case tfp::StructuredValue::kTensorDtypeValue:
      return "tf." + PythonDTypeName(static_cast<int>(v.tensor_dtype_value()));
    default: return "<value>";
  }
}

std::string PyTypeName(const tfp::StructuredValue& v) {
  switch (v.kind_case()) {
    case tfp::StructuredValue::kNoneValue: return "NoneType";
    case tfp::StructuredValue::kFloat64Value: return "float";
    case tfp::StructuredValue::kInt64Value: return "int";
    case tfp::StructuredValue::kBoolValue: return "bool";
    case tfp::StructuredValue::kListValue: return "list";
    case tfp::StructuredValue::kTupleValue: return "tuple";
    case tfp::StructuredValue::kDictValue: return "dict";
    case tfp::StructuredValue::kTensorShapeValue: return "TensorShape";
    case tfp::StructuredValue::kTensorDtypeValue: return "DType";
    default: return "object";
  }
}

// One positional argument as saved_model_cli's _print_args renders it.
FunctionArgument RenderArgument(const tfp::StructuredValue& v) {
  FunctionArgument arg;
  switch (v.kind_case()) {
    case tfp::StructuredValue::kStringValue:
      arg.lines.push_back(v.string_value());
      break;
    case tfp::StructuredValue::kTensorSpecValue: {
      const auto& spec = v.tensor_spec_value();
      arg.lines.push_back(spec.name() + ": " + PyTensorSpec(spec));
      break;
    }
    case tfp::StructuredValue::kListValue:
    case tfp::StructuredValue::kTupleValue: {
      const auto& values = v.kind_case() == tfp::StructuredValue::kListValue
                               ? v.list_value().values()
                               : v.tuple_value().values();
      arg.lines.push_back("DType: " + PyTypeName(v));
      std::string value = "Value: [";
      for (const auto& e : values) value += PyRepr(e) + ", ";
      arg.lines.push_back(value + "\b\b]");
      break;
    }
    case tfp::StructuredValue::kDictValue: {
      arg.lines.push_back("DType: dict");
      std::string value = "Value: {";
      for (const auto& [k, e] : v.dict_value().fields()) value += "'" + k + "': " + PyRepr(e) + ", ";
      arg.lines.push_back(value + "\b\b}");
      break;
    }
    default:
      arg.lines.push_back("DType: " + PyTypeName(v));
      arg.lines.push_back("Value: " + PyStr(v));
  }
  return arg;
}

std::vector<FunctionArgument> RenderSignature(const tfp::SavedConcreteFunction& fn) {
  std::vector<FunctionArgument> args;
  const auto& sig = fn.canonicalized_input_signature();
  if (sig.kind_case() != tfp::StructuredValue::kTupleValue || sig.tuple_value().values_size() != 2) {
    return args;
  }
  const auto& positional = sig.tuple_value().values(0);
  const auto& keywords = sig.tuple_value().values(1);
  const auto* pos_values = positional.kind_case() == tfp::StructuredValue::kTupleValue
                               ? &positional.tuple_value().values()
                               : positional.kind_case() == tfp::StructuredValue::kListValue
                                     ? &positional.list_value().values()
                                     : nullptr;
  if (pos_values) {
    for (const auto& v : *pos_values) args.push_back(RenderArgument(v));
  }
  if (keywords.kind_case() == tfp::StructuredValue::kDictValue) {
    // Iterating a dict yields its keys: each prints as a plain string line.
    std::vector<std::string> keys;
    for (const auto& [k, e] : keywords.dict_value().fields()) keys.push_back(k);
    std::sort(keys.begin(), keys.end());
    for (const auto& k : keys) {
      FunctionArgument arg;
      arg.named = true;
      arg.lines.push_back(k);
      args.push_back(arg);
    }
  }
  return args;
}

// Position of each library function in the order TensorFlow Python's loader
// re-creates them (function_deserialization's topological sort: a stack of
// ready functions seeded in library order, dependants released in library
// order). Loaded functions are renamed with increasing uids in this order, and
// saved_model_cli sorts a function's concrete functions by those names.
std::map<std::string, int> LoadOrder(const tfp::FunctionDefLibrary& library) {
  std::set<std::string> names;
  for (const auto& f : library.function()) names.insert(f.signature().name());
  std::map<std::string, std::vector<std::string>> dependants;
  std::map<std::string, int> pending;
  for (const auto& f : library.function()) {
    std::set<std::string> deps;
    for (const auto& node : f.node_def()) {
      if (names.count(node.op())) {
        deps.insert(node.op());
        continue;
      }
      for (const auto& [k, attr] : node.attr()) {
        if (attr.value_case() == tfp::AttrValue::kFunc) deps.insert(attr.func().name());
        if (attr.value_case() == tfp::AttrValue::kList) {
          for (const auto& fn : attr.list().func()) deps.insert(fn.name());
        }
      }
    }
    for (const auto& d : deps) dependants[d].push_back(f.signature().name());
    pending[f.signature().name()] = static_cast<int>(deps.size());
  }
  std::vector<std::string> ready;
  for (const auto& f : library.function()) {
    if (pending[f.signature().name()] == 0) ready.push_back(f.signature().name());
  }
  std::map<std::string, int> order;
  while (!ready.empty()) {
    std::string name = ready.back();
    ready.pop_back();
    order[name] = static_cast<int>(order.size());
    for (const auto& d : dependants[name]) {
      if (--pending[d] == 0) ready.push_back(d);
    }
  }
  return order;
}

std::vector<ConcreteFunctionInfo> ListFunctions(const tfp::SavedObjectGraph& graph,
                                                const tfp::FunctionDefLibrary& library) {
  std::map<std::string, int> order = LoadOrder(library);
  std::vector<ConcreteFunctionInfo> out;
  if (graph.nodes_size() == 0) return out;
  for (const auto& child : graph.nodes(0).children()) {
    if (child.node_id() < 0 || child.node_id() >= graph.nodes_size()) continue;
    const auto& node = graph.nodes(child.node_id());
    std::vector<std::string> names;
    if (node.kind_case() == tfp::SavedObject::kFunction) {
      names.assign(node.function().concrete_functions().begin(),
                   node.function().concrete_functions().end());
    } else if (node.kind_case() == tfp::SavedObject::kBareConcreteFunction) {
      names.push_back(node.bare_concrete_function().concrete_function_name());
    } else {
      continue;
    }
    std::stable_sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) {
      return order[a] < order[b];
    });
    ConcreteFunctionInfo info;
    info.name = child.local_name();
    for (const auto& name : names) {
      auto it = graph.concrete_functions().find(name);
      if (it == graph.concrete_functions().end()) continue;
      info.options.push_back(RenderSignature(it->second));
    }
    out.push_back(std::move(info));
  }
  std::sort(out.begin(), out.end(),
            [](const ConcreteFunctionInfo& a, const ConcreteFunctionInfo& b) { return a.name < b.name; });
  return out;
}

MetaGraphInfo ToInfo(const tfp::MetaGraphDef& mg) {
  MetaGraphInfo info;
  info.tags.assign(mg.meta_info_def().tags().begin(), mg.meta_info_def().tags().end());
  for (const auto& [key, sig] : mg.signature_def()) {
    SignatureInfo s;
    s.key = key;
    s.method_name = sig.method_name();
    s.inputs = ToSpecs(sig.inputs());
    s.outputs = ToSpecs(sig.outputs());
    info.signatures.push_back(std::move(s));
  }
  std::sort(info.signatures.begin(), info.signatures.end(),
            [](const SignatureInfo& a, const SignatureInfo& b) { return a.key < b.key; });
  info.op_types = OpsUsed(mg.graph_def());
  info.has_object_graph = mg.has_object_graph_def();
  if (info.has_object_graph) info.functions = ListFunctions(mg.object_graph_def(), mg.graph_def().library());
  return info;
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

StatusOr<SavedModelInfo> ReadSavedModelInfo(const std::string& dir) {
  XAI_ASSIGN_OR_RETURN(tfp::SavedModel proto, ReadSavedModelProto(dir));
  SavedModelInfo info;
  for (const auto& mg : proto.meta_graphs()) info.meta_graphs.push_back(ToInfo(mg));
  return info;
}

StatusOr<tfp::SavedModel> ReadSavedModelProto(const std::string& dir) {
  if (!IsDirectory(dir)) {
    return absl::NotFoundError("SavedModel directory '" + dir + "' does not exist");
  }
  tfp::SavedModel proto;
  absl::Status s = tfp::ReadSavedModel(dir, &proto);
  if (absl::IsNotFound(s)) {
    return absl::NotFoundError("'" + dir + "' is not a SavedModel: expected saved_model.pb or " +
                               "saved_model.pbtxt in it, found neither");
  }
  if (!s.ok()) {
    return absl::DataLossError("cannot parse '" + dir + "/saved_model.pb' as a SavedModel proto: " +
                               std::string(s.message()));
  }
  return proto;
}

}  // namespace xai
