#include "xai/validation/eval_config.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "xai/validation/tfma_schema.h"

namespace xai::validation {
namespace {

namespace pb = google::protobuf;

// TFMA version written to eval_config.json (the release whose semantics xai follows).
constexpr const char* kTfmaVersion = "0.52.0";

// ---- reflection helpers ----------------------------------------------------

const pb::FieldDescriptor* Field(const pb::Message& m, const std::string& name) {
  return m.GetDescriptor()->FindFieldByName(name);
}
bool Has(const pb::Message& m, const std::string& name) {
  const pb::FieldDescriptor* f = Field(m, name);
  return f->is_repeated() ? m.GetReflection()->FieldSize(m, f) > 0 : m.GetReflection()->HasField(m, f);
}
std::string Str(const pb::Message& m, const std::string& name) {
  return m.GetReflection()->GetString(m, Field(m, name));
}
bool Bool(const pb::Message& m, const std::string& name) { return m.GetReflection()->GetBool(m, Field(m, name)); }
int Int(const pb::Message& m, const std::string& name) { return m.GetReflection()->GetInt32(m, Field(m, name)); }
int Enum(const pb::Message& m, const std::string& name) { return m.GetReflection()->GetEnumValue(m, Field(m, name)); }
const pb::Message& Sub(const pb::Message& m, const std::string& name) {
  return m.GetReflection()->GetMessage(m, Field(m, name));
}
int Size(const pb::Message& m, const std::string& name) { return m.GetReflection()->FieldSize(m, Field(m, name)); }
const pb::Message& At(const pb::Message& m, const std::string& name, int i) {
  return m.GetReflection()->GetRepeatedMessage(m, Field(m, name), i);
}
std::string StrAt(const pb::Message& m, const std::string& name, int i) {
  return m.GetReflection()->GetRepeatedString(m, Field(m, name), i);
}
std::optional<double> Wrapped(const pb::Message& m, const std::string& name) {
  if (!Has(m, name)) return std::nullopt;
  const pb::Message& w = Sub(m, name);
  return w.GetReflection()->GetDouble(w, w.GetDescriptor()->FindFieldByName("value"));
}
void SetStr(pb::Message* m, const std::string& name, const std::string& v) {
  m->GetReflection()->SetString(m, Field(*m, name), v);
}

// ---- parsing --------------------------------------------------------------

class ErrorCollector : public pb::io::ErrorCollector {
 public:
  void RecordError(int line, pb::io::ColumnNumber column, absl::string_view message) override {
    if (first.empty()) first = absl::StrCat("line ", line + 1, " column ", column + 1, ": ", message);
  }
  std::string first;
};

Status ParseText(const std::string& text, const std::string& source, pb::Message* out) {
  pb::TextFormat::Parser parser;
  ErrorCollector errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text, out)) {
    return absl::InvalidArgumentError(absl::StrCat("EvalConfig ", source, " does not parse: ", errors.first));
  }
  return absl::OkStatus();
}

Status ParseJson(const std::string& text, const std::string& source, pb::Message* out) {
  pb::util::JsonParseOptions options;
  Status s = pb::util::JsonStringToMessage(text, out, options);
  if (!s.ok()) return absl::InvalidArgumentError(absl::StrCat("EvalConfig ", source, " does not parse: ", s.message()));
  return absl::OkStatus();
}

// The user guide writes `metrics_spec`; TFMA's field is `metrics_specs`.
void MoveMetricsSpecAlias(pb::Message* config, std::vector<std::string>* warnings) {
  const pb::Reflection* r = config->GetReflection();
  const pb::FieldDescriptor* alias = Field(*config, "metrics_spec");
  const pb::FieldDescriptor* real = Field(*config, "metrics_specs");
  int n = r->FieldSize(*config, alias);
  if (n == 0) return;
  warnings->push_back(
      "EvalConfig field 'metrics_spec' (as in TFMA's model-validation guide) is read as 'metrics_specs'; "
      "TFMA itself rejects 'metrics_spec'");
  for (int i = 0; i < n; ++i) r->AddMessage(config, real)->CopyFrom(r->GetRepeatedMessage(*config, alias, i));
  r->ClearField(config, alias);
}

// ---- TFMA normalisation (config_util.update_eval_config_with_defaults) ----

bool IsThreshold(const pb::Message& m) { return m.GetDescriptor()->name() == "MetricThreshold"; }

