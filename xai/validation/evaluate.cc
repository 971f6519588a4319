#include "xai/validation/evaluate.h"

#include <chrono>
#include <map>
#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "xai/base/file_util.h"
#include "xai/data/tfrecord.h"
#include "xai/metrics/metrics.h"
#include "xai/validation/eval_config.h"
#include "xai/validation/outputs.h"

namespace xai::validation {
namespace {

using data::Example;
using data::RecordOrigin;
using metrics::Accumulator;
using metrics::AccumulatorPlan;
using metrics::MetricKey;
using metrics::SliceKey;

std::string Where(const RecordOrigin& o) { return absl::StrCat("example ", o.index, " of ", o.file); }

// A batch of parsed examples with their raw bytes and origins.
struct Batch {
  std::vector<Example> examples;
  std::vector<std::string> raw;
  std::vector<RecordOrigin> origins;
  size_t size() const { return examples.size(); }
};

// Per-example prediction rows of one model for one batch.
struct Predictions {
  std::vector<float> values;
  size_t width = 1;
};

// ---- model inputs and outputs ------------------------------------------------

StatusOr<size_t> InputWidth(const TensorSpec& spec, const Batch& batch) {
  size_t width = 1;
  for (size_t d = 1; d < spec.shape.size(); ++d) {
    if (spec.shape[d] >= 0) {
      width *= spec.shape[d];
    } else {
      const data::Feature* f = batch.examples[0].Find(spec.key);
      width *= f ? f->size() : 1;
    }
  }
  return width;
}

Status FillValue(const data::Feature& f, size_t j, Tensor* t, size_t pos) {
  switch (t->dtype()) {
    case DType::kFloat: t->data<float>()[pos] = static_cast<float>(f.NumberAt(j)); break;
    case DType::kDouble: t->data<double>()[pos] = f.NumberAt(j); break;
    case DType::kInt64: t->data<int64_t>()[pos] = f.kind == data::Feature::Kind::kInt64 ? f.int64_list[j] : static_cast<int64_t>(f.NumberAt(j)); break;
    case DType::kInt32: t->data<int32_t>()[pos] = static_cast<int32_t>(f.NumberAt(j)); break;
    case DType::kString:
      if (f.kind != data::Feature::Kind::kBytes) return absl::InvalidArgumentError("expects a bytes_list feature");
      t->strings()[pos] = f.bytes_list[j];
      break;
    default:
      return absl::InvalidArgumentError("has unsupported dtype " + DTypeName(t->dtype()));
  }
  return absl::OkStatus();
}

StatusOr<Tensor> FeatureTensor(const TensorSpec& spec, const Batch& batch) {
  XAI_ASSIGN_OR_RETURN(size_t width, InputWidth(spec, batch));
  std::vector<int64_t> shape = {static_cast<int64_t>(batch.size())};
  if (spec.shape.size() > 1) shape.push_back(static_cast<int64_t>(width));
  Tensor t(spec.dtype, shape);
  for (size_t i = 0; i < batch.size(); ++i) {
    const data::Feature* f = batch.examples[i].Find(spec.key);
    if (f == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("model input '", spec.key, "' not found as a feature in ",
                                                     Where(batch.origins[i]), "; features present: ",
                                                     batch.examples[i].FeatureNames()));
    }
    if (f->size() != width) {
      return absl::InvalidArgumentError(absl::StrCat("model input '", spec.key, "' expects ", width,
                                                     " value(s) per example, got ", f->Describe(), " in ",
                                                     Where(batch.origins[i])));
    }
    for (size_t j = 0; j < width; ++j) {
      Status s = FillValue(*f, j, &t, i * width + j);
      if (!s.ok()) return Annotate(s, absl::StrCat("model input '", spec.key, "' in ", Where(batch.origins[i])));
    }
  }
  return t;
}

class ModelRunner {
 public:
  // `model` null: predictions come from the spec's prediction_key feature.
  static StatusOr<ModelRunner> Create(const ModelSpec& spec, std::unique_ptr<Model> model) {
    ModelRunner r;
    r.spec_ = spec;
    r.model_ = std::move(model);
    if (!r.model_) {
      if (spec.prediction_key.empty()) {
        return absl::InvalidArgumentError(
            "without --candidate, predictions are read from the data: set model_specs.prediction_key");
      }
      return r;
    }
    XAI_RETURN_IF_ERROR(r.ChooseSignature());
    XAI_RETURN_IF_ERROR(r.ChooseOutput());
    return r;
  }

  StatusOr<Predictions> Predict(const Batch& batch) const {
    return model_ ? RunModel(batch) : FromFeature(batch);
  }

