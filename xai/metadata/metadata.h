// Explanation metadata: which tensors are the features, which output is
// explained, how inputs are encoded, which baselines to use. One in-memory
// model read from and written to both file forms users have:
//   - Vertex ExplanationMetadata JSON (REST camelCase or proto snake_case keys,
//     enums in any case), written in camelCase;
//   - AI Platform explanation_metadata.json (snake_case legacy keys,
//     lower-case enums, "framework", "domain", legacy visualization keys).
// Field facts: ../shared/reference/vertex_xai.md §1.
#ifndef XAI_METADATA_METADATA_H_
#define XAI_METADATA_METADATA_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "xai/base/status.h"

namespace xai {

using Json = nlohmann::ordered_json;

// Upper-case enum names as in the Vertex proto; "" = unspecified.
struct FeatureValueDomain {
  std::optional<double> min_value, max_value, original_mean, original_stddev;
  bool operator==(const FeatureValueDomain&) const;
};

struct Visualization {
  std::string type;        // PIXELS | OUTLINES
  std::string polarity;    // POSITIVE | NEGATIVE | BOTH
  std::string color_map;   // PINK_GREEN | VIRIDIS | RED | GREEN | PINK_WHITE_GREEN | RED_GREEN
  std::optional<double> clip_percent_upperbound, clip_percent_lowerbound;
  std::string overlay_type;  // NONE | ORIGINAL | GRAYSCALE | MASK_BLACK
  Json legacy_extra = Json::object();  // legacy-only keys (overlay_multiplier, ...), kept verbatim
  bool operator==(const Visualization&) const;
};

struct InputMetadata {
  std::optional<Json> input_baselines;  // a JSON array of values
  std::string input_tensor_name;
  std::string encoding;  // IDENTITY | BAG_OF_FEATURES | BAG_OF_FEATURES_SPARSE | INDICATOR | COMBINED_EMBEDDING | CONCAT_EMBEDDING
  std::string modality;  // numeric | image | (legacy: text, structured, categorical)
  std::optional<FeatureValueDomain> feature_value_domain;
  std::string indices_tensor_name;
  std::string dense_shape_tensor_name;
  std::vector<std::string> index_feature_mapping;
  std::string encoded_tensor_name;
  std::optional<Json> encoded_baselines;
  std::optional<Visualization> visualization;
  std::string group_name;
  Json legacy_extra = Json::object();  // legacy-only keys (input_tensor_dtype, ...), kept verbatim
  bool operator==(const InputMetadata&) const;
};

struct OutputMetadata {
  std::string output_tensor_name;
  std::optional<Json> index_display_name_mapping;  // array (n-D) of strings
  std::string display_name_mapping_key;
  Json legacy_extra = Json::object();
  bool operator==(const OutputMetadata&) const;
};

struct ExplanationMetadata {
  std::map<std::string, InputMetadata> inputs;  // by feature name
  std::string output_name;                      // the single output's key
  OutputMetadata output;
  std::string feature_attributions_schema_uri;
  std::string latent_space_source;
  Json legacy_top = Json::object();  // legacy top-level keys (framework, tags, ...), kept verbatim
  bool operator==(const ExplanationMetadata&) const;
};

enum class MetadataFormat { kVertex, kLegacy };

// Parses either form; `format` says which one the text is in. Unknown keys,
// bad enum values and more than one output are InvalidArgument naming them.
StatusOr<ExplanationMetadata> ParseMetadata(const std::string& text, MetadataFormat format);

// Vertex explains exactly one output: for a metadata text with several
// outputs, the problem to report ("metadata has 2 outputs ('a', 'b'); Vertex
// explains exactly one: keep one of them"); nullopt otherwise (also for text
// that does not parse: ParseMetadata reports that).
std::optional<std::string> ExtraOutputsProblem(const std::string& text);

// Guesses the form: legacy when it has "framework" or any legacy-only key.
MetadataFormat DetectMetadataFormat(const std::string& text);

// Serializes; the legacy form uses "framework": "tensorflow" unless the
// metadata carries another value.
std::string WriteMetadata(const ExplanationMetadata& metadata, MetadataFormat format);

}  // namespace xai

#endif  // XAI_METADATA_METADATA_H_
