#include "xai/validation/outputs.h"

#include <sys/stat.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "google/protobuf/text_format.h"
#include "xai/base/file_util.h"
#include "xai/data/tfrecord.h"
#include "xai/validation/tfma_schema.h"

namespace xai::validation {
namespace {

namespace pb = google::protobuf;
using metrics::MetricKey;
using metrics::SliceKey;
using metrics::SlicingSpec;

const pb::FieldDescriptor* F(const pb::Message& m, const char* name) {
  return m.GetDescriptor()->FindFieldByName(name);
}
pb::Message* Mut(pb::Message* m, const char* name) { return m->GetReflection()->MutableMessage(m, F(*m, name)); }
pb::Message* Add(pb::Message* m, const char* name) { return m->GetReflection()->AddMessage(m, F(*m, name)); }
void SetStr(pb::Message* m, const char* name, const std::string& v) { m->GetReflection()->SetString(m, F(*m, name), v); }
void SetBool(pb::Message* m, const char* name, bool v) { m->GetReflection()->SetBool(m, F(*m, name), v); }
void SetWrappedDouble(pb::Message* m, const char* name, double v) {
  pb::Message* w = Mut(m, name);
  w->GetReflection()->SetDouble(w, F(*w, "value"), v);
}

void FillMetricKey(const MetricKey& k, pb::Message* out) {
  SetStr(out, "name", k.name);
  SetStr(out, "model_name", k.model_name);
  SetStr(out, "output_name", k.output_name);
  if (k.example_weighted) {
    pb::Message* w = Mut(out, "example_weighted");
    w->GetReflection()->SetBool(w, F(*w, "value"), *k.example_weighted);
  }
  SetBool(out, "is_diff", k.is_diff);
}

void FillSliceKey(const SliceKey& key, pb::Message* out) {
  for (const auto& [column, value] : key.columns) {
    pb::Message* s = Add(out, "single_slice_keys");
    SetStr(s, "column", column);
    const pb::Reflection* r = s->GetReflection();
    switch (value.kind) {
      case metrics::SliceValue::Kind::kBytes: r->SetString(s, F(*s, "bytes_value"), value.bytes_value); break;
      case metrics::SliceValue::Kind::kFloat: r->SetFloat(s, F(*s, "float_value"), value.float_value); break;
      case metrics::SliceValue::Kind::kInt64: r->SetInt64(s, F(*s, "int64_value"), value.int64_value); break;
    }
  }
}

void FillSlicingSpec(const SlicingSpec& spec, pb::Message* out) {
  for (const std::string& k : spec.feature_keys) out->GetReflection()->AddString(out, F(*out, "feature_keys"), k);
  for (const auto& [k, v] : spec.feature_values) {
    pb::Message* e = Add(out, "feature_values");
    SetStr(e, "key", k);
    SetStr(e, "value", v);
  }
}

void FillThreshold(const ThresholdEntry& t, pb::Message* out) {
  if (!t.is_change) {
    pb::Message* v = Mut(out, "value_threshold");
    if (t.value.lower_bound) SetWrappedDouble(v, "lower_bound", *t.value.lower_bound);
    if (t.value.upper_bound) SetWrappedDouble(v, "upper_bound", *t.value.upper_bound);
    return;
  }
  pb::Message* c = Mut(out, "change_threshold");
  if (t.change.absolute) SetWrappedDouble(c, "absolute", *t.change.absolute);
  if (t.change.relative) SetWrappedDouble(c, "relative", *t.change.relative);
  c->GetReflection()->SetEnumValue(c, F(*c, "direction"), static_cast<int>(t.change.direction));
}

std::unique_ptr<pb::Message> ToProto(const ValidationResult& result) {
  std::unique_ptr<pb::Message> m = tfma::NewMessage("ValidationResult");
  SetBool(m.get(), "validation_ok", result.validation_ok);
  SetBool(m.get(), "missing_thresholds", result.missing_thresholds);
  SetBool(m.get(), "rubber_stamp", result.rubber_stamp);
  for (const SliceValidation& s : result.metric_validations_per_slice) {
    pb::Message* sv = Add(m.get(), "metric_validations_per_slice");
    FillSliceKey(s.slice, Mut(sv, "slice_key"));
    for (const Failure& f : s.failures) {
      pb::Message* fp = Add(sv, "failures");
      FillMetricKey(f.key, Mut(fp, "metric_key"));
      FillThreshold(f.threshold, Mut(fp, "metric_threshold"));
      if (f.value) SetWrappedDouble(Mut(fp, "metric_value"), "double_value", *f.value);
      SetStr(fp, "message", f.message);
    }
  }
  for (const SlicingSpec& spec : result.missing_slices) FillSlicingSpec(spec, Add(m.get(), "missing_slices"));
  pb::Message* details = Mut(m.get(), "validation_details");
  for (const SlicingDetail& d : result.slicing_details) {
    pb::Message* sd = Add(details, "slicing_details");
    FillSlicingSpec(d.spec, Mut(sd, "slicing_spec"));
    sd->GetReflection()->SetInt32(sd, F(*sd, "num_matching_slices"), d.num_matching_slices);
  }
  return m;
}

std::string Number(double v) {
  std::ostringstream s;
  s.precision(10);
  s << v;
  return s.str();
}

std::string DescribeThreshold(const ThresholdEntry& t) {
  if (!t.is_change) {
    std::string lo = t.value.lower_bound ? Number(*t.value.lower_bound) : "-inf";
    std::string hi = t.value.upper_bound ? Number(*t.value.upper_bound) : "+inf";
    return "value in [" + lo + ", " + hi + "]";
  }
  const char* dir = t.change.direction == Direction::kHigherIsBetter ? "HIGHER_IS_BETTER"
                    : t.change.direction == Direction::kLowerIsBetter ? "LOWER_IS_BETTER"
                                                                      : "UNKNOWN";
  std::string out = std::string("change ") + dir;
  if (t.change.absolute) out += ", absolute " + Number(*t.change.absolute);
  if (t.change.relative) out += ", relative " + Number(*t.change.relative) + " (diff / baseline)";
  return out;
}

std::string DescribeSpec(const SlicingSpec& spec) {
  if (spec.IsOverall()) return "{} (Overall)";
  std::string out = "{";
  for (const std::string& k : spec.feature_keys) out += " feature_keys: \"" + k + "\"";
  for (const auto& [k, v] : spec.feature_values) out += " feature_values { " + k + ": \"" + v + "\" }";
  return out + " }";
}

Status MakeDirs(const std::string& path) {
  std::string partial;
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      partial = path.substr(0, i);
      if (!partial.empty() && mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST) {
        return absl::InvalidArgumentError(absl::StrCat("cannot create output directory ", partial));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string SerializeValidationResult(const ValidationResult& result) {
  std::string out;
  ToProto(result)->SerializeToString(&out);
  return out;
}

std::string ValidationResultText(const ValidationResult& result) {
  std::string out;
  pb::TextFormat::PrintToString(*ToProto(result), &out);
  return out;
}

std::string SerializeMetricsForSlice(const SliceKey& slice, const SliceMetrics& values) {
  std::unique_ptr<pb::Message> m = tfma::NewMessage("MetricsForSlice");
  FillSliceKey(slice, Mut(m.get(), "slice_key"));
  for (const auto& [key, value] : values) {
    pb::Message* kv = Add(m.get(), "metric_keys_and_values");
    FillMetricKey(key, Mut(kv, "key"));
    SetWrappedDouble(Mut(kv, "value"), "double_value", value);
  }
  std::string out;
  m->SerializeToString(&out);
  return out;
}

std::string HumanSummary(const ValidationResult& result) {
  std::string out = result.validation_ok ? "Validation passed" : "Validation FAILED";
  if (result.rubber_stamp) out += " (rubber stamp: no baseline, change thresholds skipped)";
  out += "\n";
  if (result.missing_thresholds) out += "  no thresholds are configured\n";
  for (const SliceValidation& s : result.metric_validations_per_slice) {
    for (const Failure& f : s.failures) {
      out += "  slice " + s.slice.ToString() + ": " + f.key.ToString() + " = " +
             (f.value ? Number(*f.value) : std::string("(missing)")) + ", needs " + DescribeThreshold(f.threshold);
      if (!f.message.empty()) out += " — " + f.message;
      out += "\n";
    }
  }
  for (const SlicingSpec& spec : result.missing_slices) {
    out += "  missing slice " + DescribeSpec(spec) + ": no slice of the data matched this threshold's slicing spec\n";
  }
  return out;
}

Status WriteOutputs(const OutputFiles& files, const ValidationResult& result,
                    const std::vector<std::pair<SliceKey, SliceMetrics>>& slices) {
  const std::string& dir = files.output_path;
  XAI_RETURN_IF_ERROR(MakeDirs(dir));
  XAI_RETURN_IF_ERROR(data::WriteTFRecordFile(dir + "/validations.tfrecord", {SerializeValidationResult(result)}));
  std::vector<std::string> metric_records;
  for (const auto& [slice, values] : slices) metric_records.push_back(SerializeMetricsForSlice(slice, values));
  XAI_RETURN_IF_ERROR(data::WriteTFRecordFile(dir + "/metrics-00000-of-00001.tfrecord", metric_records));
  XAI_RETURN_IF_ERROR(WriteFileAtomically(dir + "/eval_config.json", files.eval_run_json));
  XAI_RETURN_IF_ERROR(WriteFileAtomically(dir + "/validation_summary.txt", HumanSummary(result)));
  std::remove((dir + (result.validation_ok ? "/NOT_BLESSED" : "/BLESSED")).c_str());
  return WriteFileAtomically(dir + (result.validation_ok ? "/BLESSED" : "/NOT_BLESSED"), "");
}

}  // namespace xai::validation
