// Slices as TFMA defines them (slicer_lib.py): a slice key is a sorted list of
// (column, typed value) pairs; the empty key is "Overall". TF-free.
#ifndef XAI_METRICS_SLICING_H_
#define XAI_METRICS_SLICING_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "xai/data/example.h"

namespace xai::metrics {

// One typed slice value: int64 for int64_list features, float32 for
// float_list, bytes (UTF-8 text) for bytes_list — as TFMA's SingleSliceKey.
struct SliceValue {
  enum class Kind { kInt64, kFloat, kBytes };
  Kind kind = Kind::kInt64;
  int64_t int64_value = 0;
  float float_value = 0;
  std::string bytes_value;

  static SliceValue Int(int64_t v);
  static SliceValue Float(float v);
  static SliceValue Bytes(std::string v);
  // TFMA's `_to_type`: contains "." → float, else int if it parses, else bytes.
  static SliceValue FromSpecString(const std::string& s);

  std::string ToString() const;  // as Python's str() of the value
  bool operator==(const SliceValue& o) const;
  bool operator<(const SliceValue& o) const;
};

struct SliceKey {
  std::vector<std::pair<std::string, SliceValue>> columns;  // sorted by (column, value)

  bool IsOverall() const { return columns.empty(); }
  // TFMA's stringify_slice_key: "Overall", "age:30", "age_X_country:30_X_us".
  std::string ToString() const;
  bool operator==(const SliceKey& o) const { return columns == o.columns; }
  bool operator<(const SliceKey& o) const { return columns < o.columns; }
};

// EvalConfig.SlicingSpec (slice_keys_sql is rejected earlier, in the config).
struct SlicingSpec {
  std::vector<std::string> feature_keys;
  std::map<std::string, std::string> feature_values;

  bool IsOverall() const { return feature_keys.empty() && feature_values.empty(); }
  bool operator==(const SlicingSpec& o) const {
    return feature_keys == o.feature_keys && feature_values == o.feature_values;
  }
  // Order-insensitive identity (TFMA compares specs as frozensets).
  std::string CanonicalString() const;
};

// The distinct slice keys `example` belongs to under `specs` (each key once,
// whatever the number of specs or feature values producing it). A spec whose
// feature is missing or empty, or whose feature_values do not match, gives no key.
std::vector<SliceKey> SlicesOf(const data::Example& example, const std::vector<SlicingSpec>& specs);

// TFMA's is_slice_applicable: every (column, value) of `key` is matched by a
// feature_values pair or a feature_keys column of `spec`, and every element of
// `spec` is used. The Overall key matches only the empty spec.
bool IsSliceApplicable(const SliceKey& key, const SlicingSpec& spec);

}  // namespace xai::metrics

#endif  // XAI_METRICS_SLICING_H_