// Visits every message nested in `m` (singular, repeated and map values).
template <typename Fn>
void ForEachNested(pb::Message* m, const Fn& fn) {
  fn(m);
  const pb::Reflection* r = m->GetReflection();
  std::vector<const pb::FieldDescriptor*> fields;
  r->ListFields(*m, &fields);
  for (const pb::FieldDescriptor* f : fields) {
    if (f->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (f->is_repeated()) {
      for (int i = 0; i < r->FieldSize(*m, f); ++i) ForEachNested(r->MutableRepeatedMessage(m, f, i), fn);
    } else {
      ForEachNested(r->MutableMessage(m, f), fn);
    }
  }
}

bool HasChangeThreshold(pb::Message* config) {
  bool found = false;
  ForEachNested(config, [&](pb::Message* m) {
    if (IsThreshold(*m) && Has(*m, "change_threshold")) found = true;
  });
  return found;
}

void ClearChangeThresholds(pb::Message* config) {
  ForEachNested(config, [](pb::Message* m) {
    if (IsThreshold(*m)) m->GetReflection()->ClearField(m, Field(*m, "change_threshold"));
  });
}

Status Normalize(pb::Message* config, const ConfigContext& ctx) {
  const pb::Reflection* r = config->GetReflection();
  const pb::FieldDescriptor* specs = Field(*config, "model_specs");
  if (!ctx.has_baseline && HasChangeThreshold(config) && !ctx.rubber_stamp) {
    return absl::InvalidArgumentError(
        "There are change thresholds, but the baseline is missing. This is allowed only when rubber stamping "
        "(first run). Give --baseline, or drop the change thresholds");
  }
  if (ctx.has_baseline && r->FieldSize(*config, specs) == 1 && Str(At(*config, "model_specs", 0), "name").empty()) {
    pb::Message* candidate = r->MutableRepeatedMessage(config, specs, 0);
    pb::Message* baseline = r->AddMessage(config, specs);
    baseline->CopyFrom(*candidate);
    SetStr(candidate, "name", "candidate");
    SetStr(baseline, "name", "baseline");
    baseline->GetReflection()->SetBool(baseline, Field(*baseline, "is_baseline"), true);
  }
  if (!ctx.has_baseline) {
    for (int i = r->FieldSize(*config, specs) - 1; i >= 0; --i) {
      if (Bool(At(*config, "model_specs", i), "is_baseline")) {
        for (int j = i; j + 1 < r->FieldSize(*config, specs); ++j) r->SwapElements(config, specs, j, j + 1);
        r->RemoveLast(config, specs);
      }
    }
    ClearChangeThresholds(config);
  }
  if (r->FieldSize(*config, specs) == 0) r->AddMessage(config, specs);
  if (r->FieldSize(*config, specs) == 1) SetStr(r->MutableRepeatedMessage(config, specs, 0), "name", "");
  std::vector<std::string> names;
  for (int i = 0; i < Size(*config, "model_specs"); ++i) names.push_back(Str(At(*config, "model_specs", i), "name"));
  const pb::FieldDescriptor* mspecs = Field(*config, "metrics_specs");
  for (int i = 0; i < r->FieldSize(*config, mspecs); ++i) {
    pb::Message* ms = r->MutableRepeatedMessage(config, mspecs, i);
    const pb::FieldDescriptor* mn = Field(*ms, "model_names");
    if (names.size() == 1) {
      ms->GetReflection()->ClearField(ms, mn);
      ms->GetReflection()->AddString(ms, mn, "");
    } else if (ms->GetReflection()->FieldSize(*ms, mn) == 0) {
      for (const std::string& n : names) ms->GetReflection()->AddString(ms, mn, n);
    }
  }
  return absl::OkStatus();
}

// ---- unsupported TFMA features ---------------------------------------------

Status Unsupported(const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("EvalConfig uses ", what, ", which xai does not support yet"));
}

