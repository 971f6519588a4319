// Both file forms round-trip every field; typos and extra outputs are errors.
#include "xai/metadata/metadata.h"

#include <gtest/gtest.h>

namespace xai {
namespace {

// Every Vertex field (camelCase, as the REST API writes them).
const char kVertexFull[] = R"({
  "inputs": {
    "age": {
      "inputBaselines": [0.5],
      "inputTensorName": "age:0",
      "encoding": "IDENTITY",
      "modality": "numeric",
      "featureValueDomain": {"minValue": 0.0, "maxValue": 100.0, "originalMean": 40.0, "originalStddev": 12.5}
    },
    "words": {
      "inputTensorName": "words/values:0",
      "encoding": "BAG_OF_FEATURES_SPARSE",
      "indicesTensorName": "words/indices:0",
      "denseShapeTensorName": "words/shape:0",
      "indexFeatureMapping": ["a", "b", "c"],
      "encodedTensorName": "embedding:0",
      "encodedBaselines": [[0.0, 0.0]],
      "groupName": "text"
    },
    "image": {
      "inputTensorName": "image:0",
      "modality": "image",
      "visualization": {"type": "OUTLINES", "polarity": "BOTH", "colorMap": "VIRIDIS",
                        "clipPercentUpperbound": 99.9, "clipPercentLowerbound": 70.0, "overlayType": "GRAYSCALE"},
      "groupName": "text"
    }
  },
  "outputs": {"probs": {"indexDisplayNameMapping": ["cat", "dog"], "outputTensorName": "probs:0"}},
  "featureAttributionsSchemaUri": "gs://bucket/schema.yaml",
  "latentSpaceSource": "embedding"
})";

TEST(Metadata, VertexRoundTripsEveryField) {
  auto md = ParseMetadata(kVertexFull, MetadataFormat::kVertex);
  ASSERT_TRUE(md.ok()) << md.status();
  EXPECT_EQ(md->inputs.at("age").feature_value_domain->original_stddev, 12.5);
  EXPECT_EQ(md->inputs.at("words").encoding, "BAG_OF_FEATURES_SPARSE");
  EXPECT_EQ(md->inputs.at("image").visualization->color_map, "VIRIDIS");
  EXPECT_EQ(nlohmann::json::parse(WriteMetadata(*md, MetadataFormat::kVertex)), nlohmann::json::parse(kVertexFull));
}

TEST(Metadata, SnakeCaseAndLowerCaseEnumsMeanTheSame) {
  const char snake[] = R"({"inputs": {"x": {"input_tensor_name": "x:0", "encoding": "bag_of_features",
      "index_feature_mapping": ["p", "q"], "input_baselines": [[0, 0]],
      "visualization": {"color_map": "pink_green", "clip_percent_upperbound": 99, "overlay_type": "none"}}},
      "outputs": {"y": {"output_tensor_name": "y:0", "display_name_mapping_key": "labels"}},
      "feature_attributions_schema_uri": "u"})";
  const char camel[] = R"({"inputs": {"x": {"inputTensorName": "x:0", "encoding": "BAG_OF_FEATURES",
      "indexFeatureMapping": ["p", "q"], "inputBaselines": [[0, 0]],
      "visualization": {"colorMap": "PINK_GREEN", "clipPercentUpperbound": 99, "overlayType": "NONE"}}},
      "outputs": {"y": {"outputTensorName": "y:0", "displayNameMappingKey": "labels"}},
      "featureAttributionsSchemaUri": "u"})";
  auto a = ParseMetadata(snake, MetadataFormat::kVertex);
  auto b = ParseMetadata(camel, MetadataFormat::kVertex);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(*a, *b);
}

// Every legacy field, including the legacy-only keys kept verbatim.
const char kLegacyFull[] = R"({
  "inputs": {
    "age": {
      "input_tensor_name": "age:0",
      "encoding": "identity",
      "modality": "numeric",
      "input_baselines": [30],
      "domain": {"min": 0.0, "max": 100.0, "original_mean": 40.0, "original_stddev": 12.5},
      "input_tensor_dtype": "float32"
    },
    "color": {
      "input_tensor_name": "color/values:0",
      "encoding": "combined_embedding",
      "modality": "categorical",
      "indices_tensor_name": "color/indices:0",
      "dense_shape_tensor_name": "color/shape:0",
      "encoded_tensor_name": "color_embedding:0",
      "encoded_baselines": [[0.0, 0.0, 0.0]],
      "group_name": "g",
      "indices_tensor_dtype": "int64",
      "weight_values_name": "w:0",
      "is_sequential": false
    },
    "img": {
      "input_tensor_name": "img:0",
      "modality": "image",
      "visualization": {"type": "pixels", "polarity": "positive", "color_map": "red_green",
                        "clip_above_percentile": 99.0, "clip_below_percentile": 62.0, "overlay_type": "mask_black",
                        "overlay_multiplier": 0.5, "blur_sigma": 2.0}
    }
  },
  "outputs": {"score": {"output_tensor_name": "dense/Sigmoid:0", "index_name_mapping": ["no", "yes"],
                        "output_tensor_dtype": "float32"}},
  "framework": "tensorflow",
  "tags": ["explainable_ai_sdk"],
  "preparer_version": "1.0"
})";

