// Reading and writing the two explanation-metadata file forms.
#include <set>

#include "absl/strings/str_join.h"
#include "xai/base/strings.h"
#include "xai/metadata/metadata.h"

#include "xai/base/json_limits.h"

namespace xai {
namespace {

const std::vector<std::string> kEncodings = {"IDENTITY", "BAG_OF_FEATURES", "BAG_OF_FEATURES_SPARSE",
                                             "INDICATOR", "COMBINED_EMBEDDING", "CONCAT_EMBEDDING"};
const std::vector<std::string> kModalities = {"numeric", "image", "text", "structured", "categorical"};
const std::vector<std::string> kVisTypes = {"PIXELS", "OUTLINES"};
const std::vector<std::string> kPolarities = {"POSITIVE", "NEGATIVE", "BOTH"};
const std::vector<std::string> kColorMaps = {"PINK_GREEN", "VIRIDIS", "RED", "GREEN", "PINK_WHITE_GREEN", "RED_GREEN"};
const std::vector<std::string> kOverlays = {"NONE", "ORIGINAL", "GRAYSCALE", "MASK_BLACK"};

// Reads fields of one JSON object by name, remembering which keys were used
// so that every other key can be reported as unknown.
class ObjectReader {
 public:
  ObjectReader(const Json& object, std::string where) : object_(object), where_(std::move(where)) {}

  // The value under the first present name (e.g. camelCase, snake_case), or null.
  const Json* Find(std::initializer_list<const char*> names) {
    for (const char* n : names) {
      known_.push_back(n);
      auto it = object_.find(n);
      if (it != object_.end()) {
        used_.insert(n);
        return &*it;
      }
    }
    return nullptr;
  }

  Status String(std::initializer_list<const char*> names, std::string* out) {
    const Json* v = Find(names);
    if (!v) return absl::OkStatus();
    if (!v->is_string()) return TypeError(*names.begin(), "a string", *v);
    *out = v->get<std::string>();
    return absl::OkStatus();
  }

  Status Number(std::initializer_list<const char*> names, std::optional<double>* out) {
    const Json* v = Find(names);
    if (!v) return absl::OkStatus();
    if (!v->is_number()) return TypeError(*names.begin(), "a number", *v);
    *out = v->get<double>();
    return absl::OkStatus();
  }

  Status Array(std::initializer_list<const char*> names, std::optional<Json>* out) {
    const Json* v = Find(names);
    if (!v) return absl::OkStatus();
    if (!v->is_array()) return TypeError(*names.begin(), "an array", *v);
    *out = *v;
    return absl::OkStatus();
  }

  Status Strings(std::initializer_list<const char*> names, std::vector<std::string>* out) {
    const Json* v = Find(names);
    if (!v) return absl::OkStatus();
    if (!v->is_array()) return TypeError(*names.begin(), "an array of strings", *v);
    for (const auto& e : *v) {
      if (!e.is_string()) return TypeError(*names.begin(), "an array of strings", *v);
      out->push_back(e.get<std::string>());
    }
    return absl::OkStatus();
  }

  // Upper-cases an enum value and checks it against `allowed`.
  Status Enum(std::initializer_list<const char*> names, const std::vector<std::string>& allowed,
              std::string* out, bool lower = false) {
    std::string raw;
    XAI_RETURN_IF_ERROR(String(names, &raw));
    if (raw.empty()) return absl::OkStatus();
    std::string value = lower ? ToLower(raw) : ToUpper(raw);
    if (value.size() > 12 && value.rfind("_UNSPECIFIED") == value.size() - 12) return absl::OkStatus();
    if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
      return absl::InvalidArgumentError(where_ + "." + *names.begin() + " is '" + raw + "'; expected one of " +
                                        absl::StrJoin(allowed, ", "));
    }
    *out = value;
    return absl::OkStatus();
  }