Status RejectUnsupported(const pb::Message& config) {
  if (Has(config, "cross_slicing_specs")) return Unsupported("cross_slicing_specs");
  for (int i = 0; i < Size(config, "model_specs"); ++i) {
    const pb::Message& s = At(config, "model_specs", i);
    for (const char* f : {"label_keys", "prediction_keys", "example_weight_keys", "preprocessing_function_names"})
      if (Has(s, f)) return Unsupported(absl::StrCat("model_specs.", f));
  }
  for (int i = 0; i < Size(config, "metrics_specs"); ++i) {
    const pb::Message& s = At(config, "metrics_specs", i);
    for (const char* f : {"output_names", "output_weights", "binarize", "aggregate", "query_key",
                          "cross_slice_thresholds"})
      if (Has(s, f)) return Unsupported(absl::StrCat("metrics_specs.", f));
    for (int j = 0; j < Size(s, "metrics"); ++j)
      if (Has(At(s, "metrics", j), "cross_slice_thresholds")) return Unsupported("metrics.cross_slice_thresholds");
  }
  bool sql = false;
  auto* mutable_config = const_cast<pb::Message*>(&config);
  ForEachNested(mutable_config, [&](pb::Message* m) {
    if (m->GetDescriptor()->name() == "SlicingSpec" && Has(*m, "slice_keys_sql")) sql = true;
  });
  if (sql) return Unsupported("slice_keys_sql");
  if (Has(config, "options")) {
    const pb::Message& o = Sub(config, "options");
    if (Has(o, "compute_confidence_intervals") && Wrapped(o, "compute_confidence_intervals").has_value()) {
      const pb::Message& w = Sub(o, "compute_confidence_intervals");
      if (w.GetReflection()->GetBool(w, w.GetDescriptor()->FindFieldByName("value")))
        return Unsupported("options.compute_confidence_intervals");
    }
  }
  return absl::OkStatus();
}

// ---- conversion to structs ---------------------------------------------------

metrics::SlicingSpec ToSlicingSpec(const pb::Message& m) {
  metrics::SlicingSpec spec;
  for (int i = 0; i < Size(m, "feature_keys"); ++i) spec.feature_keys.push_back(StrAt(m, "feature_keys", i));
  for (int i = 0; i < Size(m, "feature_values"); ++i) {
    const pb::Message& e = At(m, "feature_values", i);
    spec.feature_values[Str(e, "key")] = Str(e, "value");
  }
  return spec;
}

MetricThreshold ToThreshold(const pb::Message& m) {
  MetricThreshold t;
  if (Has(m, "value_threshold")) {
    const pb::Message& v = Sub(m, "value_threshold");
    t.value_threshold = ValueThreshold{Wrapped(v, "lower_bound"), Wrapped(v, "upper_bound")};
  }
  if (Has(m, "change_threshold")) {
    const pb::Message& c = Sub(m, "change_threshold");
    t.change_threshold =
        ChangeThreshold{Wrapped(c, "absolute"), Wrapped(c, "relative"), static_cast<Direction>(Enum(c, "direction"))};
  }
  return t;
}

StatusOr<std::vector<PerSliceThreshold>> ToPerSlice(const pb::Message& m, const std::string& field,
                                                    const std::string& where) {
  std::vector<PerSliceThreshold> out;
  for (int i = 0; i < Size(m, field); ++i) {
    const pb::Message& p = At(m, field, i);
    PerSliceThreshold t;
    for (int j = 0; j < Size(p, "slicing_specs"); ++j) t.slicing_specs.push_back(ToSlicingSpec(At(p, "slicing_specs", j)));
    if (t.slicing_specs.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": per_slice_thresholds need slicing_specs"));
    }
    t.threshold = ToThreshold(Sub(p, "threshold"));
    out.push_back(std::move(t));
  }
  return out;
}

StatusOr<MetricsSpec> ToMetricsSpec(const pb::Message& m, int index) {
  MetricsSpec spec;
  std::string where = absl::StrCat("metrics_specs[", index, "]");
  for (int i = 0; i < Size(m, "metrics"); ++i) {
    const pb::Message& mc = At(m, "metrics", i);
    MetricConfig config;
    StatusOr<metrics::MetricDef> def = metrics::ParseMetricDef(Str(mc, "class_name"), Str(mc, "config"));
    if (!def.ok()) return Annotate(def.status(), absl::StrCat(where, ".metrics[", i, "]"));
    config.def = *def;
    if (Has(mc, "threshold")) config.threshold = ToThreshold(Sub(mc, "threshold"));
    XAI_ASSIGN_OR_RETURN(config.per_slice_thresholds, ToPerSlice(mc, "per_slice_thresholds", where));
    spec.metrics.push_back(std::move(config));
  }
  for (int i = 0; i < Size(m, "model_names"); ++i) spec.model_names.push_back(StrAt(m, "model_names", i));
  for (int i = 0; i < Size(m, "thresholds"); ++i) {
    const pb::Message& e = At(m, "thresholds", i);
    spec.thresholds[Str(e, "key")] = ToThreshold(Sub(e, "value"));
  }
  for (int i = 0; i < Size(m, "per_slice_thresholds"); ++i) {
    const pb::Message& e = At(m, "per_slice_thresholds", i);
    XAI_ASSIGN_OR_RETURN(spec.per_slice_thresholds[Str(e, "key")], ToPerSlice(Sub(e, "value"), "thresholds", where));
  }
  if (Has(m, "example_weights")) {
    spec.has_example_weights = true;
    spec.weighted = Bool(Sub(m, "example_weights"), "weighted");
    spec.unweighted = Bool(Sub(m, "example_weights"), "unweighted");
  }
  return spec;
}