 private:
  Status ChooseSignature() {
    const MetaGraphInfo& meta = model_->meta_graph();
    std::string key = spec_.signature_name;
    if (key.empty()) key = meta.FindSignature("predict").ok() ? "predict" : "serving_default";
    XAI_ASSIGN_OR_RETURN(signature_, meta.FindSignature(key));
    const auto& inputs = signature_->inputs;
    serialized_input_ = inputs.size() == 1 && inputs[0].dtype == DType::kString;
    return absl::OkStatus();
  }

  Status ChooseOutput() {
    const auto& outs = signature_->outputs;
    if (outs.size() == 1) {
      output_ = outs[0].key;
      return absl::OkStatus();
    }
    std::vector<std::string> tries = {"scores", "outputs", "predictions", "logistic", "probabilities", "logits"};
    if (!spec_.prediction_key.empty()) tries = {spec_.prediction_key};
    for (const std::string& t : tries) {
      if (signature_->FindOutput(t)) {
        output_ = t;
        return absl::OkStatus();
      }
    }
    std::vector<std::string> keys;
    for (const auto& o : outs) keys.push_back(o.key);
    return absl::NotFoundError(absl::StrCat("signature '", signature_->key, "' of ", model_->dir(), " has outputs ",
                                            absl::StrJoin(keys, ", "), "; set model_specs.prediction_key to one of them"));
  }

  StatusOr<Predictions> RunModel(const Batch& batch) const {
    std::map<std::string, Tensor> inputs;
    for (const TensorSpec& in : signature_->inputs) {
      bool has_feature = batch.examples[0].Find(in.key) != nullptr;
      if (serialized_input_ && !has_feature) {
        inputs[in.key] = Tensor::FromStrings({static_cast<int64_t>(batch.size())}, batch.raw);
      } else {
        XAI_ASSIGN_OR_RETURN(inputs[in.key], FeatureTensor(in, batch));
      }
    }
    XAI_ASSIGN_OR_RETURN(auto outputs, model_->RunSignature(signature_->key, inputs, {output_}));
    const Tensor& t = outputs.at(output_);
    Predictions p;
    int64_t n = t.num_elements();
    p.width = batch.size() ? static_cast<size_t>(n) / batch.size() : 1;
    p.values.resize(n);
    for (int64_t i = 0; i < n; ++i) p.values[i] = static_cast<float>(t.AsDouble(i));
    return p;
  }

  StatusOr<Predictions> FromFeature(const Batch& batch) const {
    Predictions p;
    for (size_t i = 0; i < batch.size(); ++i) {
      const data::Feature* f = batch.examples[i].Find(spec_.prediction_key);
      if (f == nullptr || f->size() == 0 || f->kind == data::Feature::Kind::kBytes) {
        return absl::InvalidArgumentError(absl::StrCat("prediction_key '", spec_.prediction_key, "' ",
                                                       f ? "has no numeric values" : "not found", " in ",
                                                       Where(batch.origins[i]), "; features present: ",
                                                       batch.examples[i].FeatureNames()));
      }
      if (i == 0) p.width = f->size();
      if (f->size() != p.width) {
        return absl::InvalidArgumentError(absl::StrCat("prediction_key '", spec_.prediction_key, "' has ",
                                                       f->size(), " values in ", Where(batch.origins[i]),
                                                       ", earlier examples had ", p.width));
      }
      for (size_t j = 0; j < f->size(); ++j) p.values.push_back(static_cast<float>(f->NumberAt(j)));
    }
    return p;
  }