  // Keys listed in `extras` are copied verbatim into `out`.
  void Extras(std::initializer_list<const char*> extras, Json* out) {
    for (const char* n : extras) {
      known_.push_back(n);
      auto it = object_.find(n);
      if (it != object_.end()) {
        used_.insert(n);
        (*out)[n] = *it;
      }
    }
  }

  // InvalidArgument for the first key that no Find/Extras call named.
  Status Finish() const {
    for (auto it = object_.begin(); it != object_.end(); ++it) {
      if (!used_.count(it.key())) {
        return absl::InvalidArgumentError("unknown field '" + it.key() + "' in " + where_ +
                                          DidYouMean(it.key(), known_));
      }
    }
    return absl::OkStatus();
  }

  const std::string& where() const { return where_; }

 private:
  Status TypeError(const char* name, const char* expected, const Json& got) const {
    return absl::InvalidArgumentError(where_ + "." + name + " must be " + expected + ", got " + got.dump());
  }

  const Json& object_;
  std::string where_;
  std::set<std::string> used_;
  std::vector<std::string> known_;
};

Status RequireObject(const Json& v, const std::string& where) {
  if (v.is_object()) return absl::OkStatus();
  return absl::InvalidArgumentError(where + " must be a JSON object, got " + v.dump());
}

// ---- Vertex form -----------------------------------------------------------

Status ReadVertexDomain(const Json& j, const std::string& where, FeatureValueDomain* d) {
  XAI_RETURN_IF_ERROR(RequireObject(j, where));
  ObjectReader r(j, where);
  XAI_RETURN_IF_ERROR(r.Number({"minValue", "min_value"}, &d->min_value));
  XAI_RETURN_IF_ERROR(r.Number({"maxValue", "max_value"}, &d->max_value));
  XAI_RETURN_IF_ERROR(r.Number({"originalMean", "original_mean"}, &d->original_mean));
  XAI_RETURN_IF_ERROR(r.Number({"originalStddev", "original_stddev"}, &d->original_stddev));
  return r.Finish();
}

Status ReadVertexVisualization(const Json& j, const std::string& where, Visualization* v) {
  XAI_RETURN_IF_ERROR(RequireObject(j, where));
  ObjectReader r(j, where);
  XAI_RETURN_IF_ERROR(r.Enum({"type"}, kVisTypes, &v->type));
  XAI_RETURN_IF_ERROR(r.Enum({"polarity"}, kPolarities, &v->polarity));
  XAI_RETURN_IF_ERROR(r.Enum({"colorMap", "color_map"}, kColorMaps, &v->color_map));
  XAI_RETURN_IF_ERROR(r.Number({"clipPercentUpperbound", "clip_percent_upperbound"}, &v->clip_percent_upperbound));
  XAI_RETURN_IF_ERROR(r.Number({"clipPercentLowerbound", "clip_percent_lowerbound"}, &v->clip_percent_lowerbound));
  XAI_RETURN_IF_ERROR(r.Enum({"overlayType", "overlay_type"}, kOverlays, &v->overlay_type));
  return r.Finish();
}

Status ReadVertexInput(const Json& j, const std::string& where, InputMetadata* in) {
  XAI_RETURN_IF_ERROR(RequireObject(j, where));
  ObjectReader r(j, where);
  XAI_RETURN_IF_ERROR(r.Array({"inputBaselines", "input_baselines"}, &in->input_baselines));
  XAI_RETURN_IF_ERROR(r.String({"inputTensorName", "input_tensor_name"}, &in->input_tensor_name));
  XAI_RETURN_IF_ERROR(r.Enum({"encoding"}, kEncodings, &in->encoding));
  XAI_RETURN_IF_ERROR(r.Enum({"modality"}, kModalities, &in->modality, /*lower=*/true));
  if (const Json* d = r.Find({"featureValueDomain", "feature_value_domain"})) {
    in->feature_value_domain.emplace();
    XAI_RETURN_IF_ERROR(ReadVertexDomain(*d, where + ".featureValueDomain", &*in->feature_value_domain));
  }
  XAI_RETURN_IF_ERROR(r.String({"indicesTensorName", "indices_tensor_name"}, &in->indices_tensor_name));
  XAI_RETURN_IF_ERROR(r.String({"denseShapeTensorName", "dense_shape_tensor_name"}, &in->dense_shape_tensor_name));
  XAI_RETURN_IF_ERROR(r.Strings({"indexFeatureMapping", "index_feature_mapping"}, &in->index_feature_mapping));
  XAI_RETURN_IF_ERROR(r.String({"encodedTensorName", "encoded_tensor_name"}, &in->encoded_tensor_name));
  XAI_RETURN_IF_ERROR(r.Array({"encodedBaselines", "encoded_baselines"}, &in->encoded_baselines));
  if (const Json* v = r.Find({"visualization"})) {
    in->visualization.emplace();
    XAI_RETURN_IF_ERROR(ReadVertexVisualization(*v, where + ".visualization", &*in->visualization));
  }
  XAI_RETURN_IF_ERROR(r.String({"groupName", "group_name"}, &in->group_name));
  return r.Finish();
}

Status ReadVertexOutput(const Json& j, const std::string& where, OutputMetadata* out) {
  XAI_RETURN_IF_ERROR(RequireObject(j, where));
  ObjectReader r(j, where);
  XAI_RETURN_IF_ERROR(r.Array({"indexDisplayNameMapping", "index_display_name_mapping"},
                              &out->index_display_name_mapping));
  XAI_RETURN_IF_ERROR(r.String({"displayNameMappingKey", "display_name_mapping_key"}, &out->display_name_mapping_key));
  XAI_RETURN_IF_ERROR(r.String({"outputTensorName", "output_tensor_name"}, &out->output_tensor_name));
  return r.Finish();
}

// ---- Legacy form -----------------------------------------------------------

Status ReadLegacyVisualization(const Json& j, const std::string& where, Visualization* v) {
  XAI_RETURN_IF_ERROR(RequireObject(j, where));
  ObjectReader r(j, where);
  XAI_RETURN_IF_ERROR(r.Enum({"type"}, kVisTypes, &v->type));
  XAI_RETURN_IF_ERROR(r.Enum({"polarity"}, kPolarities, &v->polarity));
  XAI_RETURN_IF_ERROR(r.Enum({"color_map"}, kColorMaps, &v->color_map));
  XAI_RETURN_IF_ERROR(r.Number({"clip_above_percentile"}, &v->clip_percent_upperbound));
  XAI_RETURN_IF_ERROR(r.Number({"clip_below_percentile"}, &v->clip_percent_lowerbound));
  std::string overlay;
  XAI_RETURN_IF_ERROR(r.String({"overlay_type"}, &overlay));
  if (!overlay.empty()) {
    overlay = ToUpper(overlay == "mask" ? "mask_black" : overlay);  // the SDK writes "mask"
    if (std::find(kOverlays.begin(), kOverlays.end(), overlay) == kOverlays.end()) {
      return absl::InvalidArgumentError(where + ".overlay_type is '" + overlay + "'; expected one of none, "
                                        "original, grayscale, mask_black");
    }
    v->overlay_type = overlay;
  }
  r.Extras({"overlay_multiplier", "output_format", "resized_shape", "translate", "blur_sigma",
            "shade_within_outlines"},
           &v->legacy_extra);
  return r.Finish();
}

Status ReadLegacyInput(const Json& j, const std::string& where, InputMetadata* in) {
  XAI_RETURN_IF_ERROR(RequireObject(j, where));
  ObjectReader r(j, where);
  XAI_RETURN_IF_ERROR(r.Array({"input_baselines"}, &in->input_baselines));
  XAI_RETURN_IF_ERROR(r.String({"input_tensor_name"}, &in->input_tensor_name));
  XAI_RETURN_IF_ERROR(r.Enum({"encoding"}, kEncodings, &in->encoding));
  XAI_RETURN_IF_ERROR(r.Enum({"modality"}, kModalities, &in->modality, /*lower=*/true));
  if (const Json* d = r.Find({"domain"})) {
    XAI_RETURN_IF_ERROR(RequireObject(*d, where + ".domain"));
    ObjectReader dr(*d, where + ".domain");
    in->feature_value_domain.emplace();
    XAI_RETURN_IF_ERROR(dr.Number({"min"}, &in->feature_value_domain->min_value));
    XAI_RETURN_IF_ERROR(dr.Number({"max"}, &in->feature_value_domain->max_value));
    XAI_RETURN_IF_ERROR(dr.Number({"original_mean"}, &in->feature_value_domain->original_mean));
    XAI_RETURN_IF_ERROR(dr.Number({"original_stddev"}, &in->feature_value_domain->original_stddev));
    XAI_RETURN_IF_ERROR(dr.Finish());
  }
  XAI_RETURN_IF_ERROR(r.String({"indices_tensor_name"}, &in->indices_tensor_name));
  XAI_RETURN_IF_ERROR(r.String({"dense_shape_tensor_name"}, &in->dense_shape_tensor_name));
  XAI_RETURN_IF_ERROR(r.Strings({"index_feature_mapping"}, &in->index_feature_mapping));
  XAI_RETURN_IF_ERROR(r.String({"encoded_tensor_name"}, &in->encoded_tensor_name));
  XAI_RETURN_IF_ERROR(r.Array({"encoded_baselines"}, &in->encoded_baselines));
  if (const Json* v = r.Find({"visualization"})) {
    in->visualization.emplace();
    XAI_RETURN_IF_ERROR(ReadLegacyVisualization(*v, where + ".visualization", &*in->visualization));
  }
  XAI_RETURN_IF_ERROR(r.String({"group_name"}, &in->group_name));
  r.Extras({"input_tensor_dtype", "indices_tensor_dtype", "dense_shape_tensor_dtype", "encoded_tensor_dtype",
            "gradient_tensor_names", "gradient_tensor_dtypes", "weight_values_name", "weight_values_dtype",
            "weight_indices_name", "weight_indices_dtype", "weight_dense_shape_name", "weight_dense_shape_dtype",
            "is_sequential", "input_tensor_type"},
           &in->legacy_extra);
  return r.Finish();
}

Status ReadLegacyOutput(const Json& j, const std::string& where, OutputMetadata* out) {
  XAI_RETURN_IF_ERROR(RequireObject(j, where));
  ObjectReader r(j, where);
  XAI_RETURN_IF_ERROR(r.String({"output_tensor_name"}, &out->output_tensor_name));
  XAI_RETURN_IF_ERROR(r.Array({"index_name_mapping"}, &out->index_display_name_mapping));
  XAI_RETURN_IF_ERROR(r.String({"index_name_mapping_key"}, &out->display_name_mapping_key));
  r.Extras({"output_tensor_dtype"}, &out->legacy_extra);
  return r.Finish();
}

// ---- Shared top level ------------------------------------------------------

Status ReadTop(const Json& doc, MetadataFormat format, ExplanationMetadata* md) {
  XAI_RETURN_IF_ERROR(RequireObject(doc, "explanation metadata"));
  ObjectReader r(doc, "explanation metadata");
  const Json* inputs = r.Find({"inputs"});
  const Json* outputs = r.Find({"outputs"});
  if (!inputs) return absl::InvalidArgumentError("explanation metadata has no 'inputs'");
  if (!outputs) return absl::InvalidArgumentError("explanation metadata has no 'outputs'");
  XAI_RETURN_IF_ERROR(RequireObject(*inputs, "'inputs'"));
  XAI_RETURN_IF_ERROR(RequireObject(*outputs, "'outputs'"));
  if (outputs->size() != 1) {
    std::vector<std::string> keys;
    for (auto it = outputs->begin(); it != outputs->end(); ++it) keys.push_back(it.key());
    return absl::InvalidArgumentError("explanation metadata must have exactly one output (as in Vertex); got " +
                                      std::to_string(outputs->size()) +
                                      (keys.empty() ? "" : ": " + absl::StrJoin(keys, ", ")));
  }
  bool vertex = format == MetadataFormat::kVertex;
  for (auto it = inputs->begin(); it != inputs->end(); ++it) {
    std::string where = "inputs['" + it.key() + "']";
    InputMetadata in;
    XAI_RETURN_IF_ERROR(vertex ? ReadVertexInput(it.value(), where, &in) : ReadLegacyInput(it.value(), where, &in));
    md->inputs[it.key()] = std::move(in);
  }
  md->output_name = outputs->begin().key();
  std::string where = "outputs['" + md->output_name + "']";
  XAI_RETURN_IF_ERROR(vertex ? ReadVertexOutput(outputs->begin().value(), where, &md->output)
                             : ReadLegacyOutput(outputs->begin().value(), where, &md->output));
  if (vertex) {
    XAI_RETURN_IF_ERROR(r.String({"featureAttributionsSchemaUri", "feature_attributions_schema_uri"},
                                 &md->feature_attributions_schema_uri));
    XAI_RETURN_IF_ERROR(r.String({"latentSpaceSource", "latent_space_source"}, &md->latent_space_source));
  } else {
    r.Extras({"framework", "tags", "preparer_version", "embeddings", "sigdef_inputs", "serving_sigdef_key"},
             &md->legacy_top);
  }
  return r.Finish();
}

// ---- Writers ---------------------------------------------------------------

void PutString(Json& j, const char* key, const std::string& v) {
  if (!v.empty()) j[key] = v;
}
void PutNumber(Json& j, const char* key, const std::optional<double>& v) {
  if (v) j[key] = *v;
}

Json WriteVertexInput(const InputMetadata& in) {
  Json j = Json::object();
  if (in.input_baselines) j["inputBaselines"] = *in.input_baselines;
  PutString(j, "inputTensorName", in.input_tensor_name);
  PutString(j, "encoding", in.encoding);
  PutString(j, "modality", in.modality);
  if (in.feature_value_domain) {
    Json d = Json::object();
    PutNumber(d, "minValue", in.feature_value_domain->min_value);
    PutNumber(d, "maxValue", in.feature_value_domain->max_value);
    PutNumber(d, "originalMean", in.feature_value_domain->original_mean);
    PutNumber(d, "originalStddev", in.feature_value_domain->original_stddev);
    j["featureValueDomain"] = d;
  }
  PutString(j, "indicesTensorName", in.indices_tensor_name);
  PutString(j, "denseShapeTensorName", in.dense_shape_tensor_name);
  if (!in.index_feature_mapping.empty()) j["indexFeatureMapping"] = in.index_feature_mapping;
  PutString(j, "encodedTensorName", in.encoded_tensor_name);
  if (in.encoded_baselines) j["encodedBaselines"] = *in.encoded_baselines;
  if (in.visualization) {
    const Visualization& v = *in.visualization;
    Json vj = Json::object();
    PutString(vj, "type", v.type);
    PutString(vj, "polarity", v.polarity);
    PutString(vj, "colorMap", v.color_map);
    PutNumber(vj, "clipPercentUpperbound", v.clip_percent_upperbound);
    PutNumber(vj, "clipPercentLowerbound", v.clip_percent_lowerbound);
    PutString(vj, "overlayType", v.overlay_type);
    j["visualization"] = vj;
  }
  PutString(j, "groupName", in.group_name);
  return j;
}

Json WriteLegacyInput(const InputMetadata& in) {
  Json j = Json::object();
  PutString(j, "input_tensor_name", in.input_tensor_name);
  PutString(j, "encoding", ToLower(in.encoding));
  PutString(j, "modality", in.modality);
  if (in.input_baselines) j["input_baselines"] = *in.input_baselines;
  if (in.feature_value_domain) {
    Json d = Json::object();
    PutNumber(d, "min", in.feature_value_domain->min_value);
    PutNumber(d, "max", in.feature_value_domain->max_value);
    PutNumber(d, "original_mean", in.feature_value_domain->original_mean);
    PutNumber(d, "original_stddev", in.feature_value_domain->original_stddev);
    j["domain"] = d;
  }
  PutString(j, "indices_tensor_name", in.indices_tensor_name);
  PutString(j, "dense_shape_tensor_name", in.dense_shape_tensor_name);
  if (!in.index_feature_mapping.empty()) j["index_feature_mapping"] = in.index_feature_mapping;
  PutString(j, "encoded_tensor_name", in.encoded_tensor_name);
  if (in.encoded_baselines) j["encoded_baselines"] = *in.encoded_baselines;
  if (in.visualization) {
    const Visualization& v = *in.visualization;
    Json vj = Json::object();
    PutString(vj, "type", ToLower(v.type));
    PutString(vj, "polarity", ToLower(v.polarity));
    PutString(vj, "color_map", ToLower(v.color_map));
    PutNumber(vj, "clip_above_percentile", v.clip_percent_upperbound);
    PutNumber(vj, "clip_below_percentile", v.clip_percent_lowerbound);
    PutString(vj, "overlay_type", ToLower(v.overlay_type));
    for (auto it = v.legacy_extra.begin(); it != v.legacy_extra.end(); ++it) vj[it.key()] = it.value();
    j["visualization"] = vj;
  }
  PutString(j, "group_name", in.group_name);
  for (auto it = in.legacy_extra.begin(); it != in.legacy_extra.end(); ++it) j[it.key()] = it.value();
  return j;
}

}  // namespace

