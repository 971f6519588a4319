#include "xai/service/explain.h"

#include <algorithm>
#include <cstring>
#include <iostream>
#include <numeric>

#include "xai/attribution/attribution.h"
#include "xai/base/json_util.h"
#include "xai/metadata/builder.h"
#include "xai/metadata/checker.h"
#include "xai/service/predict.h"

namespace xai {
namespace {


Status CheckRange(const char* name, int value, int lo, int hi) {
  if (value >= lo && value <= hi) return absl::OkStatus();
  return absl::InvalidArgumentError(std::string(name) + " must be in [" + std::to_string(lo) + ", " +
                                    std::to_string(hi) + "] as in Vertex, got " + std::to_string(value));
}

// `*out` = the integer under `camel` or `snake` in `object` (left as is when absent).
template <typename T>
Status ReadInteger(const Json& object, const char* camel, const char* snake, T* out) {
  for (const char* key : {camel, snake}) {
    if (!object.is_object() || !object.contains(key)) continue;
    const Json& v = object[key];
    if (!v.is_number_integer()) {
      return absl::InvalidArgumentError(std::string("explanation parameter ") + camel + " must be an integer, got " +
                                        v.dump());
    }
    *out = v.get<T>();
  }
  return absl::OkStatus();
}

Status ReadParameters(const Json& p, ExplainOptions* o) {
  if (!p.is_object()) return absl::InvalidArgumentError("explanation parameters must be an object, got " + p.dump());
  for (auto it = p.begin(); it != p.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    if (k == "integratedGradientsAttribution" || k == "integrated_gradients_attribution") {
      o->method = "integrated_gradients";
      XAI_RETURN_IF_ERROR(ReadInteger(v, "stepCount", "step_count", &o->step_count));
    } else if (k == "sampledShapleyAttribution" || k == "sampled_shapley_attribution") {
      o->method = "sampled_shapley";
      XAI_RETURN_IF_ERROR(ReadInteger(v, "pathCount", "path_count", &o->path_count));
    } else if (k == "topK" || k == "top_k") {
      XAI_RETURN_IF_ERROR(ReadInteger(p, "topK", "top_k", &o->top_k));
    } else if (k == "outputIndices" || k == "output_indices") {
      o->output_indices.clear();
      for (const auto& e : v) {
        const Json& index = e.is_array() && !e.empty() ? e[0] : e;
        if (!index.is_number_integer()) {
          return absl::InvalidArgumentError("outputIndices must hold integers, got " + e.dump());
        }
        o->output_indices.push_back(index.get<int64_t>());
      }
    } else if (k == "xraiAttribution" || k == "xrai_attribution" || k == "examples") {
      return absl::UnimplementedError("explanation method '" + k + "' is not available in xai yet");
    } else {
      return absl::InvalidArgumentError("unknown field '" + k + "' in explanation parameters");
    }
  }
  return absl::OkStatus();
}

// Per-instance tensor: [N, ...] from a JSON baseline value (scalar broadcast,
// or one instance's shape), for a feature of `like`'s shape and dtype.
StatusOr<Tensor> BaselineTensor(const Json& value, const Tensor& like, const std::string& where) {
  Tensor out(like.dtype(), like.shape());
  int64_t per = like.row_size(), n = like.shape().empty() ? 0 : like.shape()[0];
  std::vector<Json> flat;
  std::function<void(const Json&)> collect = [&](const Json& j) {
    if (j.is_array()) {
      for (const auto& e : j) collect(e);
    } else {
      flat.push_back(j);
    }
  };
  collect(value);
  if (flat.size() != 1 && static_cast<int64_t>(flat.size()) != per) {
    return absl::InvalidArgumentError(where + " has " + std::to_string(flat.size()) +
                                      " values; expected 1 (broadcast) or " + std::to_string(per));
  }
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t e = 0; e < per; ++e) {
      const Json& v = flat[flat.size() == 1 ? 0 : e];
      if (like.dtype() == DType::kString) {
        out.strings()[i * per + e] = v.is_string() ? v.get<std::string>() : v.dump();
      } else if (like.dtype() == DType::kFloat && v.is_number()) {
        out.data<float>()[i * per + e] = v.get<float>();
      } else if (like.dtype() == DType::kInt64 && v.is_number_integer()) {
        out.data<int64_t>()[i * per + e] = v.get<int64_t>();
      } else if (like.dtype() == DType::kInt32 && v.is_number_integer()) {
        out.data<int32_t>()[i * per + e] = v.get<int32_t>();
      } else {
        return absl::InvalidArgumentError(where + " value " + v.dump() + " does not fit a " + DTypeName(like.dtype()) +
                                          " tensor");
      }
    }
  }
  return out;
}

