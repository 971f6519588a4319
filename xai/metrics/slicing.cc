#include "xai/metrics/slicing.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <tuple>

namespace xai::metrics {

SliceValue SliceValue::Int(int64_t v) {
  SliceValue s;
  s.kind = Kind::kInt64;
  s.int64_value = v;
  return s;
}

SliceValue SliceValue::Float(float v) {
  SliceValue s;
  s.kind = Kind::kFloat;
  s.float_value = v;
  return s;
}

SliceValue SliceValue::Bytes(std::string v) {
  SliceValue s;
  s.kind = Kind::kBytes;
  s.bytes_value = std::move(v);
  return s;
}

SliceValue SliceValue::FromSpecString(const std::string& s) {
  if (s.find('.') != std::string::npos) {
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (end != s.c_str() && *end == '\0') return Float(static_cast<float>(d));
    return Bytes(s);
  }
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (!s.empty() && end != s.c_str() && *end == '\0') return Int(v);
  return Bytes(s);
}

std::string SliceValue::ToString() const {
  switch (kind) {
    case Kind::kInt64: return std::to_string(int64_value);
    case Kind::kBytes: return bytes_value;
    case Kind::kFloat: {
      // Python prints the float32 widened to double with repr (shortest round-trip).
      char buf[64];
      double d = float_value;
      for (int precision = 1; precision <= 17; ++precision) {
        std::snprintf(buf, sizeof buf, "%.*g", precision, d);
        if (std::strtod(buf, nullptr) == d) break;
      }
      std::string out = buf;
      if (out.find_first_of(".eni") == std::string::npos) out += ".0";
      return out;
    }
  }
  return "";
}

bool SliceValue::operator==(const SliceValue& o) const {
  if (kind != o.kind) return false;
  switch (kind) {
    case Kind::kInt64: return int64_value == o.int64_value;
    case Kind::kFloat: return float_value == o.float_value;
    case Kind::kBytes: return bytes_value == o.bytes_value;
  }
  return false;
}

bool SliceValue::operator<(const SliceValue& o) const {
  if (kind != o.kind) return kind < o.kind;
  switch (kind) {
    case Kind::kInt64: return int64_value < o.int64_value;
    case Kind::kFloat: return float_value < o.float_value;
    case Kind::kBytes: return bytes_value < o.bytes_value;
  }
  return false;
}

std::string SliceKey::ToString() const {
  if (columns.empty()) return "Overall";
  std::string names, values;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i) {
      names += "_X_";
      values += "_X_";
    }
    names += columns[i].first;
    values += columns[i].second.ToString();
  }
  return names + ":" + values;
}

std::string SlicingSpec::CanonicalString() const {
  std::set<std::string> keys(feature_keys.begin(), feature_keys.end());
  std::string out = "keys{";
  for (const auto& k : keys) out += k + ",";
  out += "}values{";
  for (const auto& [k, v] : feature_values) out += k + "=" + v + ",";
  return out + "}";
}

namespace {

// Distinct typed values of a feature (np.unique per example).
std::vector<SliceValue> DistinctValues(const data::Feature& f) {
  std::vector<SliceValue> out;
  for (size_t i = 0; i < f.size(); ++i) {
    if (f.kind == data::Feature::Kind::kInt64) out.push_back(SliceValue::Int(f.int64_list[i]));
    else if (f.kind == data::Feature::Kind::kFloat) out.push_back(SliceValue::Float(f.float_list[i]));
    else out.push_back(SliceValue::Bytes(f.bytes_list[i]));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// Whether feature `f` holds the spec value `v` (typed or as its string form).
bool FeatureHas(const data::Feature& f, const SliceValue& v, const std::string& raw) {
  for (const SliceValue& x : DistinctValues(f)) {
    if (x == v) return true;
    if (x.kind == SliceValue::Kind::kBytes && x.bytes_value == raw) return true;
  }
  return false;
}

void AddKeysForSpec(const data::Example& example, const SlicingSpec& spec, std::set<SliceKey>* out) {
  std::vector<std::vector<std::pair<std::string, SliceValue>>> partial(1);
  for (const auto& [column, raw] : spec.feature_values) {
    const data::Feature* f = example.Find(column);
    SliceValue v = SliceValue::FromSpecString(raw);
    if (f == nullptr || !FeatureHas(*f, v, raw)) return;
    for (auto& p : partial) p.emplace_back(column, v);
  }
  for (const std::string& column : spec.feature_keys) {
    const data::Feature* f = example.Find(column);
    if (f == nullptr) return;
    std::vector<SliceValue> values = DistinctValues(*f);
    if (values.empty()) return;
    std::vector<std::vector<std::pair<std::string, SliceValue>>> next;
    for (const auto& p : partial) {
      for (const SliceValue& v : values) {
        next.push_back(p);
        next.back().emplace_back(column, v);
      }
    }
    partial = std::move(next);
  }
  for (auto& p : partial) {
    std::sort(p.begin(), p.end());
    out->insert(SliceKey{std::move(p)});
  }
}

}  // namespace

std::vector<SliceKey> SlicesOf(const data::Example& example, const std::vector<SlicingSpec>& specs) {
  std::set<SliceKey> keys;
  for (const SlicingSpec& spec : specs) AddKeysForSpec(example, spec, &keys);
  return std::vector<SliceKey>(keys.begin(), keys.end());
}

bool IsSliceApplicable(const SliceKey& key, const SlicingSpec& spec) {
  std::set<std::string> unused_keys(spec.feature_keys.begin(), spec.feature_keys.end());
  std::map<std::string, std::string> unused_values = spec.feature_values;
  for (const auto& [column, value] : key.columns) {
    auto fv = unused_values.find(column);
    if (fv != unused_values.end() && SliceValue::FromSpecString(fv->second) == value) {
      unused_values.erase(fv);
    } else if (unused_keys.erase(column) == 0) {
      return false;
    }
  }
  return unused_keys.empty() && unused_values.empty();
}

}  // namespace xai::metrics