  ModelSpec spec_;
  std::unique_ptr<Model> model_;
  const SignatureInfo* signature_ = nullptr;
  std::string output_;
  bool serialized_input_ = false;
};

// ---- what to compute ---------------------------------------------------------

struct PlannedMetric {
  MetricKey key;
  size_t slot;  // accumulator index: model * 2 + weighted
  metrics::MetricDef def;
};

struct ComputePlan {
  std::vector<PlannedMetric> metrics;
  std::vector<AccumulatorPlan> slots;  // 2 per model
  std::vector<bool> slot_used;
  bool needs_label = false;
};

ComputePlan PlanMetrics(const EvalConfig& config) {
  ComputePlan plan;
  size_t n = config.model_specs.size();
  std::vector<std::vector<metrics::MetricDef>> defs(2 * n);
  for (const MetricsSpec& spec : config.metrics_specs) {
    std::vector<bool> weightings = ExampleWeightOptions(config, spec);
    for (size_t m = 0; m < n; ++m) {
      const std::string& name = config.model_specs[m].name;
      if (std::find(spec.model_names.begin(), spec.model_names.end(), name) == spec.model_names.end()) continue;
      for (const MetricConfig& mc : spec.metrics) {
        for (bool w : weightings) {
          size_t slot = m * 2 + (w ? 1 : 0);
          plan.metrics.push_back(PlannedMetric{MetricKey{mc.def.name, name, "", w, false}, slot, mc.def});
          defs[slot].push_back(mc.def);
          plan.needs_label = plan.needs_label || mc.def.needs_label;
        }
      }
    }
  }
  for (auto& d : defs) {
    plan.slots.push_back(AccumulatorPlan::For(d));
    plan.slot_used.push_back(!d.empty());
  }
  return plan;
}

// ---- accumulation -----------------------------------------------------------

struct ExampleValues {
  std::vector<double> label;
  bool label_is_float32 = true;
  double weight = 1.0;
};

StatusOr<ExampleValues> ReadLabelAndWeight(const ModelSpec& spec, const Example& e, const RecordOrigin& o,
                                           bool needs_label) {
  ExampleValues v;
  if (needs_label) {
    if (spec.label_key.empty()) return absl::InvalidArgumentError("model_specs.label_key is not set");
    const data::Feature* f = e.Find(spec.label_key);
    if (f == nullptr || f->size() == 0 || f->kind == data::Feature::Kind::kBytes) {
      return absl::InvalidArgumentError(absl::StrCat("label_key '", spec.label_key, "' ",
                                                     f ? "has no numeric values" : "not found", " in ", Where(o),
                                                     "; features present: ", e.FeatureNames()));
    }
    for (size_t j = 0; j < f->size(); ++j) v.label.push_back(f->NumberAt(j));
    v.label_is_float32 = f->kind == data::Feature::Kind::kFloat;
  }
  if (!spec.example_weight_key.empty()) {
    const data::Feature* f = e.Find(spec.example_weight_key);
    if (f == nullptr || f->size() != 1 || f->kind == data::Feature::Kind::kBytes) {
      return absl::InvalidArgumentError(absl::StrCat("example_weight_key '", spec.example_weight_key, "' ",
                                                     f ? "needs one numeric value, got " + f->Describe() : "not found",
                                                     " in ", Where(o), "; features present: ", e.FeatureNames()));
    }
    v.weight = f->NumberAt(0);
  }
  return v;
}

class SliceAccumulators {
 public:
  explicit SliceAccumulators(const ComputePlan* plan) : plan_(plan) {}

  std::vector<Accumulator>& For(const SliceKey& key) {
    auto it = slices_.find(key);
    if (it == slices_.end()) {
      std::vector<Accumulator> accs;
      for (const AccumulatorPlan& p : plan_->slots) accs.emplace_back(&p);
      it = slices_.emplace(key, std::move(accs)).first;
    }
    return it->second;
  }
  const std::map<SliceKey, std::vector<Accumulator>>& slices() const { return slices_; }

 private:
  const ComputePlan* plan_;
  std::map<SliceKey, std::vector<Accumulator>> slices_;
};

Status AccumulateBatch(const EvalConfig& config, const ComputePlan& plan, const std::vector<Predictions>& preds,
                       const Batch& batch, SliceAccumulators* accs) {
  for (size_t i = 0; i < batch.size(); ++i) {
    std::vector<SliceKey> slices = metrics::SlicesOf(batch.examples[i], config.slicing_specs.empty()
                                                                            ? std::vector<metrics::SlicingSpec>{{}}
                                                                            : config.slicing_specs);
    for (size_t m = 0; m < config.model_specs.size(); ++m) {
      XAI_ASSIGN_OR_RETURN(ExampleValues v, ReadLabelAndWeight(config.model_specs[m], batch.examples[i],
                                                               batch.origins[i], plan.needs_label));
      const Predictions& p = preds[m];
      for (int w = 0; w < 2; ++w) {
        size_t slot = m * 2 + w;
        if (!plan.slot_used[slot]) continue;
        metrics::MetricInput in{v.label.data(), v.label.size(), v.label_is_float32, &p.values[i * p.width], p.width,
                                w ? v.weight : 1.0};
        for (const SliceKey& s : slices) {
          Status st = accs->For(s)[slot].Add(in);
          if (!st.ok()) return Annotate(st, Where(batch.origins[i]));
        }
      }
    }
  }
  return absl::OkStatus();
}

// ---- results ----------------------------------------------------------------

validation::SliceMetrics ComputeSlice(const EvalConfig& config, const ComputePlan& plan, const SliceKey& key,
                                      const std::vector<Accumulator>& accs) {
  validation::SliceMetrics out;
  if (config.min_slice_size && !key.IsOverall()) {
    int64_t n = 0;
    for (size_t s = 0; s < accs.size(); ++s) n = std::max(n, accs[s].num_examples());
    if (n < *config.min_slice_size) return out;
  }
  for (const PlannedMetric& m : plan.metrics) out[m.key] = accs[m.slot].Compute(m.def);
  const ModelSpec* baseline = config.Baseline();
  if (baseline == nullptr) return out;
  validation::SliceMetrics diffs;
  for (const auto& [k, v] : out) {
    if (k.model_name == baseline->name || k.is_diff) continue;
    auto b = out.find(k.WithModel(baseline->name));
    if (b != out.end()) diffs[k.Diff()] = v - b->second;
  }
  out.insert(diffs.begin(), diffs.end());
  return out;
}

// ---- the run ----------------------------------------------------------------

StatusOr<std::unique_ptr<Model>> LoadIf(const std::string& dir, const LoadOptions& load) {
  if (dir.empty()) return std::unique_ptr<Model>();
  return Model::Load(dir, load);
}

StatusOr<bool> ReadBatch(data::RecordStream* stream, size_t size, Batch* batch) {
  batch->examples.clear();
  batch->raw.clear();
  batch->origins.clear();
  std::string record;
  RecordOrigin origin;
  while (batch->size() < size) {
    XAI_ASSIGN_OR_RETURN(bool more, stream->Next(&record, &origin));
    if (!more) break;
    XAI_ASSIGN_OR_RETURN(Example e, data::ParseExample(record, origin));
    batch->examples.push_back(std::move(e));
    batch->raw.push_back(std::move(record));
    batch->origins.push_back(origin);
  }
  return batch->size() > 0;
}

}  // namespace

