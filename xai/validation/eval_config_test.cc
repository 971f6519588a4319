#include "xai/validation/eval_config.h"

#include "gtest/gtest.h"
#include "xai/validation/outputs.h"

namespace xai::validation {
namespace {

// The EvalConfig of TFMA's model-validation guide, verbatim (it spells the
// field `metrics_spec`).
constexpr const char* kGuideConfig = R"(
  model_specs {
    # This assumes a serving model with a "serving_default" signature.
    label_key: "label"
    example_weight_key: "weight"
  }
  metrics_spec {
    # Training Time metric thresholds
    thresholds {
      key: "auc"
      value: {
        value_threshold {
          lower_bound { value: 0.7 }
        }
        change_threshold {
          direction: HIGHER_IS_BETTER
          absolute { value: -1e-10 }
        }
      }
    }
    # Post Training metrics and their thesholds.
    metrics {
      # This assumes a binary classification model.
      class_name: "AUC"
      threshold {
        value_threshold {
          lower_bound { value: 0 }
        }
      }
    }
  }
  slicing_specs {}
  slicing_specs {
    feature_keys: ["age"]
  }
)";

TEST(EvalConfigTest, GuideExampleParsesWithBaseline) {
  auto loaded = LoadEvalConfig(kGuideConfig, "guide", ConfigContext{true, false});
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const EvalConfig& c = loaded->config;
  ASSERT_EQ(c.model_specs.size(), 2u);
  EXPECT_EQ(c.model_specs[0].name, "candidate");
  EXPECT_EQ(c.model_specs[1].name, "baseline");
  EXPECT_TRUE(c.model_specs[1].is_baseline);
  EXPECT_EQ(c.model_specs[1].example_weight_key, "weight");
  ASSERT_EQ(c.metrics_specs.size(), 1u);
  EXPECT_EQ(c.metrics_specs[0].model_names, (std::vector<std::string>{"candidate", "baseline"}));
  EXPECT_EQ(c.metrics_specs[0].metrics[0].def.name, "auc");
  EXPECT_TRUE(c.metrics_specs[0].thresholds.at("auc").change_threshold.has_value());
  EXPECT_EQ(c.metrics_specs[0].thresholds.at("auc").change_threshold->direction, Direction::kHigherIsBetter);
  EXPECT_EQ(*c.metrics_specs[0].thresholds.at("auc").change_threshold->absolute, -1e-10);
  ASSERT_EQ(c.slicing_specs.size(), 2u);
  EXPECT_TRUE(c.slicing_specs[0].IsOverall());
  EXPECT_EQ(c.slicing_specs[1].feature_keys, (std::vector<std::string>{"age"}));
  ASSERT_EQ(loaded->warnings.size(), 1u);
  EXPECT_NE(loaded->warnings[0].find("metrics_spec"), std::string::npos);
  std::string json = EvalRunJson(*loaded, "data/*.tfrecord", {{"candidate", "/m/c"}});
  EXPECT_NE(json.find("\"metricsSpecs\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"isBaseline\": true"), std::string::npos) << json;
}

TEST(EvalConfigTest, RubberStampDropsChangeThresholdsAndBaseline) {
  auto loaded = LoadEvalConfig(kGuideConfig, "guide", ConfigContext{false, true});
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->config.model_specs.size(), 1u);
  EXPECT_EQ(loaded->config.model_specs[0].name, "");
  EXPECT_FALSE(loaded->config.metrics_specs[0].thresholds.at("auc").change_threshold.has_value());
  EXPECT_EQ(loaded->config.metrics_specs[0].model_names, (std::vector<std::string>{""}));
}

TEST(EvalConfigTest, ChangeThresholdsWithoutBaselineAreAnError) {
  auto loaded = LoadEvalConfig(kGuideConfig, "guide", ConfigContext{false, false});
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(loaded.status().message().find("baseline is missing"), std::string::npos);
}

TEST(EvalConfigTest, UnknownFieldIsNamed) {
  auto loaded = LoadEvalConfig("model_specs { label_kee: \"x\" }", "cfg.pbtxt", ConfigContext{});
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(loaded.status().message().find("label_kee"), std::string::npos) << loaded.status();
  EXPECT_NE(loaded.status().message().find("cfg.pbtxt"), std::string::npos);
}

TEST(EvalConfigTest, JsonWithTfmaNames) {
  const char* json = R"({"modelSpecs": [{"labelKey": "label", "predictionKey": "p"}],
    "slicingSpecs": [{}, {"featureValues": {"country": "us"}}],
    "metricsSpecs": [{"metrics": [{"className": "ExampleCount",
      "threshold": {"valueThreshold": {"lowerBound": 10}}}]}]})";
  auto loaded = LoadEvalConfig(json, "cfg.json", ConfigContext{});
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->config.model_specs[0].prediction_key, "p");
  EXPECT_EQ(loaded->config.slicing_specs[1].feature_values.at("country"), "us");
  EXPECT_EQ(*loaded->config.metrics_specs[0].metrics[0].threshold->value_threshold->lower_bound, 10.0);
  auto bad = LoadEvalConfig(R"({"modelSpecz": []})", "cfg.json", ConfigContext{});
  EXPECT_NE(bad.status().message().find("modelSpecz"), std::string::npos) << bad.status();
}

TEST(EvalConfigTest, UnsupportedFeaturesAndMetricsAreNamed) {
  auto a = LoadEvalConfig("cross_slicing_specs {}", "c", ConfigContext{});
  EXPECT_NE(a.status().message().find("cross_slicing_specs"), std::string::npos);
  auto b = LoadEvalConfig("metrics_specs { metrics { class_name: \"NDCG\" } }", "c", ConfigContext{});
  EXPECT_NE(b.status().message().find("'NDCG'"), std::string::npos) << b.status();
}

}  // namespace
}  // namespace xai::validation
