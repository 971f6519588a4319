#include "xai/rest/predict_json.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"
#include "xai/base/json_limits.h"
#include "xai/base/json_shape.h"
#include "xai/base/json_util.h"

namespace xai {
namespace {

using json = nlohmann::json;

std::string Compact(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  return text.size() > 80 ? text.substr(0, 77) + "..." : text;
}

bool IsB64Object(const json& v) {
  return v.is_object() && v.size() == 1 && v.contains("b64") && v["b64"].is_string();
}

Status TypeError(const json& v, DType dtype) {
  return absl::InvalidArgumentError("JSON Value: " + Compact(v) + " is not of expected type: " + DTypeName(dtype));
}

template <typename T>
void Put(Tensor* t, int64_t i, T value) {
  std::memcpy(t->bytes().data() + i * sizeof(T), &value, sizeof(T));
}

bool NumberValue(const json& v, double* out) {
  if (v.is_number()) {
    *out = v.get<double>();
    return true;
  }
  return v.is_string() && ParseNonFinite(v.get<std::string>(), out);
}

Status PutScalar(const json& v, DType dtype, Tensor* t, int64_t i) {
  double d;
  switch (dtype) {
    case DType::kFloat:
      if (!NumberValue(v, &d)) return TypeError(v, dtype);
      if (std::isfinite(d) && (std::fabs(d) > std::numeric_limits<float>::max() ||
                               (v.is_number_integer() && std::fabs(d) > (1 << 24)))) {
        return absl::InvalidArgumentError("Cannot convert JSON value: " + Compact(v) +
                                          " to float without loss of precision.");
      }
      Put<float>(t, i, static_cast<float>(d));
      return absl::OkStatus();
    case DType::kDouble:
      if (!NumberValue(v, &d)) return TypeError(v, dtype);
      Put<double>(t, i, d);
      return absl::OkStatus();
    case DType::kInt32: case DType::kInt16: case DType::kInt8: case DType::kUInt8: {
      if (!v.is_number_integer()) return TypeError(v, dtype);
      int64_t n = v.get<int64_t>();
      if (n < std::numeric_limits<int32_t>::min() || n > std::numeric_limits<int32_t>::max()) {
        return TypeError(v, dtype);
      }
      if (dtype == DType::kInt32) Put<int32_t>(t, i, static_cast<int32_t>(n));
      if (dtype == DType::kInt16) Put<int16_t>(t, i, static_cast<int16_t>(n));
      if (dtype == DType::kInt8) Put<int8_t>(t, i, static_cast<int8_t>(n));
      if (dtype == DType::kUInt8) Put<uint8_t>(t, i, static_cast<uint8_t>(n));
      return absl::OkStatus();
    }
    case DType::kInt64:
      if (!v.is_number_integer() || (v.is_number_unsigned() && v.get<uint64_t>() > INT64_MAX)) {
        return TypeError(v, dtype);
      }
      Put<int64_t>(t, i, v.get<int64_t>());
      return absl::OkStatus();
    case DType::kUInt32: case DType::kUInt64:
      if (!v.is_number_unsigned()) return TypeError(v, dtype);
      if (dtype == DType::kUInt32) Put<uint32_t>(t, i, static_cast<uint32_t>(v.get<uint64_t>()));
      else Put<uint64_t>(t, i, v.get<uint64_t>());
      return absl::OkStatus();
    case DType::kBool:
      if (!v.is_boolean()) return TypeError(v, dtype);
      Put<uint8_t>(t, i, v.get<bool>() ? 1 : 0);
      return absl::OkStatus();
    case DType::kString:
      if (IsB64Object(v)) {
        XAI_ASSIGN_OR_RETURN(t->strings()[i], Base64Decode(v["b64"].get<std::string>()));
        return absl::OkStatus();
      }
      if (!v.is_string()) return TypeError(v, dtype);
      t->strings()[i] = v.get<std::string>();
      return absl::OkStatus();
    default:
      return absl::UnimplementedError("Conversion of JSON Value: " + Compact(v) + " to type: " +
                                      DTypeName(dtype));
  }
}

// Fills `t` from nested list `v` whose expected shape is t->shape()[level...].
Status Fill(const json& v, size_t level, DType dtype, Tensor* t, int64_t* next) {
  const auto& shape = t->shape();
  if (!v.is_array()) {
    if (level != shape.size()) {
      return absl::InvalidArgumentError("JSON Value: " + Compact(v) + " found at incorrect level: " +
                                        std::to_string(level + 1) + " in the JSON DOM. Expected at level: " +
                                        std::to_string(shape.size()));
    }
    return PutScalar(v, dtype, t, (*next)++);
  }
  if (level >= shape.size()) {
    return absl::InvalidArgumentError("Encountered list at unexpected level: " + std::to_string(level) +
                                      " expected < " + std::to_string(shape.size()));
  }
  if (static_cast<int64_t>(v.size()) != shape[level]) {
    return absl::InvalidArgumentError("Encountered list at unexpected size: " + std::to_string(v.size()) +
                                      " at level: " + std::to_string(level) +
                                      " expected size: " + std::to_string(shape[level]));
  }
  for (const auto& e : v) XAI_RETURN_IF_ERROR(Fill(e, level + 1, dtype, t, next));
  return absl::OkStatus();
}

StatusOr<Tensor> ToTensor(const json& v, DType dtype) {
  Tensor t(dtype, NestedListShape(v));
  int64_t next = 0;
  XAI_RETURN_IF_ERROR(Fill(v, 0, dtype, &t, &next));
  return t;
}

// Stacks per-example tensors of equal shape into [N, ...].
StatusOr<Tensor> Stack(const std::vector<Tensor>& items, const std::string& key) {
  std::vector<int64_t> shape = items[0].shape();
  for (size_t i = 1; i < items.size(); ++i) {
    if (items[i].shape() != shape) {
      return absl::InvalidArgumentError("Failed to process element: " + std::to_string(i) + " key: " + key +
                                        " of 'instances' list. Error: Expecting shape " +
                                        ShapeString(shape) + " but got: " + ShapeString(items[i].shape()));
    }
  }
  shape.insert(shape.begin(), static_cast<int64_t>(items.size()));
  Tensor out(items[0].dtype(), shape);
  if (out.dtype() == DType::kString) {
    size_t k = 0;
    for (const auto& item : items) {
      for (const auto& s : item.strings()) out.strings()[k++] = s;
    }
  } else {
    size_t offset = 0;
    for (const auto& item : items) {
      if (!item.bytes().empty()) std::memcpy(out.bytes().data() + offset, item.bytes().data(), item.bytes().size());
      offset += item.bytes().size();
    }
  }
  return out;
}

std::set<std::string> InputKeys(const SignatureInfo& sig) {
  std::set<std::string> keys;
  for (const auto& in : sig.inputs) keys.insert(in.key);
  return keys;
}

bool IsNamedObject(const json& v) { return v.is_object() && !IsB64Object(v); }

Status ParseRows(const json& instances, const SignatureInfo& sig, std::map<std::string, Tensor>* out) {
  if (!instances.is_array()) return absl::InvalidArgumentError("Expecting 'instances' to be an list/array");
  if (instances.empty()) return absl::InvalidArgumentError("No values in 'instances' array");
  std::set<std::string> keys = InputKeys(sig);
  if (!IsNamedObject(instances[0]) && keys.size() > 1) {
    return absl::InvalidArgumentError(
        "instances is a plain list, but expecting list of objects as multiple input tensors required as per "
        "tensorinfo_map (inputs: " + absl::StrJoin(keys, ",") + ")");
  }
  bool named = IsNamedObject(instances[0]);
  std::map<std::string, std::vector<Tensor>> items;
  for (size_t i = 0; i < instances.size(); ++i) {
    const json& elem = instances[i];
    if (named != IsNamedObject(elem)) {
      return absl::InvalidArgumentError(std::string("Expecting ") + (named ? "object" : "value") +
                                        " but got " + (named ? "list" : "object") + " at item " +
                                        std::to_string(i) + " of input list");
    }
    if (!named) {
      const TensorSpec& spec = sig.inputs[0];
      StatusOr<Tensor> t = ToTensor(elem, spec.dtype);
      if (!t.ok()) return Annotate(t.status(), "input '" + spec.key + "', instance " + std::to_string(i));
      items[spec.key].push_back(std::move(*t));
      continue;
    }
    std::set<std::string> object_keys;
    for (const auto& [k, v] : elem.items()) {
      object_keys.insert(k);
      const TensorSpec* spec = sig.FindInput(k);
      if (!spec) {
        return absl::InvalidArgumentError("Failed to process element: " + std::to_string(i) + " key: " + k +
                                          " of 'instances' list. JSON object: does not have named input: " + k +
                                          " (inputs: " + absl::StrJoin(keys, ",") + ")");
      }
      StatusOr<Tensor> t = ToTensor(v, spec->dtype);
      if (!t.ok()) return Annotate(t.status(), "input '" + k + "', instance " + std::to_string(i));
      items[k].push_back(std::move(*t));
    }
    if (object_keys != keys) {
      return absl::InvalidArgumentError("Failed to process element: " + std::to_string(i) +
                                        " of 'instances' list. JSON object: " + Compact(elem) +
                                        " must only have keys: " + absl::StrJoin(keys, ","));
    }
  }
  for (const auto& [k, list] : items) {
    XAI_ASSIGN_OR_RETURN((*out)[k], Stack(list, k));
  }
  return absl::OkStatus();
}

Status ParseColumns(const json& inputs, const SignatureInfo& sig, std::map<std::string, Tensor>* out) {
  if (!IsNamedObject(inputs)) {
    if (sig.inputs.size() != 1) {
      return absl::InvalidArgumentError(
          "inputs is a plain value/list, but expecting an object as multiple input tensors required as per "
          "tensorinfo_map (inputs: " + absl::StrJoin(InputKeys(sig), ",") + ")");
    }
    const TensorSpec& spec = sig.inputs[0];
    StatusOr<Tensor> t = ToTensor(inputs, spec.dtype);
    if (!t.ok()) return Annotate(t.status(), "input '" + spec.key + "'");
    (*out)[spec.key] = std::move(*t);
    return absl::OkStatus();
  }
  for (const auto& spec : sig.inputs) {
    if (!inputs.contains(spec.key)) {
      return absl::InvalidArgumentError("Missing named input: " + spec.key + " in 'inputs' object.");
    }
  }
  for (const auto& [k, v] : inputs.items()) {
    const TensorSpec* spec = sig.FindInput(k);
    if (!spec) {
      return absl::InvalidArgumentError("'inputs' has key '" + k + "' but the signature's inputs are: " +
                                        absl::StrJoin(InputKeys(sig), ","));
    }
    StatusOr<Tensor> t = ToTensor(v, spec->dtype);
    if (!t.ok()) return Annotate(t.status(), "input '" + k + "'");
    (*out)[k] = std::move(*t);
  }
  return absl::OkStatus();
}

// Writes elements [begin, begin + count) of `t` laid out as `shape`.
void WriteValues(const Tensor& t, bool as_b64, const std::vector<int64_t>& shape, size_t level, int64_t* index,
                 PrettyJsonWriter* w) {
  if (level == shape.size()) {
    int64_t i = (*index)++;
    switch (t.dtype()) {
      case DType::kFloat: w->Raw(FormatFloat(t.data<float>()[i])); break;
      case DType::kDouble: w->Raw(FormatDouble(t.data<double>()[i])); break;
      case DType::kHalf: case DType::kBFloat16: w->Raw(FormatFloat(static_cast<float>(t.AsDouble(i)))); break;
      case DType::kBool: w->Raw(t.data<uint8_t>()[i] ? "true" : "false"); break;
      case DType::kString:
        if (as_b64) {
          w->StartObject();
          w->Key("b64");
          w->String(Base64Encode(t.strings()[i]));
          w->EndObject();
        } else {
          w->String(t.strings()[i]);
        }
        break;
      case DType::kInt64: w->Raw(std::to_string(t.data<int64_t>()[i])); break;
      case DType::kUInt64: w->Raw(std::to_string(t.data<uint64_t>()[i])); break;
      default: w->Raw(std::to_string(static_cast<int64_t>(t.AsDouble(i))));
    }
    return;
  }
  w->StartArray();
  for (int64_t k = 0; k < shape[level]; ++k) WriteValues(t, as_b64, shape, level + 1, index, w);
  w->EndArray();
}

bool WritableDType(DType d) {
  return d == DType::kString || (DTypeSize(d) > 0);
}

}  // namespace

StatusOr<PredictRequest> ParsePredictRequest(const std::string& body, const MetaGraphInfo& meta_graph,
                                             const std::string& default_signature) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) {
    return absl::InvalidArgumentError("JSON Parse error: The document is empty");
  }
  XAI_RETURN_IF_ERROR(CheckJsonDepth(body, "the request body"));
  json doc;
  try {  // nlohmann reports positions (and number overflow) only through its exceptions
    doc = json::parse(QuoteNonFiniteTokens(body));
  } catch (const json::exception& e) {
    return absl::InvalidArgumentError(std::string("JSON Parse error: ") + e.what());
  }
  return ParsePredictDocument(doc, meta_graph, default_signature);
}