StatusOr<ValidateOutcome> RunValidation(const ValidateOptions& options) {
  if (!options.baseline_dir.empty() && options.candidate_dir.empty()) {
    return absl::InvalidArgumentError("--baseline needs --candidate");
  }
  XAI_ASSIGN_OR_RETURN(std::string text, ReadFileOrStdin(options.eval_config_path));
  ConfigContext context{!options.baseline_dir.empty(), !options.candidate_dir.empty() && options.baseline_dir.empty()};
  XAI_ASSIGN_OR_RETURN(LoadedConfig loaded, LoadEvalConfig(text, options.eval_config_path, context));
  const EvalConfig& config = loaded.config;
  XAI_ASSIGN_OR_RETURN(std::vector<std::string> files, data::ExpandDataLocation(options.data_location));
  XAI_ASSIGN_OR_RETURN(std::unique_ptr<data::RecordStream> stream, data::RecordStream::Open(files));

  std::vector<ModelRunner> runners;
  std::map<std::string, std::string> locations;
  for (const ModelSpec& spec : config.model_specs) {
    const std::string& dir = spec.is_baseline ? options.baseline_dir : options.candidate_dir;
    XAI_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, LoadIf(dir, options.load));
    XAI_ASSIGN_OR_RETURN(ModelRunner runner, ModelRunner::Create(spec, std::move(model)));
    runners.push_back(std::move(runner));
    if (!dir.empty()) locations[spec.name] = dir;
  }

  ComputePlan plan = PlanMetrics(config);
  SliceAccumulators accs(&plan);
  int batch_size = config.Candidate().inference_batch_size > 0 ? config.Candidate().inference_batch_size
                                                                : options.batch_size;
  auto start = std::chrono::steady_clock::now();
  Progress progress;
  Batch batch;
  while (true) {
    XAI_ASSIGN_OR_RETURN(bool more, ReadBatch(stream.get(), batch_size, &batch));
    if (!more) break;
    std::vector<Predictions> preds;
    for (const ModelRunner& r : runners) {
      XAI_ASSIGN_OR_RETURN(Predictions p, r.Predict(batch));
      preds.push_back(std::move(p));
    }
    XAI_RETURN_IF_ERROR(AccumulateBatch(config, plan, preds, batch, &accs));
    progress.records += batch.size();
    progress.bytes_read = stream->bytes_read();
    progress.total_bytes = stream->total_bytes();
    progress.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (options.on_progress) options.on_progress(progress);
  }
  if (progress.records == 0) {
    return absl::InvalidArgumentError(absl::StrCat("--data_location ", options.data_location, " (", files.size(),
                                                   " file(s)) holds no records"));
  }

  std::vector<std::pair<SliceKey, validation::SliceMetrics>> slices;
  for (const auto& [key, list] : accs.slices()) slices.emplace_back(key, ComputeSlice(config, plan, key, list));
  ValidateOutcome outcome;
  outcome.result = Validate(config, slices, context.rubber_stamp);
  outcome.warnings = loaded.warnings;
  outcome.examples = progress.records;
  outcome.summary = HumanSummary(outcome.result);
  XAI_RETURN_IF_ERROR(WriteOutputs(OutputFiles{options.output_path, EvalRunJson(loaded, options.data_location, locations)},
                                   outcome.result, slices));
  return outcome;
}

}  // namespace xai::validation