struct Prepared {
  const SignatureInfo* sig = nullptr;
  std::vector<std::pair<std::string, Tensor>> feeds;  // signature inputs, tensor names
  std::map<std::string, Tensor> inputs;               // by key
  int64_t n = 0;
};

// Instances → the model signature's inputs (through xai_preprocess when chained).
StatusOr<Prepared> PrepareInputs(Model& model, const Json& instances, const SignatureChoice& choice) {
  Prepared p;
  const MetaGraphInfo& mg = model.meta_graph();
  XAI_ASSIGN_OR_RETURN(p.sig, mg.FindSignature(choice.model_signature));
  std::string first = choice.preprocess_signature.empty() ? choice.model_signature : choice.preprocess_signature;
  Json body = {{"signature_name", first}, {"instances", instances}};
  XAI_ASSIGN_OR_RETURN(PredictRequest request, ParsePredictRequest(body.dump(), mg, first));
  p.inputs = request.inputs;
  if (!choice.preprocess_signature.empty()) {
    XAI_ASSIGN_OR_RETURN(p.inputs, model.RunSignature(choice.preprocess_signature, request.inputs));
  }
  std::map<std::string, Tensor> model_inputs;
  for (const auto& in : p.sig->inputs) {
    auto it = p.inputs.find(in.key);
    if (it == p.inputs.end()) {
      return absl::InvalidArgumentError("signature '" + p.sig->key + "' needs input '" + in.key +
                                        "', which the instances do not provide");
    }
    p.feeds.emplace_back(CanonicalTensorName(in.name), it->second);
    p.n = it->second.shape().empty() ? 1 : it->second.shape()[0];
    model_inputs[in.key] = it->second;
  }
  p.inputs = std::move(model_inputs);
  return p;
}

// Values of flat tensors for the instances: fed ones as given, every other
// one from a single model run.
StatusOr<std::vector<Tensor>> TensorValues(Model& model, const Prepared& p, const std::vector<std::string>& tensors) {
  std::vector<Tensor> values(tensors.size());
  std::vector<std::string> fetches;
  std::vector<size_t> fetched;
  for (size_t i = 0; i < tensors.size(); ++i) {
    auto fed = std::find_if(p.feeds.begin(), p.feeds.end(), [&](const auto& f) { return f.first == tensors[i]; });
    if (fed != p.feeds.end()) {
      values[i] = fed->second;
    } else {
      fetches.push_back(tensors[i]);
      fetched.push_back(i);
    }
  }
  if (fetches.empty()) return values;
  XAI_ASSIGN_OR_RETURN(std::vector<Tensor> out, model.RunFlat(p.sig->key, p.feeds, fetches));
  for (size_t k = 0; k < fetched.size(); ++k) values[fetched[k]] = std::move(out[k]);
  return values;
}

struct FeaturePlan {
  std::string key;
  const InputMetadata* md;
  FeatureTensor tensor;
};

// Features of the metadata with their values and baselines, and the value of
// `output_tensor` (`*prediction`), computed together.
StatusOr<std::vector<FeaturePlan>> PlanFeatures(Model& model, const Prepared& p, const GraphView& graph,
                                                const ExplanationMetadata& md, bool gradients,
                                                const std::string& output_tensor, Tensor* prediction) {
  std::vector<FeaturePlan> plans;
  std::vector<std::string> tensors;
  for (const auto& [key, in] : md.inputs) {
    if (!in.indices_tensor_name.empty()) {
      // Sparse values are not laid out per instance; attributing them needs
      // per-instance gathering that xai does not do yet.
      std::cerr << "xai: note: sparse feature '" << key << "' is not attributed (not supported yet)\n";
      continue;
    }
    bool encoded = gradients && !in.encoded_tensor_name.empty();
    XAI_ASSIGN_OR_RETURN(ResolvedTensor r, ResolveTensor(*p.sig, graph,
                                                         encoded ? in.encoded_tensor_name : in.input_tensor_name, false));
    FeaturePlan plan{key, &in, {}};
    plan.tensor.name = key;
    plan.tensor.tensor = r.tensor;
    plans.push_back(std::move(plan));
    tensors.push_back(r.tensor);
  }
  tensors.push_back(output_tensor);
  XAI_ASSIGN_OR_RETURN(std::vector<Tensor> values, TensorValues(model, p, tensors));
  *prediction = std::move(values.back());
  for (size_t f = 0; f < plans.size(); ++f) {
    FeaturePlan& plan = plans[f];
    plan.tensor.value = std::move(values[f]);
    bool encoded = gradients && !plan.md->encoded_tensor_name.empty();
    const std::optional<Json>& baselines = encoded ? plan.md->encoded_baselines : plan.md->input_baselines;
    if (baselines && !baselines->empty()) {
      for (size_t b = 0; b < baselines->size(); ++b) {
        XAI_ASSIGN_OR_RETURN(Tensor t, BaselineTensor((*baselines)[b], plan.tensor.value,
                                                      "inputs['" + plan.key + "'] baseline " + std::to_string(b)));
        plan.tensor.baselines.push_back(std::move(t));
      }
    } else {
      plan.tensor.baselines.emplace_back(plan.tensor.value.dtype(), plan.tensor.value.shape());  // zeros / ""
    }
  }
  return plans;
}