bool FeatureValueDomain::operator==(const FeatureValueDomain& o) const {
  return min_value == o.min_value && max_value == o.max_value && original_mean == o.original_mean &&
         original_stddev == o.original_stddev;
}
bool Visualization::operator==(const Visualization& o) const {
  return type == o.type && polarity == o.polarity && color_map == o.color_map &&
         clip_percent_upperbound == o.clip_percent_upperbound &&
         clip_percent_lowerbound == o.clip_percent_lowerbound && overlay_type == o.overlay_type &&
         legacy_extra == o.legacy_extra;
}
bool InputMetadata::operator==(const InputMetadata& o) const {
  return input_baselines == o.input_baselines && input_tensor_name == o.input_tensor_name &&
         encoding == o.encoding && modality == o.modality && feature_value_domain == o.feature_value_domain &&
         indices_tensor_name == o.indices_tensor_name && dense_shape_tensor_name == o.dense_shape_tensor_name &&
         index_feature_mapping == o.index_feature_mapping && encoded_tensor_name == o.encoded_tensor_name &&
         encoded_baselines == o.encoded_baselines && visualization == o.visualization &&
         group_name == o.group_name && legacy_extra == o.legacy_extra;
}
bool OutputMetadata::operator==(const OutputMetadata& o) const {
  return output_tensor_name == o.output_tensor_name && index_display_name_mapping == o.index_display_name_mapping &&
         display_name_mapping_key == o.display_name_mapping_key && legacy_extra == o.legacy_extra;
}
bool ExplanationMetadata::operator==(const ExplanationMetadata& o) const {
  return inputs == o.inputs && output_name == o.output_name && output == o.output &&
         feature_attributions_schema_uri == o.feature_attributions_schema_uri &&
         latent_space_source == o.latent_space_source && legacy_top == o.legacy_top;
}

