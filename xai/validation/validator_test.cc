#include "xai/validation/validator.h"

#include <cmath>

#include "gtest/gtest.h"

namespace xai::validation {
namespace {

using metrics::MetricKey;
using metrics::SliceKey;

EvalConfig Config(const std::string& text, ConfigContext ctx) {
  auto loaded = LoadEvalConfig(text, "test", ctx);
  EXPECT_TRUE(loaded.ok()) << loaded.status();
  return loaded->config;
}

constexpr const char* kTwoModels = R"(
  model_specs { label_key: "label" }
  metrics_specs { metrics { class_name: "AUC"
    threshold { value_threshold { lower_bound { value: 0.7 } }
                change_threshold { direction: HIGHER_IS_BETTER relative { value: -0.1 } } } } })";

TEST(ValidatorTest, InclusiveBoundsAndRelativeChange) {
  EvalConfig c = Config(kTwoModels, {true, false});
  MetricKey cand{"auc", "candidate", "", false, false};
  SliceMetrics m = {{cand, 0.7}, {cand.WithModel("baseline"), 0.8}, {cand.Diff(), -0.1 + 1e-17}};
  ValidationResult r = Validate(c, {{SliceKey{}, m}}, false);
  EXPECT_FALSE(r.validation_ok);  // -0.1/0.8 = -0.125 < -0.1
  ASSERT_EQ(r.metric_validations_per_slice.size(), 1u);
  ASSERT_EQ(r.metric_validations_per_slice[0].failures.size(), 1u);
  EXPECT_TRUE(r.metric_validations_per_slice[0].failures[0].key.is_diff);
  m[cand.Diff()] = -0.05;  // -0.0625 >= -0.1
  r = Validate(c, {{SliceKey{}, m}}, false);
  EXPECT_TRUE(r.validation_ok);
  ASSERT_EQ(r.slicing_details.size(), 1u);
  EXPECT_EQ(r.slicing_details[0].num_matching_slices, 1);
}

TEST(ValidatorTest, NaNAndZeroBaselineFail) {
  EvalConfig c = Config(kTwoModels, {true, false});
  MetricKey cand{"auc", "candidate", "", false, false};
  SliceMetrics m = {{cand, std::nan("")}, {cand.WithModel("baseline"), 0.0}, {cand.Diff(), 0.0}};
  ValidationResult r = Validate(c, {{SliceKey{}, m}}, false);
  ASSERT_EQ(r.metric_validations_per_slice.size(), 1u);
  EXPECT_EQ(r.metric_validations_per_slice[0].failures.size(), 2u);
}

TEST(ValidatorTest, MetricNotFoundAndMissingSlices) {
  EvalConfig c = Config(R"(model_specs { label_key: "label" }
    slicing_specs {}
    metrics_specs { thresholds { key: "AUC" value { value_threshold { lower_bound { value: 0.5 } } } }
      metrics { class_name: "ExampleCount" per_slice_thresholds {
        slicing_specs { feature_keys: "nope" } threshold { value_threshold { lower_bound { value: 1 } } } } } })",
                        {false, false});
  SliceMetrics m = {{MetricKey{"example_count", "", "", false, false}, 10}};
  ValidationResult r = Validate(c, {{SliceKey{}, m}}, false);
  EXPECT_FALSE(r.validation_ok);
  ASSERT_EQ(r.metric_validations_per_slice.size(), 1u);
  ASSERT_EQ(r.metric_validations_per_slice[0].failures.size(), 1u);
  EXPECT_EQ(r.metric_validations_per_slice[0].failures[0].message, "Metric not found.");
  EXPECT_FALSE(r.metric_validations_per_slice[0].failures[0].value.has_value());
  ASSERT_EQ(r.missing_slices.size(), 2u);  // {} (the AUC check never ran) and feature_keys: nope
}

TEST(ValidatorTest, NoThresholdsAndRubberStamp) {
  EvalConfig c = Config("model_specs { label_key: \"label\" } metrics_specs { metrics { class_name: \"AUC\" } }",
                        {false, true});
  SliceMetrics m = {{MetricKey{"auc", "", "", false, false}, 0.9}};
  ValidationResult r = Validate(c, {{SliceKey{}, m}}, true);
  EXPECT_TRUE(r.validation_ok);
  EXPECT_FALSE(r.missing_thresholds);
  r = Validate(c, {{SliceKey{}, m}}, false);
  EXPECT_FALSE(r.validation_ok);
  EXPECT_TRUE(r.missing_thresholds);
}

}  // namespace
}  // namespace xai::validation