StatusOr<PredictRequest> ParsePredictDocument(const nlohmann::json& doc, const MetaGraphInfo& meta_graph,
                                              const std::string& default_signature) {
  if (!doc.is_object()) return absl::InvalidArgumentError("JSON Value: " + Compact(doc) + " Is not object");
  PredictRequest request;
  request.signature_name = default_signature;
  if (doc.contains("signature_name")) {
    if (!doc["signature_name"].is_string()) {
      return absl::InvalidArgumentError("'signature_name' key must be a string value.");
    }
    request.signature_name = doc["signature_name"].get<std::string>();
  }
  XAI_ASSIGN_OR_RETURN(const SignatureInfo* sig, meta_graph.FindSignature(request.signature_name));
  if (sig->inputs.empty()) {  // e.g. __saved_model_init_op: nothing a request could feed
    return absl::InvalidArgumentError("signature '" + sig->key + "' takes no inputs; expected a signature with "
                                      "inputs to predict with");
  }
  bool rows = doc.contains("instances"), cols = doc.contains("inputs");
  if (rows && cols) {
    return absl::InvalidArgumentError(
        "Not formatted correctly expecting only one of 'inputs' or 'instances' keys to exist");
  }
  if (!rows && !cols) return absl::InvalidArgumentError("Missing 'inputs' or 'instances' key");
  request.format = rows ? RequestFormat::kRow : RequestFormat::kColumnar;
  if (rows) {
    XAI_RETURN_IF_ERROR(ParseRows(doc["instances"], *sig, &request.inputs));
  } else {
    XAI_RETURN_IF_ERROR(ParseColumns(doc["inputs"], *sig, &request.inputs));
  }
  return request;
}

