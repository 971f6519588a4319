// The Vertex :explain codec on strings: request parsing and its errors,
// featureAttributions shapes, and the response layout (NaN predictions as
// TF Serving's bare token, like `xai predict`).
#include "xai/rest/vertex_explain.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace xai {
namespace {

api::FeatureAttribution Values(const std::string& name, std::vector<int64_t> shape, std::vector<double> v) {
  api::FeatureAttribution a;
  a.name = name;
  a.values = Tensor(DType::kDouble, std::move(shape));
  std::copy(v.begin(), v.end(), a.values.data<double>());
  return a;
}

TEST(ParseExplainRequest, InstancesAndOverride) {
  auto r = ParseExplainRequest(
      R"({"instances": [[1, 2]], "explanationSpecOverride": {"parameters": {"sampledShapleyAttribution": {"pathCount": 7}, "topK": 2}}})",
      api::ExplainOptions(), std::nullopt);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->instances.dump(), "[[1,2]]");
  EXPECT_EQ(r->options.method, "sampled_shapley");
  EXPECT_EQ(r->options.path_count, 7);
  EXPECT_EQ(r->options.top_k, 2);
  EXPECT_FALSE(r->metadata.has_value());
}

TEST(ParseExplainRequest, Errors) {
  auto expect = [](const std::string& body, const std::string& message) {
    auto r = ParseExplainRequest(body, api::ExplainOptions(), std::nullopt);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << body;
    EXPECT_EQ(r.status().message(), message) << body;
  };
  expect("[1]", "the :explain request must be a JSON object with \"instances\"");
  expect("{not json", "the :explain request must be a JSON object with \"instances\"");
  expect(R"({"parameters": {}})", "the :explain request has no \"instances\"");
  expect(R"({"instances": [], "extra": 1})",
         "unknown field 'extra' in the :explain request; expected instances, parameters, explanationSpecOverride");
  expect(R"({"instances": [], "explanationSpecOverride": {"parameters": {"integratedGradientsAttribution": {"stepCount": 4294967346}}}})",
         "explanation parameter stepCount is out of range, got 4294967346");
  expect(R"({"instances": [], "explanationSpecOverride": {"parameters": {"integratedGradientsAttribution": {"stepCount": "ten"}}}})",
         "explanation parameter stepCount must be an integer, got \"ten\"");
}

TEST(FeatureAttributionJson, Shapes) {
  EXPECT_EQ(FeatureAttributionJson(Values("a", {}, {0.25})).dump(), "0.25");
  EXPECT_EQ(FeatureAttributionJson(Values("a", {3}, {1, 2, 3})).dump(), "[1.0,2.0,3.0]");
  EXPECT_EQ(FeatureAttributionJson(Values("a", {2, 2}, {1, 2, 3, 4})).dump(), "[[1.0,2.0],[3.0,4.0]]");
  EXPECT_EQ(FeatureAttributionJson(Values("a", {0}, {})).dump(), "[]");
  api::FeatureAttribution bag = Values("bag", {2}, {0.5, -1});
  bag.element_names = {"red", "blue"};
  EXPECT_EQ(FeatureAttributionJson(bag).dump(), R"({"red":0.5,"blue":-1.0})");
}

TEST(FormatExplainResponse, LayoutAndNonFinitePredictions) {
  api::ExplainResult result;
  api::OutputAttribution a;
  a.output_index = 1;
  a.output_name = "scores";
  a.output_display_name = "cat";
  a.baseline_output = 0.5;
  a.instance_output = 0.75;
  a.approximation_error = 0;
  a.features = {Values("x", {}, {0.25})};
  result.explanations.push_back({{a}});
  result.predictions["scores"] = Tensor::FromFloats({1, 2}, {std::numeric_limits<float>::quiet_NaN(), 0.75f});
  auto text = FormatExplainResponse(result);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, R"({
  "explanations": [
    {
      "attributions": [
        {
          "baselineOutputValue": 0.5,
          "instanceOutputValue": 0.75,
          "featureAttributions": {
            "x": 0.25
          },
          "outputIndex": [
            1
          ],
          "approximationError": 0.0,
          "outputName": "scores",
          "outputDisplayName": "cat"
        }
      ]
    }
  ],
  "predictions": [
    [
      NaN,
      0.75
    ]
  ]
}
)");
}

TEST(FormatExplainResponse, StandardErrorsOnlyWhenPresent) {
  api::ExplainResult result;
  api::OutputAttribution a;
  a.output_name = "y";
  a.features = {Values("x", {}, {1})};
  a.standard_errors = {Values("x", {}, {0.125})};
  result.explanations.push_back({{a}});
  result.predictions["y"] = Tensor::FromFloats({1}, {1});
  auto text = FormatExplainResponse(result);
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("\"xaiStandardErrors\": {\n            \"x\": 0.125"), std::string::npos) << *text;
}

}  // namespace
}  // namespace xai
