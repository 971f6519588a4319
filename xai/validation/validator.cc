#include "xai/validation/validator.h"

#include <cmath>
#include <limits>

namespace xai::validation {
namespace {

using metrics::MetricKey;
using metrics::SliceKey;
using metrics::SlicingSpec;

void AddEntry(ThresholdMap* map, const MetricKey& key, ThresholdEntry entry) {
  std::vector<ThresholdEntry>& list = (*map)[key];
  for (const ThresholdEntry& e : list) {
    bool same_spec = e.slicing_spec.has_value() == entry.slicing_spec.has_value() &&
                     (!e.slicing_spec || *e.slicing_spec == *entry.slicing_spec);
    if (same_spec && e.SameThreshold(entry)) return;
  }
  list.push_back(std::move(entry));
}

// A MetricThreshold gives a value entry under `key` and/or a change entry
// under the diff key.
void AddThreshold(ThresholdMap* map, const MetricKey& key, const MetricThreshold& t,
                  const std::optional<SlicingSpec>& spec) {
  if (t.value_threshold) {
    ThresholdEntry e;
    e.slicing_spec = spec;
    e.value = *t.value_threshold;
    AddEntry(map, key, e);
  }
  if (t.change_threshold) {
    ThresholdEntry e;
    e.slicing_spec = spec;
    e.is_change = true;
    e.change = *t.change_threshold;
    AddEntry(map, key.Diff(), e);
  }
}

void AddAll(ThresholdMap* map, const MetricKey& key, const std::optional<MetricThreshold>& global,
            const std::vector<PerSliceThreshold>& per_slice) {
  if (global) AddThreshold(map, key, *global, std::nullopt);
  for (const PerSliceThreshold& p : per_slice) {
    for (const SlicingSpec& s : p.slicing_specs) AddThreshold(map, key, p.threshold, s);
  }
}

bool CheckValue(const ValueThreshold& t, double v) {
  double lower = t.lower_bound.value_or(-std::numeric_limits<double>::infinity());
  double upper = t.upper_bound.value_or(std::numeric_limits<double>::infinity());
  return v >= lower && v <= upper;
}

// Returns false with `*invalid` set for an UNKNOWN direction (TFMA's ValueError).
bool CheckChange(const ChangeThreshold& t, double diff, double baseline, bool* invalid) {
  auto compare = [&](double x, double bound) {
    if (t.direction == Direction::kLowerIsBetter) return x <= bound;
    if (t.direction == Direction::kHigherIsBetter) return x >= bound;
    *invalid = true;
    return false;
  };
  bool abs_ok = true, rel_ok = true;
  if (t.absolute) abs_ok = compare(diff, *t.absolute);
  if (*invalid) return false;
  if (t.relative) {
    double ratio = baseline == 0.0 ? std::nan("") : diff / baseline;  // math.isclose(b, 0.0)
    rel_ok = compare(ratio, *t.relative);
  }
  return abs_ok && rel_ok;
}

std::string InvalidComparisonMessage(double v) {
  return "Invalid metrics or threshold for comparison: the metric value is " + std::to_string(v) +
         " and the change threshold has direction UNKNOWN";
}

// Slicing details of one slice: each spec once, in first-check order.
void NoteDetail(std::vector<SlicingSpec>* details, const SlicingSpec& spec) {
  for (const SlicingSpec& s : *details)
    if (s.CanonicalString() == spec.CanonicalString()) return;
  details->push_back(spec);
}

struct SliceOutcome {
  SliceValidation validation;
  std::vector<SlicingSpec> details;
};

SliceOutcome ValidateSlice(const ThresholdMap& thresholds, const std::string& baseline, bool has_baseline,
                           const SliceKey& slice, const SliceMetrics& values) {
  SliceOutcome out;
  out.validation.slice = slice;
  auto is_baseline = [&](const MetricKey& k) { return has_baseline && k.model_name == baseline; };
  for (const auto& [key, entries] : thresholds) {
    if (is_baseline(key)) continue;
    auto found = values.find(key);
    std::vector<const ThresholdEntry*> failed;
    for (const ThresholdEntry& e : entries) {
      bool seen = false;
      for (const ThresholdEntry* f : failed) seen = seen || f->SameThreshold(e);
      if (found == values.end()) {
        if (seen) continue;
        failed.push_back(&e);
        out.validation.failures.push_back(Failure{key, e, std::nullopt, "Metric not found."});
        continue;
      }
      if (e.slicing_spec && !metrics::IsSliceApplicable(slice, *e.slicing_spec)) continue;
      double v = found->second;
      bool invalid = false;
      bool ok;
      if (e.is_change) {
        auto base = values.find(key.NonDiff().WithModel(baseline));
        ok = CheckChange(e.change, v, base == values.end() ? std::nan("") : base->second, &invalid);
      } else {
        ok = CheckValue(e.value, v);
      }
      if (!ok) {
        if (seen) continue;
        failed.push_back(&e);
        out.validation.failures.push_back(Failure{key, e, v, invalid ? InvalidComparisonMessage(v) : ""});
      }
      NoteDetail(&out.details, e.slicing_spec.value_or(SlicingSpec{}));
    }
  }
  return out;
}

void MergeDetails(std::vector<SlicingDetail>* merged, const std::vector<SlicingSpec>& slice_details) {
  for (const SlicingSpec& spec : slice_details) {
    bool found = false;
    for (SlicingDetail& d : *merged) {
      if (d.spec.CanonicalString() == spec.CanonicalString()) {
        ++d.num_matching_slices;
        found = true;
        break;
      }
    }
    if (!found) merged->push_back(SlicingDetail{spec, 1});
  }
}

void AddMissingSlices(const ThresholdMap& thresholds, const std::string& baseline, bool has_baseline,
                      ValidationResult* result) {
  std::vector<std::string> known;
  for (const SlicingDetail& d : result->slicing_details) known.push_back(d.spec.CanonicalString());
  for (const auto& [key, entries] : thresholds) {
    if (has_baseline && key.model_name == baseline) continue;
    for (const ThresholdEntry& e : entries) {
      SlicingSpec spec = e.slicing_spec.value_or(SlicingSpec{});
      std::string c = spec.CanonicalString();
      if (std::find(known.begin(), known.end(), c) != known.end()) continue;
      known.push_back(c);
      result->missing_slices.push_back(spec);
    }
  }
}

}  // namespace

std::vector<bool> ExampleWeightOptions(const EvalConfig& config, const MetricsSpec& spec) {
  if (spec.has_example_weights) {
    std::vector<bool> out;
    if (spec.weighted) out.push_back(true);
    if (spec.unweighted) out.push_back(false);
    return out;
  }
  for (const ModelSpec& m : config.model_specs) {
    bool named = spec.model_names.empty();
    for (const std::string& n : spec.model_names) named = named || n == m.name;
    if (named && !m.example_weight_key.empty()) return {true};
  }
  return {false};
}

ThresholdMap BuildThresholds(const EvalConfig& config) {
  ThresholdMap map;
  for (const MetricsSpec& spec : config.metrics_specs) {
    std::vector<std::string> models = spec.model_names.empty() ? std::vector<std::string>{""} : spec.model_names;
    std::vector<bool> weightings = ExampleWeightOptions(config, spec);
    for (const std::string& model : models) {
      for (const MetricConfig& m : spec.metrics) {
        for (bool weighted : weightings) {
          MetricKey key{m.def.name, model, "", weighted, false};
          AddAll(&map, key, m.threshold, m.per_slice_thresholds);
        }
      }
      for (const auto& [name, t] : spec.thresholds) AddThreshold(&map, MetricKey{name, model, "", std::nullopt, false}, t, std::nullopt);
      for (const auto& [name, list] : spec.per_slice_thresholds) {
        AddAll(&map, MetricKey{name, model, "", std::nullopt, false}, std::nullopt, list);
      }
    }
  }
  return map;
}

ValidationResult Validate(const EvalConfig& config, const std::vector<std::pair<SliceKey, SliceMetrics>>& slices,
                          bool rubber_stamp) {
  const ThresholdMap thresholds = BuildThresholds(config);
  const ModelSpec* baseline_spec = config.Baseline();
  const std::string baseline = baseline_spec ? baseline_spec->name : "";
  ValidationResult result;
  result.rubber_stamp = rubber_stamp;
  result.validation_ok = !slices.empty();
  for (const auto& [slice, values] : slices) {
    SliceOutcome outcome = ValidateSlice(thresholds, baseline, baseline_spec != nullptr, slice, values);
    if (!outcome.validation.failures.empty()) {
      result.validation_ok = false;
      result.metric_validations_per_slice.push_back(std::move(outcome.validation));
    }
    MergeDetails(&result.slicing_details, outcome.details);
  }
  if (thresholds.empty()) {
    result.validation_ok = rubber_stamp;
    result.missing_thresholds = !rubber_stamp;
  }
  AddMissingSlices(thresholds, baseline, baseline_spec != nullptr, &result);
  if (!result.missing_slices.empty()) result.validation_ok = false;
  return result;
}

}  // namespace xai::validation