StatusOr<std::string> FormatPredictResponse(RequestFormat format, const std::map<std::string, Tensor>& outputs) {
  for (const auto& [key, t] : outputs) {
    if (!WritableDType(t.dtype())) {
      return absl::InvalidArgumentError("Failed to write JSON value for tensor type: " + DTypeName(t.dtype()));
    }
  }
  PrettyJsonWriter w;
  w.StartObject();
  if (format == RequestFormat::kColumnar) {
    w.Key("outputs");
    bool single = outputs.size() == 1;
    if (!single) w.StartObject();
    for (const auto& [key, t] : outputs) {
      if (!single) w.Key(key);
      int64_t index = 0;
      WriteValues(t, absl::EndsWith(key, "_bytes"), t.shape(), 0, &index, &w);
    }
    if (!single) w.EndObject();
    w.EndObject();
    return w.str() + "\n";
  }
  int64_t batch = -1;
  for (const auto& [key, t] : outputs) {
    if (t.shape().empty()) return absl::InvalidArgumentError("Tensor name: " + key + " has no shape information ");
    if (batch >= 0 && t.shape()[0] != batch) {
      return absl::InvalidArgumentError("Tensor name: " + key + " has inconsistent batch size: " +
                                        std::to_string(t.shape()[0]) + " expecting: " + std::to_string(batch));
    }
    batch = t.shape()[0];
  }
  w.Key("predictions");
  w.StartArray();
  std::map<std::string, int64_t> index;
  for (int64_t b = 0; b < batch; ++b) {
    if (outputs.size() > 1) w.StartObject();
    for (const auto& [key, t] : outputs) {
      if (outputs.size() > 1) w.Key(key);
      std::vector<int64_t> item_shape(t.shape().begin() + 1, t.shape().end());
      WriteValues(t, absl::EndsWith(key, "_bytes"), item_shape, 0, &index[key], &w);
    }
    if (outputs.size() > 1) w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.str() + "\n";
}

StatusOr<std::string> HandlePredict(Model& model, const std::string& body, const std::string& default_signature) {
  XAI_ASSIGN_OR_RETURN(PredictRequest request, ParsePredictRequest(body, model.meta_graph(), default_signature));
  XAI_ASSIGN_OR_RETURN(auto outputs, model.RunSignature(request.signature_name, request.inputs));
  return FormatPredictResponse(request.format, outputs);
}

}  // namespace xai