StatusOr<EvalConfig> ToEvalConfig(const pb::Message& m) {
  EvalConfig config;
  int baselines = 0;
  for (int i = 0; i < Size(m, "model_specs"); ++i) {
    const pb::Message& s = At(m, "model_specs", i);
    ModelSpec spec{Str(s, "name"),           Str(s, "signature_name"),     Str(s, "label_key"),
                   Str(s, "prediction_key"), Str(s, "example_weight_key"), Bool(s, "is_baseline"),
                   Int(s, "inference_batch_size")};
    baselines += spec.is_baseline;
    config.model_specs.push_back(spec);
  }
  if (baselines > 1) return absl::InvalidArgumentError("EvalConfig has more than one model_spec with is_baseline");
  if (config.model_specs.size() > 1) {
    for (const ModelSpec& s : config.model_specs)
      if (s.name.empty()) return absl::InvalidArgumentError("with several model_specs every one needs a name");
  }
  for (int i = 0; i < Size(m, "slicing_specs"); ++i) config.slicing_specs.push_back(ToSlicingSpec(At(m, "slicing_specs", i)));
  for (int i = 0; i < Size(m, "metrics_specs"); ++i) {
    XAI_ASSIGN_OR_RETURN(MetricsSpec spec, ToMetricsSpec(At(m, "metrics_specs", i), i));
    config.metrics_specs.push_back(std::move(spec));
  }
  if (Has(m, "options") && Has(Sub(m, "options"), "min_slice_size")) {
    const pb::Message& w = Sub(Sub(m, "options"), "min_slice_size");
    config.min_slice_size = w.GetReflection()->GetInt32(w, w.GetDescriptor()->FindFieldByName("value"));
  }
  return config;
}

}  // namespace

const ModelSpec* EvalConfig::Baseline() const {
  for (const ModelSpec& s : model_specs)
    if (s.is_baseline) return &s;
  return nullptr;
}

const ModelSpec& EvalConfig::Candidate() const {
  for (const ModelSpec& s : model_specs)
    if (!s.is_baseline) return s;
  return model_specs.front();
}

bool EvalConfig::HasThresholds() const {
  for (const MetricsSpec& s : metrics_specs) {
    if (!s.thresholds.empty() || !s.per_slice_thresholds.empty()) return true;
    for (const MetricConfig& m : s.metrics)
      if (m.threshold.has_value() || !m.per_slice_thresholds.empty()) return true;
  }
  return false;
}

StatusOr<LoadedConfig> LoadEvalConfig(const std::string& text, const std::string& source,
                                      const ConfigContext& context) {
  std::unique_ptr<pb::Message> message = tfma::NewMessage("EvalConfig");
  size_t first = text.find_first_not_of(" \t\r\n");
  bool json = first != std::string::npos && text[first] == '{';
  XAI_RETURN_IF_ERROR(json ? ParseJson(text, source, message.get()) : ParseText(text, source, message.get()));
  LoadedConfig loaded;
  MoveMetricsSpecAlias(message.get(), &loaded.warnings);
  XAI_RETURN_IF_ERROR(RejectUnsupported(*message));
  XAI_RETURN_IF_ERROR(Normalize(message.get(), context));
  XAI_ASSIGN_OR_RETURN(loaded.config, ToEvalConfig(*message));
  message->SerializeToString(&loaded.normalized_proto);  // binary; EvalRunJson re-reads it
  return loaded;
}

std::string EvalRunJson(const LoadedConfig& config, const std::string& data_location,
                        const std::map<std::string, std::string>& model_locations) {
  std::unique_ptr<pb::Message> run = tfma::NewMessage("EvalRun");
  const pb::Reflection* r = run->GetReflection();
  r->MutableMessage(run.get(), Field(*run, "eval_config"))->ParseFromString(config.normalized_proto);
  SetStr(run.get(), "version", kTfmaVersion);
  SetStr(run.get(), "data_location", data_location);
  SetStr(run.get(), "file_format", "tfrecords");
  for (const auto& [name, path] : model_locations) {
    pb::Message* e = r->AddMessage(run.get(), Field(*run, "model_locations"));
    SetStr(e, "key", name);
    SetStr(e, "value", path);
  }
  std::string out;
  pb::util::JsonPrintOptions options;
  options.add_whitespace = true;
  (void)pb::util::MessageToJsonString(*run, &out, options);
  return out;
}

}  // namespace xai::validation