namespace {

// `text` parsed; discarded when it is not JSON or nests too deep.
Json ParseBounded(const std::string& text) {
  if (!CheckJsonDepth(text, "explanation metadata").ok()) return Json(Json::value_t::discarded);
  return Json::parse(text, nullptr, /*allow_exceptions=*/false);  // also discarded on number overflow
}

}  // namespace

StatusOr<ExplanationMetadata> ParseMetadata(const std::string& text, MetadataFormat format) {
  XAI_RETURN_IF_ERROR(CheckJsonDepth(text, "explanation metadata"));
  Json doc = ParseBounded(text);
  if (doc.is_discarded()) return absl::InvalidArgumentError("explanation metadata is not valid JSON");
  ExplanationMetadata md;
  XAI_RETURN_IF_ERROR(ReadTop(doc, format, &md));
  if (md.output.index_display_name_mapping && !md.output.display_name_mapping_key.empty()) {
    return absl::InvalidArgumentError("outputs['" + md.output_name +
                                      "'] sets both the index display-name mapping and the mapping key; "
                                      "they are mutually exclusive");
  }
  return md;
}

MetadataFormat DetectMetadataFormat(const std::string& text) {
  Json doc = ParseBounded(text);
  if (!doc.is_object()) return MetadataFormat::kVertex;
  if (doc.contains("framework") || doc.contains("tags") || doc.contains("preparer_version")) {
    return MetadataFormat::kLegacy;
  }
  for (const char* section : {"inputs", "outputs"}) {
    if (!doc.contains(section) || !doc[section].is_object()) continue;
    for (const auto& [k, v] : doc[section].items()) {
      if (v.is_object() && (v.contains("domain") || v.contains("index_name_mapping") ||
                            v.contains("input_tensor_dtype") || v.contains("output_tensor_dtype"))) {
        return MetadataFormat::kLegacy;
      }
    }
  }
  return MetadataFormat::kVertex;
}