// Explained output elements per instance: output_indices, else top_k, else argmax.
std::vector<std::vector<int64_t>> ChooseOutputs(const Tensor& out, const ExplainOptions& o) {
  int64_t n = out.shape().empty() ? 1 : out.shape()[0], per = out.row_size();
  std::vector<std::vector<int64_t>> chosen(n);
  for (int64_t i = 0; i < n; ++i) {
    if (!o.output_indices.empty()) {
      chosen[i] = o.output_indices;
      continue;
    }
    std::vector<int64_t> idx(per);
    std::iota(idx.begin(), idx.end(), 0);
    std::stable_sort(idx.begin(), idx.end(),
                     [&](int64_t a, int64_t b) { return out.AsDouble(i * per + a) > out.AsDouble(i * per + b); });
    idx.resize(std::min<int64_t>(per, o.top_k > 0 ? o.top_k : 1));
    chosen[i] = idx;
  }
  return chosen;
}

// One instance's attribution of a feature as JSON, shaped like the input.
Json AttributionJson(const Tensor& attr, int64_t i, const InputMetadata& in, bool scalar) {
  int64_t per = attr.row_size();
  const float* a = attr.data<float>() + i * per;
  if (scalar || in.encoding == "COMBINED_EMBEDDING") return std::accumulate(a, a + per, 0.0);
  std::vector<int64_t> shape(attr.shape().begin() + 1, attr.shape().end());
  if (in.encoding == "CONCAT_EMBEDDING" && !shape.empty()) {  // one value per input element
    int64_t last = shape.back();
    shape.pop_back();
    Json flat = Json::array();
    for (int64_t e = 0; e < per / last; ++e) flat.push_back(std::accumulate(a + e * last, a + (e + 1) * last, 0.0));
    return flat;
  }
  std::function<Json(size_t, int64_t*)> nest = [&](size_t level, int64_t* next) -> Json {
    if (level == shape.size()) return static_cast<double>(a[(*next)++]);
    Json arr = Json::array();
    for (int64_t k = 0; k < shape[level]; ++k) arr.push_back(nest(level + 1, next));
    return arr;
  };
  int64_t next = 0;
  return nest(0, &next);
}

Json Total(const Json& v) {
  if (!v.is_array()) return v;
  double s = 0;
  for (const auto& e : v) s += Total(e).get<double>();
  return s;
}

}  // namespace

Status ApplyExplanationSpec(const Json& spec, ExplainOptions* options, std::optional<ExplanationMetadata>* metadata) {
  if (!spec.is_object()) return absl::InvalidArgumentError("explanation spec must be a JSON object");
  if (!spec.contains("parameters") && !spec.contains("metadata")) return ReadParameters(spec, options);
  for (auto it = spec.begin(); it != spec.end(); ++it) {
    if (it.key() == "parameters") {
      XAI_RETURN_IF_ERROR(ReadParameters(it.value(), options));
    } else if (it.key() == "metadata") {
      XAI_ASSIGN_OR_RETURN(ExplanationMetadata md, ParseMetadata(it.value().dump(), MetadataFormat::kVertex));
      *metadata = std::move(md);
    } else {
      return absl::InvalidArgumentError("unknown field '" + it.key() + "' in the explanation spec");
    }
  }
  return absl::OkStatus();
}