TEST(Metadata, LegacyRoundTripsEveryField) {
  ASSERT_EQ(DetectMetadataFormat(kLegacyFull), MetadataFormat::kLegacy);
  auto md = ParseMetadata(kLegacyFull, MetadataFormat::kLegacy);
  ASSERT_TRUE(md.ok()) << md.status();
  EXPECT_EQ(md->inputs.at("color").encoding, "COMBINED_EMBEDDING");
  EXPECT_EQ(md->inputs.at("img").visualization->overlay_type, "MASK_BLACK");
  EXPECT_EQ(md->inputs.at("age").feature_value_domain->max_value, 100.0);
  EXPECT_EQ(nlohmann::json::parse(WriteMetadata(*md, MetadataFormat::kLegacy)), nlohmann::json::parse(kLegacyFull));
}

TEST(Metadata, ConvertsBetweenForms) {
  auto legacy = ParseMetadata(kLegacyFull, MetadataFormat::kLegacy);
  ASSERT_TRUE(legacy.ok());
  auto vertex = ParseMetadata(WriteMetadata(*legacy, MetadataFormat::kVertex), MetadataFormat::kVertex);
  ASSERT_TRUE(vertex.ok()) << vertex.status();
  EXPECT_EQ(vertex->inputs.at("age").feature_value_domain, legacy->inputs.at("age").feature_value_domain);
  EXPECT_EQ(vertex->inputs.at("color").encoded_tensor_name, "color_embedding:0");
  EXPECT_EQ(vertex->output.index_display_name_mapping, legacy->output.index_display_name_mapping);
  EXPECT_EQ(vertex->inputs.at("img").visualization->clip_percent_lowerbound, 62.0);
}

void ExpectError(const std::string& text, MetadataFormat format, const std::string& fragment) {
  auto md = ParseMetadata(text, format);
  ASSERT_FALSE(md.ok()) << text;
  EXPECT_TRUE(absl::IsInvalidArgument(md.status()));
  EXPECT_NE(md.status().message().find(fragment), std::string::npos) << md.status().message();
}

TEST(Metadata, TyposAreErrorsThatNameTheField) {
  ExpectError(R"({"inputs": {"x": {"inputTensorNam": "x:0"}}, "outputs": {"y": {}}})", MetadataFormat::kVertex,
              "unknown field 'inputTensorNam' in inputs['x']; did you mean 'inputTensorName'?");
  ExpectError(R"({"inputs": {}, "outputs": {"y": {}}, "framwork": "tensorflow"})", MetadataFormat::kLegacy,
              "unknown field 'framwork'");
  ExpectError(R"({"inputs": {"x": {"encoding": "ONE_HOT"}}, "outputs": {"y": {}}})", MetadataFormat::kVertex,
              "inputs['x'].encoding is 'ONE_HOT'; expected one of IDENTITY");
  ExpectError(R"({"inputs": {"x": {"domain": {"minimum": 1}}}, "outputs": {"y": {}}})", MetadataFormat::kLegacy,
              "unknown field 'minimum' in inputs['x'].domain");
}

TEST(Metadata, ExactlyOneOutput) {
  ExpectError(R"({"inputs": {}, "outputs": {"a": {}, "b": {}}})", MetadataFormat::kVertex,
              "exactly one output (as in Vertex); got 2: a, b");
  ExpectError(R"({"inputs": {}, "outputs": {}})", MetadataFormat::kVertex, "exactly one output");
  ExpectError(R"({"inputs": {"x": {}}})", MetadataFormat::kVertex, "has no 'outputs'");
}

TEST(Metadata, WrongTypesAreErrors) {
  ExpectError(R"({"inputs": {"x": {"inputBaselines": 3}}, "outputs": {"y": {}}})", MetadataFormat::kVertex,
              "inputs['x'].inputBaselines must be an array, got 3");
  ExpectError("{not json", MetadataFormat::kVertex, "not valid JSON");
}

}  // namespace
}  // namespace xai