std::string WriteMetadata(const ExplanationMetadata& md, MetadataFormat format) {
  Json doc = Json::object();
  Json inputs = Json::object();
  for (const auto& [name, in] : md.inputs) {
    inputs[name] = format == MetadataFormat::kVertex ? WriteVertexInput(in) : WriteLegacyInput(in);
  }
  doc["inputs"] = inputs;
  Json out = Json::object();
  if (format == MetadataFormat::kVertex) {
    if (md.output.index_display_name_mapping) out["indexDisplayNameMapping"] = *md.output.index_display_name_mapping;
    PutString(out, "displayNameMappingKey", md.output.display_name_mapping_key);
    PutString(out, "outputTensorName", md.output.output_tensor_name);
  } else {
    PutString(out, "output_tensor_name", md.output.output_tensor_name);
    if (md.output.index_display_name_mapping) out["index_name_mapping"] = *md.output.index_display_name_mapping;
    PutString(out, "index_name_mapping_key", md.output.display_name_mapping_key);
    for (auto it = md.output.legacy_extra.begin(); it != md.output.legacy_extra.end(); ++it) out[it.key()] = it.value();
  }
  doc["outputs"] = Json{{md.output_name, out}};
  if (format == MetadataFormat::kVertex) {
    PutString(doc, "featureAttributionsSchemaUri", md.feature_attributions_schema_uri);
    PutString(doc, "latentSpaceSource", md.latent_space_source);
  } else {
    if (!md.legacy_top.contains("framework")) doc["framework"] = "tensorflow";
    for (auto it = md.legacy_top.begin(); it != md.legacy_top.end(); ++it) doc[it.key()] = it.value();
  }
  return doc.dump(2) + "\n";
}

std::optional<std::string> ExtraOutputsProblem(const std::string& text) {
  Json doc = ParseBounded(text);
  if (!doc.is_object() || !doc.contains("outputs") || !doc["outputs"].is_object() || doc["outputs"].size() < 2) {
    return std::nullopt;
  }
  std::string keys;
  for (auto it = doc["outputs"].begin(); it != doc["outputs"].end(); ++it) {
    keys += (keys.empty() ? "'" : ", '") + it.key() + "'";
  }
  return "metadata has " + std::to_string(doc["outputs"].size()) + " outputs (" + keys +
         "); Vertex explains exactly one: keep one of them";
}

}  // namespace xai