StatusOr<std::string> HandleExplain(Model& model, const std::string& body, std::optional<ExplanationMetadata> metadata,
                                    ExplainOptions options) {
  Json request = Json::parse(QuoteNonFiniteTokens(body), nullptr, false);
  if (request.is_discarded() || !request.is_object()) {
    return absl::InvalidArgumentError("the :explain request must be a JSON object with \"instances\"");
  }
  for (auto it = request.begin(); it != request.end(); ++it) {
    if (it.key() == "explanationSpecOverride" || it.key() == "explanation_spec_override") {
      XAI_RETURN_IF_ERROR(ApplyExplanationSpec(it.value(), &options, &metadata));
    } else if (it.key() != "instances" && it.key() != "parameters") {
      return absl::InvalidArgumentError("unknown field '" + it.key() +
                                        "' in the :explain request; expected instances, parameters, "
                                        "explanationSpecOverride");
    }
  }
  if (!request.contains("instances")) return absl::InvalidArgumentError("the :explain request has no \"instances\"");
  XAI_RETURN_IF_ERROR(CheckRange("step_count", options.step_count, 1, 100));
  XAI_RETURN_IF_ERROR(CheckRange("path_count", options.path_count, 1, 50));
  if (options.method != "integrated_gradients" && options.method != "sampled_shapley") {
    return absl::InvalidArgumentError("unknown method '" + options.method +
                                      "'; expected integrated_gradients or sampled_shapley");
  }
  std::string signature = options.signature;
  if (!metadata) {
    BuildOptions build;
    build.signature = signature;
    XAI_ASSIGN_OR_RETURN(ExplanationMetadata built, BuildMetadata(model, build));
    metadata = std::move(built);
  }
  XAI_ASSIGN_OR_RETURN(SignatureChoice choice, ChooseSignature(model.meta_graph(), signature));
  XAI_ASSIGN_OR_RETURN(Prepared p, PrepareInputs(model, request["instances"], choice));
  // Runs the model once on the instances: checks their dtypes and shapes
  // against the signature and gives the response's predictions.
  XAI_ASSIGN_OR_RETURN(auto outputs, model.RunSignature(p.sig->key, p.inputs));
  XAI_ASSIGN_OR_RETURN(const GraphView* graph, model.SignatureGraph(p.sig->key));
  bool ig = options.method == "integrated_gradients";
  XAI_ASSIGN_OR_RETURN(ResolvedTensor out, ResolveTensor(*p.sig, *graph, metadata->output.output_tensor_name, true));
  Tensor prediction;
  XAI_ASSIGN_OR_RETURN(std::vector<FeaturePlan> plans,
                       PlanFeatures(model, p, *graph, *metadata, ig, out.tensor, &prediction));
  std::vector<std::vector<int64_t>> chosen = ChooseOutputs(prediction, options);

  std::vector<FeatureTensor> features;
  for (const auto& plan : plans) features.push_back(plan.tensor);
  AttributionTarget target;
  target.signature = p.sig->key;
  target.output_tensor = out.tensor;
  for (const auto& feed : p.feeds) {
    bool is_feature = std::any_of(features.begin(), features.end(), [&](const FeatureTensor& f) { return f.tensor == feed.first; });
    if (!is_feature) target.fixed_feeds.push_back(feed);
  }
  size_t rank = chosen.empty() ? 0 : chosen[0].size();
  Json explanations = Json::array();
  for (int64_t i = 0; i < p.n; ++i) explanations.push_back({{"attributions", Json::array()}});
  for (size_t r = 0; r < rank; ++r) {
    target.output_index.clear();
    for (const auto& c : chosen) target.output_index.push_back(c[r]);
    StatusOr<AttributionResult> result;
    if (ig) {
      IgOptions ig_options;
      ig_options.step_count = options.step_count;
      XAI_ASSIGN_OR_RETURN(ig_options.rule, ParseQuadratureRule(options.quadrature));
      ig_options.memory_budget_bytes = options.memory_budget_bytes;
      result = IntegratedGradients(model, target, features, ig_options);
    } else {
      ShapleyOptions ss;
      ss.path_count = options.path_count;
      ss.seed = options.seed;
      ss.memory_budget_bytes = options.memory_budget_bytes;
      result = SampledShapley(model, target, features, ss);
    }
    if (!result.ok()) return result.status();
    for (int64_t i = 0; i < p.n; ++i) {
      Json attributions = Json::object();
      for (size_t f = 0; f < plans.size(); ++f) {
        Json v = AttributionJson(result->attributions[f], i, *plans[f].md, !ig);
        const std::string& group = plans[f].md->group_name;
        if (group.empty()) {
          attributions[plans[f].key] = v;
        } else {
          double prev = attributions.contains(group) ? attributions[group].get<double>() : 0.0;
          attributions[group] = prev + Total(v).get<double>();
        }
      }
      int64_t k = target.output_index[i];
      Json entry = {{"baselineOutputValue", result->baseline_output[i]},
                    {"instanceOutputValue", result->instance_output[i]},
                    {"featureAttributions", attributions},
                    {"outputIndex", Json::array({k})},
                    {"approximationError", result->approximation_error[i]},
                    {"outputName", metadata->output_name}};
      const auto& names = metadata->output.index_display_name_mapping;
      if (names && names->is_array() && k < static_cast<int64_t>(names->size())) {
        entry["outputDisplayName"] = (*names)[k];
      }
      explanations[i]["attributions"].push_back(entry);
    }
  }
  XAI_ASSIGN_OR_RETURN(std::string predict_text, FormatPredictResponse(RequestFormat::kRow, outputs));
  Json response = {{"explanations", explanations},
                   {"predictions", Json::parse(QuoteNonFiniteTokens(predict_text))["predictions"]}};
  return response.dump(2) + "\n";
}

}  // namespace xai
