// A parsed tf.Example in xai's own types: what data/ hands to everything above
// it. Plain structs, no TensorFlow; copying is cheap enough for batches.
#ifndef XAI_DATA_EXAMPLE_H_
#define XAI_DATA_EXAMPLE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace xai::data {

// One feature of a tf.Example: exactly one of the three lists is in use, as in
// tf.train.Feature (kind kNone for a feature present with no list set).
struct Feature {
  enum class Kind { kNone, kBytes, kFloat, kInt64 };
  Kind kind = Kind::kNone;
  std::vector<std::string> bytes_list;
  std::vector<float> float_list;
  std::vector<int64_t> int64_list;

  // Number of values in the list in use.
  size_t size() const;
  // Value i of a numeric list as double (float widened exactly); bytes → NaN.
  double NumberAt(size_t i) const;
  // "float_list[3]", "bytes_list[0]", "no values" — for error messages.
  std::string Describe() const;
};

// Features by name, sorted by name (tf.Example's map, made deterministic).
struct Example {
  std::vector<std::pair<std::string, Feature>> features;

  // nullptr when the example has no feature `name`.
  const Feature* Find(const std::string& name) const;
  // "age, income" — the feature names, for error messages.
  std::string FeatureNames() const;
};

// Where a record came from, for error messages: file path and record index.
struct RecordOrigin {
  std::string file;
  int64_t index = 0;  // 0-based record number within the file
};

}  // namespace xai::data

#endif  // XAI_DATA_EXAMPLE_H_
