#include "xai/explain/explain.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <numeric>
#include <sstream>

#include "xai/attribution/attribution.h"
#include "xai/attribution/blur.h"
#include "xai/base/json_shape.h"
#include "xai/explain/explain_xrai.h"
#include "xai/metadata/builder.h"
#include "xai/metadata/checker.h"

namespace xai {
namespace {


struct TargetErrorReport {
  int step_count = 0;        // the largest step_count used
  double worst_error = 0;    // the largest approximationError at that point
  bool reached = true;
};

// IG; with a target error, repeated with step_count doubled (capped at 100)
// until every instance's approximationError <= target.
StatusOr<AttributionResult> IgToTarget(Model& model, const AttributionTarget& target,
                                       const std::vector<FeatureTensor>& features, IgOptions ig,
                                       std::optional<double> target_error, TargetErrorReport* report) {
  while (true) {
    XAI_ASSIGN_OR_RETURN(AttributionResult result, IntegratedGradients(model, target, features, ig));
    if (!target_error) return result;
    double worst = 0;
    for (double e : result.approximation_error) worst = std::max(worst, e);
    if (worst <= *target_error || ig.step_count >= 100) {
      report->reached = report->reached && worst <= *target_error;
      report->step_count = std::max(report->step_count, ig.step_count);
      report->worst_error = std::max(report->worst_error, worst);
      return result;
    }
    ig.step_count = std::min(100, 2 * ig.step_count);
  }
}

// Per-instance tensor: [N, ...] from a JSON baseline value (scalar broadcast,
// or one instance's shape), for a feature of `like`'s shape and dtype.
StatusOr<Tensor> BaselineTensor(const Json& value, const Tensor& like, const std::string& where) {
  Tensor out(like.dtype(), like.shape());
  int64_t per = like.row_size(), n = like.shape().empty() ? 0 : like.shape()[0];
  std::vector<Json> flat = NestedListLeaves(value);
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

// The instances → the model signature's inputs (through xai_preprocess when
// chained), checked against the signatures' dtypes and shapes.
StatusOr<Prepared> PrepareInputs(Model& model, const std::map<std::string, Tensor>& given,
                                 const SignatureChoice& choice) {
  Prepared p;
  const MetaGraphInfo& mg = model.meta_graph();
  XAI_ASSIGN_OR_RETURN(p.sig, mg.FindSignature(choice.model_signature));
  p.inputs = given;
  if (!choice.preprocess_signature.empty()) {
    XAI_ASSIGN_OR_RETURN(p.inputs, model.RunSignature(choice.preprocess_signature, given));
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
  XAI_RETURN_IF_ERROR(model.CheckInputs(p.sig->key, choice.preprocess_signature.empty() ? given : model_inputs));
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
  std::vector<size_t> slots;  // positions of its tensors' values: the value (sparse: values, indices, dense_shape)
};

// Sparse attribution layout for an input: with gradients an encoded tensor
// (dense) is attributed instead.
bool IsSparse(const InputMetadata& in, bool gradients) {
  return !in.indices_tensor_name.empty() && !(gradients && !in.encoded_tensor_name.empty());
}

// Resolves the tensors of input `key` (sparse: values, indices, dense_shape),
// appending them to `tensors`.
StatusOr<FeaturePlan> ResolveFeature(const Prepared& p, const GraphView& graph, const std::string& key,
                                     const InputMetadata& in, bool gradients, std::vector<std::string>* tensors) {
  bool encoded = gradients && !in.encoded_tensor_name.empty();
  std::vector<std::string> names = {encoded ? in.encoded_tensor_name : in.input_tensor_name};
  if (IsSparse(in, gradients)) {
    if (in.dense_shape_tensor_name.empty()) {
      return absl::InvalidArgumentError("inputs['" + key + "'] has indices_tensor_name but no dense_shape_tensor_name; "
                                        "a sparse input needs both");
    }
    names.push_back(in.indices_tensor_name);
    names.push_back(in.dense_shape_tensor_name);
  }
  FeaturePlan plan{key, &in, {}, {}};
  plan.tensor.name = key;
  std::vector<std::string> resolved;
  for (const auto& name : names) {
    XAI_ASSIGN_OR_RETURN(ResolvedTensor r, ResolveTensor(*p.sig, graph, name, false));
    plan.slots.push_back(tensors->size());
    tensors->push_back(r.tensor);
    resolved.push_back(r.tensor);
  }
  plan.tensor.tensor = resolved[0];
  if (resolved.size() == 3) {
    plan.tensor.sparse = SparseLayout();
    plan.tensor.sparse->indices_tensor = resolved[1];
    plan.tensor.sparse->dense_shape_tensor = resolved[2];
  }
  return plan;
}

// Sets the sparse value's padding (entries past each instance's count) to 0 / "".
void ClearPadding(const SparseLayout& s, Tensor* t) {
  for (size_t i = 0; i < s.counts.size(); ++i) {
    for (int64_t c = s.counts[i]; c < s.width; ++c) {
      int64_t e = static_cast<int64_t>(i) * s.width + c;
      if (t->dtype() == DType::kString) {
        t->strings()[e].clear();
      } else {
        std::memset(t->bytes().data() + e * DTypeSize(t->dtype()), 0, DTypeSize(t->dtype()));
      }
    }
  }
}

// One baseline of a feature from the metadata. Sparse: a single value (a
// number, or nested one-element lists) used for each of the instance's
// entries, indices kept.
StatusOr<Tensor> FeatureBaseline(const Json& value, const FeatureTensor& f, const std::string& where) {
  if (!f.sparse) return BaselineTensor(value, f.value, where);
  Json leaf = value;
  while (leaf.is_array() && leaf.size() == 1) leaf = Json(leaf[0]);
  if (leaf.is_array()) {
    return absl::InvalidArgumentError(where + " is " + value.dump() + "; a sparse input's baseline is one value, "
                                      "used for each of the instance's entries");
  }
  XAI_ASSIGN_OR_RETURN(Tensor t, BaselineTensor(leaf, f.value, where));
  ClearPadding(*f.sparse, &t);
  return t;
}

// Fills the plan's value (sparse: packed per instance) and baselines.
Status FillFeature(const std::vector<Tensor>& values, int64_t n, bool gradients, FeaturePlan* plan) {
  FeatureTensor& f = plan->tensor;
  if (f.sparse) {
    XAI_ASSIGN_OR_RETURN(f.value, PackSparse(values[plan->slots[0]], values[plan->slots[1]], values[plan->slots[2]], n,
                                             &*f.sparse));
  } else {
    f.value = values[plan->slots[0]];
  }
  bool encoded = gradients && !plan->md->encoded_tensor_name.empty();
  const std::optional<Json>& baselines = encoded ? plan->md->encoded_baselines : plan->md->input_baselines;
  if (!baselines || baselines->empty()) {
    f.baselines.emplace_back(f.value.dtype(), f.value.shape());  // zeros / ""
    return absl::OkStatus();
  }
  for (size_t b = 0; b < baselines->size(); ++b) {
    XAI_ASSIGN_OR_RETURN(Tensor t, FeatureBaseline((*baselines)[b], f,
                                                   "inputs['" + plan->key + "'] baseline " + std::to_string(b)));
    f.baselines.push_back(std::move(t));
  }
  return absl::OkStatus();
}

// Features of the metadata with their values and baselines, and the value of
// `output_tensor` (`*prediction`), computed together. Sparse inputs
// (indices_tensor_name + dense_shape_tensor_name) get a SparseLayout.
// The signature's outputs (`*outputs`, by key) come from the same run.
StatusOr<std::vector<FeaturePlan>> PlanFeatures(Model& model, const Prepared& p, const GraphView& graph,
                                                const ExplanationMetadata& md, bool gradients,
                                                const std::string& output_tensor, Tensor* prediction,
                                                std::map<std::string, Tensor>* outputs) {
  std::vector<FeaturePlan> plans;
  std::vector<std::string> tensors;
  for (const auto& [key, in] : md.inputs) {
    XAI_ASSIGN_OR_RETURN(FeaturePlan plan, ResolveFeature(p, graph, key, in, gradients, &tensors));
    plans.push_back(std::move(plan));
  }
  const size_t first_output = tensors.size();
  for (const auto& o : p.sig->outputs) tensors.push_back(o.key);
  tensors.push_back(output_tensor);
  XAI_ASSIGN_OR_RETURN(std::vector<Tensor> values, TensorValues(model, p, tensors));
  *prediction = std::move(values.back());
  for (size_t k = 0; k < p.sig->outputs.size(); ++k) {
    (*outputs)[p.sig->outputs[k].key] = std::move(values[first_output + k]);
  }
  for (auto& plan : plans) XAI_RETURN_IF_ERROR(FillFeature(values, p.n, gradients, &plan));
  return plans;
}

// top_k: -1 (every output), 0 (the default: argmax) or >= 1 (Vertex).
// Explained output elements per instance: output_indices, else top_k (-1:
// all), else argmax. Without output_indices, by instance output descending
// (ties keep index order).
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
    idx.resize(o.top_k == -1 ? per : std::min<int64_t>(per, o.top_k > 0 ? o.top_k : 1));
    chosen[i] = idx;
  }
  return chosen;
}

// InvalidArgument unless every output_indices entry is an element of one
// instance's output.
Status CheckOutputIndices(const Tensor& out, const ExplainOptions& o) {
  int64_t per = out.row_size();
  for (int64_t k : o.output_indices) {
    if (k < 0 || k >= per) {
      return absl::InvalidArgumentError("output index " + std::to_string(k) +
                                        " is out of range: the output has " + std::to_string(per) +
                                        " values per instance");
    }
  }
  return absl::OkStatus();
}

// A number as an ostream prints it ("0.01", "1e-12").
std::string FormatNumber(double v) {
  std::ostringstream text;
  text << v;
  return text.str();
}

// Encodings where "each index of the tensor is a separate feature named by
// index_feature_mapping" (Vertex).
bool IsBagEncoding(const std::string& encoding) {
  return encoding == "BAG_OF_FEATURES" || encoding == "BAG_OF_FEATURES_SPARSE" || encoding == "INDICATOR";
}

// Instance i's attribution of a feature as the response shows it (shaped
// like the input; sparse: one value per entry the instance has; a number for
// a Shapley player and COMBINED_EMBEDDING; bag encodings named), float64.
FeatureAttribution ShownAttribution(const std::string& key, const Tensor& attr, int64_t i, const InputMetadata& in,
                                    bool scalar, const FeatureTensor& f, bool per_element) {
  FeatureAttribution out;
  out.name = key;
  int64_t per = attr.row_size();
  const float* a = attr.data<float>() + i * per;
  std::vector<double> values;
  std::vector<int64_t> shape;
  if (scalar || in.encoding == "COMBINED_EMBEDDING") {
    values = {std::accumulate(a, a + per, 0.0)};
  } else if (f.sparse) {
    values.assign(a, a + f.sparse->counts[i]);
    shape = {f.sparse->counts[i]};
  } else {
    shape.assign(attr.shape().begin() + 1, attr.shape().end());
    if (in.encoding == "CONCAT_EMBEDDING" && !shape.empty()) {  // one value per input element
      int64_t last = shape.back();
      for (int64_t e = 0; e < per / last; ++e) values.push_back(std::accumulate(a + e * last, a + (e + 1) * last, 0.0));
      shape = {per / last};
    } else {
      values.assign(a, a + per);
    }
  }
  if (IsBagEncoding(in.encoding) && per_element) {  // {name: value} for the first names.size() elements
    size_t named = std::min(values.size(), in.index_feature_mapping.size());
    values.resize(named);
    out.element_names.assign(in.index_feature_mapping.begin(), in.index_feature_mapping.begin() + named);
    shape = {static_cast<int64_t>(named)};
  }
  out.values = Tensor(DType::kDouble, shape);
  std::copy(values.begin(), values.end(), out.values.data<double>());
  return out;
}

// Sum of an attribution's values, added up level by level of its nested
// shape (the order Vertex-style nested lists are totalled in).
double NestedTotal(const FeatureAttribution& v) {
  const Tensor& t = v.values;
  const double* x = t.data<double>();
  std::function<double(size_t, int64_t, int64_t)> sum = [&](size_t level, int64_t offset, int64_t stride) {
    if (level == t.shape().size()) return x[offset];
    int64_t inner = stride / std::max<int64_t>(1, t.shape()[level]);
    double s = 0;
    for (int64_t k = 0; k < t.shape()[level]; ++k) s += sum(level + 1, offset + k * inner, inner);
    return s;
  };
  return sum(0, 0, t.num_elements());
}

FeatureAttribution ScalarAttribution(const std::string& name, double value) {
  FeatureAttribution out;
  out.name = name;
  out.values = Tensor(DType::kDouble, {});
  out.values.data<double>()[0] = value;
  return out;
}

// Adds `v` under its key, or summed into its group (a number at the position
// of the group's first member).
// `groups` holds the positions in `out` that are group totals (a group
// named like an input never adds into that input).
void AddShown(const std::string& group, FeatureAttribution v, std::vector<FeatureAttribution>* out,
              std::map<std::string, size_t>* groups) {
  if (group.empty()) {
    out->push_back(std::move(v));
    return;
  }
  double total = NestedTotal(v);
  auto it = groups->find(group);
  if (it != groups->end()) {
    (*out)[it->second].values.data<double>()[0] += total;
    return;
  }
  (*groups)[group] = out->size();
  out->push_back(ScalarAttribution(group, 0.0 + total));
}

// Instance i's standard errors of a Shapley feature ([N] or [N, per] float64)
// shaped like its attribution: a number, or one per element (named for bags).
FeatureAttribution ShownStandardError(const std::string& key, const Tensor& se, int64_t i, const InputMetadata& in) {
  FeatureAttribution out;
  out.name = key;
  const int64_t per = se.shape().size() > 1 ? se.row_size() : 1;
  const double* s = se.data<double>() + i * per;
  if (se.shape().size() == 1) return ScalarAttribution(key, s[0]);
  int64_t shown = per;
  if (IsBagEncoding(in.encoding)) {
    shown = std::min<int64_t>(per, in.index_feature_mapping.size());
    out.element_names.assign(in.index_feature_mapping.begin(), in.index_feature_mapping.begin() + shown);
  }
  out.values = Tensor(DType::kDouble, {shown});
  std::copy(s, s + shown, out.values.data<double>());
  return out;
}

// A bag / indicator input is dense and its index_feature_mapping has one
// distinct name per element of an instance's attributed tensor.
Status CheckIndexMapping(const FeaturePlan& plan) {
  const InputMetadata& in = *plan.md;
  if (!IsBagEncoding(in.encoding)) return absl::OkStatus();
  const std::string where = "inputs['" + plan.key + "']";
  if (plan.tensor.sparse) {
    return absl::InvalidArgumentError(where + " has encoding " + in.encoding +
                                      ", which names the elements of a dense tensor, but it is a sparse input "
                                      "(indices_tensor_name); expected a dense input or encoding IDENTITY");
  }
  const auto& names = in.index_feature_mapping;
  const int64_t per = plan.tensor.value.row_size();
  if (static_cast<int64_t>(names.size()) != per) {
    return absl::InvalidArgumentError(where + ".index_feature_mapping has " + std::to_string(names.size()) +
                                      " names but tensor '" + plan.tensor.tensor + "' has " + std::to_string(per) +
                                      " elements per instance; encoding " + in.encoding +
                                      " needs exactly one name per element");
  }
  for (size_t a = 0; a < names.size(); ++a) {
    if (std::find(names.begin(), names.begin() + a, names[a]) != names.begin() + a) {
      return absl::InvalidArgumentError(where + ".index_feature_mapping names '" + names[a] +
                                        "' twice; expected distinct names (they key the attributions)");
    }
  }
  return absl::OkStatus();
}

// Everything the attribution runs share: the prepared inputs, one plan and
// one FeatureTensor per feature, the target and the chosen output elements.
struct Setup {
  Prepared p;
  std::map<std::string, Tensor> outputs;      // the signature's outputs: the response's predictions
  Tensor prediction;                          // the explained output tensor's value for the instances
  std::vector<FeaturePlan> plans;
  std::vector<FeatureTensor> features;
  AttributionTarget target;                   // output_index filled per explained rank
  std::vector<std::vector<int64_t>> chosen;   // per instance, the explained output elements
};

// The blur baseline (Vertex BlurBaselineConfig) for image features; the others keep theirs.
void ApplyBlurBaseline(const std::vector<FeaturePlan>& plans, double sigma, std::vector<FeatureTensor>* features,
                       std::vector<std::string>* notes) {
  size_t blurred = 0;
  for (size_t f = 0; f < plans.size(); ++f) {
    FeatureTensor& t = (*features)[f];
    if (t.sparse || !IsImageValue(t.value, plans[f].md->modality == "image")) continue;
    t.baselines.assign(1, GaussianBlurImages(t.value, sigma));
    ++blurred;
  }
  if (blurred == 0) notes->push_back("note: max_blur_sigma applies to image features; there are none here");
}

StatusOr<Setup> SetUp(Model& model, const std::map<std::string, Tensor>& inputs, const ExplanationMetadata& metadata,
                      const ExplainOptions& options, std::vector<std::string>* notes) {
  Setup s;
  XAI_ASSIGN_OR_RETURN(SignatureChoice choice, ChooseSignature(model.meta_graph(), options.signature));
  XAI_ASSIGN_OR_RETURN(s.p, PrepareInputs(model, inputs, choice));
  XAI_ASSIGN_OR_RETURN(const GraphView* graph, model.SignatureGraph(s.p.sig->key));
  const bool ig = options.method != "sampled_shapley";  // IG and XRAI attribute through gradients
  XAI_ASSIGN_OR_RETURN(ResolvedTensor out, ResolveTensor(*s.p.sig, *graph, metadata.output.output_tensor_name, true));
  Tensor& prediction = s.prediction;
  // One model run gives the feature values, the explained output and the
  // response's predictions.
  XAI_ASSIGN_OR_RETURN(s.plans,
                       PlanFeatures(model, s.p, *graph, metadata, ig, out.tensor, &prediction, &s.outputs));
  XAI_RETURN_IF_ERROR(CheckOutputIndices(prediction, options));
  s.chosen = ChooseOutputs(prediction, options);
  for (const auto& plan : s.plans) {
    XAI_RETURN_IF_ERROR(CheckIndexMapping(plan));
    s.features.push_back(plan.tensor);
    s.features.back().group = plan.md->group_name;
    // Shapley: each element of a bag / indicator input is a player (a group stays one player).
    s.features.back().split_elements = IsBagEncoding(plan.md->encoding) && plan.md->group_name.empty();
  }
  if (ig && options.max_blur_sigma > 0) ApplyBlurBaseline(s.plans, options.max_blur_sigma, &s.features, notes);
  s.target.signature = s.p.sig->key;
  s.target.output_tensor = out.tensor;
  for (const auto& feed : s.p.feeds) {
    bool is_feature = std::any_of(s.features.begin(), s.features.end(), [&](const FeatureTensor& f) {
      return f.tensor == feed.first ||
             (f.sparse && (f.sparse->indices_tensor == feed.first || f.sparse->dense_shape_tensor == feed.first));
    });
    if (!is_feature) s.target.fixed_feeds.push_back(feed);
  }
  return s;
}

// One explained output element per instance (setup.target.output_index), by the chosen method.
StatusOr<AttributionResult> Attribute(Model& model, const Setup& setup, const ExplainOptions& options,
                                      TargetErrorReport* report) {
  if (options.method == "sampled_shapley") {
    ShapleyOptions ss;
    ss.path_count = options.path_count;
    ss.seed = options.seed;
    ss.memory_budget_bytes = options.memory_budget_bytes;
    return SampledShapley(model, setup.target, setup.features, ss);
  }
  IgOptions ig;
  ig.step_count = options.step_count;
  XAI_ASSIGN_OR_RETURN(ig.rule, ParseQuadratureRule(options.quadrature));
  ig.memory_budget_bytes = options.memory_budget_bytes;
  ig.smooth_grad.enabled = options.smooth_grad.enabled;
  ig.smooth_grad.noisy_sample_count = options.smooth_grad.noisy_sample_count;
  ig.smooth_grad.noise_sigma = options.smooth_grad.noise_sigma;
  ig.smooth_grad.feature_noise_sigma = options.smooth_grad.feature_noise_sigma;
  ig.smooth_grad.seed = options.seed;
  if (options.method != "xrai") {
    return IgToTarget(model, setup.target, setup.features, ig, options.target_error, report);
  }
  std::vector<const InputMetadata*> md;
  for (const auto& plan : setup.plans) md.push_back(plan.md);
  XraiOptions xrai;
  xrai.algorithm = options.xrai_algorithm == "fast" ? XraiOptions::Algorithm::kFast : XraiOptions::Algorithm::kFull;
  return ExplainXrai(model, setup.target, setup.features, md, ig, xrai, options.max_blur_sigma > 0);
}

// The response's entry for instance i's explained output k, with each
// feature's shown attribution (before groups) added to `run`.
OutputAttribution Entry(const Setup& setup, const AttributionResult& result, const ExplanationMetadata& metadata,
                        const ExplainOptions& options, int64_t i, int64_t k, size_t rank, ExplainRun* run) {
  const bool ig = options.method != "sampled_shapley";
  OutputAttribution entry;
  entry.output_index = k;
  entry.output_name = metadata.output_name;
  entry.baseline_output = result.baseline_output[i];
  entry.instance_output = result.instance_output[i];
  entry.approximation_error = result.approximation_error[i];
  const auto& names = metadata.output.index_display_name_mapping;
  if (names && names->is_array() && k < static_cast<int64_t>(names->size())) {
    const Json& name = (*names)[k];
    entry.output_display_name = name.is_string() ? name.get<std::string>() : name.dump();
  }
  std::map<std::string, size_t> groups, error_groups;
  for (size_t f = 0; f < setup.plans.size(); ++f) {
    const InputMetadata& in = *setup.plans[f].md;
    bool scalar = !ig && !setup.features[f].split_elements;  // Shapley: one value per player
    bool per_element = ig || setup.features[f].split_elements;
    FeatureAttribution shown = ShownAttribution(setup.plans[f].key, result.attributions[f], i, in, scalar,
                                                setup.features[f], per_element);
    run->features[f].shown[rank].push_back(shown);
    AddShown(in.group_name, std::move(shown), &entry.features, &groups);
    if (!ig && options.path_count > 1) {
      AddShown(in.group_name, ShownStandardError(setup.plans[f].key, result.standard_errors[f], i, in),
               &entry.standard_errors, &error_groups);
    }
  }
  return entry;
}

std::string TargetErrorNote(const ExplainOptions& options, const TargetErrorReport& report) {
  std::string note = "target_error " + FormatNumber(*options.target_error) +
                     (report.reached ? " reached with step_count " : " not reached at the cap ") +
                     std::to_string(report.step_count);
  if (!report.reached) note += " (error " + FormatNumber(report.worst_error) + ")";
  return note;
}

}  // namespace

StatusOr<std::string> ExplainInputSignature(const MetaGraphInfo& meta_graph, const ExplainOptions& options) {
  XAI_ASSIGN_OR_RETURN(SignatureChoice choice, ChooseSignature(meta_graph, options.signature));
  return choice.preprocess_signature.empty() ? choice.model_signature : choice.preprocess_signature;
}

StatusOr<ExplainRun> Explain(Model& model, const std::map<std::string, Tensor>& inputs,
                             const ExplanationMetadata& metadata, const ExplainOptions& options) {
  XAI_RETURN_IF_ERROR(ValidateExplainOptions(options));
  ExplainRun run;
  XAI_ASSIGN_OR_RETURN(Setup setup, SetUp(model, inputs, metadata, options, &run.result.notes));
  setup.target.output_value = &setup.prediction;
  size_t rank = setup.chosen.empty() ? 0 : setup.chosen[0].size();
  for (const auto& plan : setup.plans) {
    run.features.push_back({plan.key, plan.md, plan.tensor.value, {}, std::vector<std::vector<FeatureAttribution>>(rank)});
  }
  run.result.explanations.resize(setup.p.n);
  TargetErrorReport target_report;
  for (size_t r = 0; r < rank; ++r) {  // the r-th explained output of every instance
    setup.target.output_index.clear();
    for (const auto& c : setup.chosen) setup.target.output_index.push_back(c[r]);
    run.output_index.push_back(setup.target.output_index);
    XAI_ASSIGN_OR_RETURN(AttributionResult result, Attribute(model, setup, options, &target_report));
    for (size_t f = 0; f < setup.features.size(); ++f) run.features[f].attributions.push_back(result.attributions[f]);
    for (int64_t i = 0; i < setup.p.n; ++i) {
      run.result.explanations[i].attributions.push_back(
          Entry(setup, result, metadata, options, i, setup.target.output_index[i], r, &run));
    }
  }
  if (options.target_error && rank > 0) run.result.notes.push_back(TargetErrorNote(options, target_report));
  run.result.predictions = std::move(setup.outputs);
  return run;
}

}  // namespace xai
