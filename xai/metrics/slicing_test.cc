#include "xai/metrics/slicing.h"

#include "gtest/gtest.h"

namespace xai::metrics {
namespace {

data::Feature Ints(std::vector<int64_t> v) {
  data::Feature f; f.kind = data::Feature::Kind::kInt64; f.int64_list = std::move(v); return f;
}
data::Feature Strings(std::vector<std::string> v) {
  data::Feature f; f.kind = data::Feature::Kind::kBytes; f.bytes_list = std::move(v); return f;
}

TEST(SlicingTest, OverallSingleAndCrossedKeys) {
  data::Example e;
  e.features = {{"age", Ints({30})}, {"country", Strings({"us", "de", "us"})}};
  std::vector<SlicingSpec> specs(4);
  specs[1].feature_keys = {"age"};
  specs[2].feature_keys = {"country", "age"};
  specs[3].feature_keys = {"missing"};
  std::vector<SliceKey> keys = SlicesOf(e, specs);
  std::vector<std::string> names;
  for (const auto& k : keys) names.push_back(k.ToString());
  EXPECT_EQ(names, (std::vector<std::string>{"Overall", "age:30", "age_X_country:30_X_de", "age_X_country:30_X_us"}));
}

TEST(SlicingTest, FeatureValuesAndApplicability) {
  data::Example e;
  e.features = {{"age", Ints({30})}, {"country", Strings({"us"})}};
  SlicingSpec spec;
  spec.feature_values = {{"age", "30"}};
  std::vector<SliceKey> keys = SlicesOf(e, {spec});
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].ToString(), "age:30");
  EXPECT_TRUE(IsSliceApplicable(keys[0], spec));
  spec.feature_values = {{"age", "31"}};
  EXPECT_TRUE(SlicesOf(e, {spec}).empty());
  EXPECT_FALSE(IsSliceApplicable(keys[0], spec));
  SlicingSpec by_age;
  by_age.feature_keys = {"age"};
  EXPECT_TRUE(IsSliceApplicable(keys[0], by_age));
  EXPECT_FALSE(IsSliceApplicable(SliceKey{}, by_age));
  EXPECT_TRUE(IsSliceApplicable(SliceKey{}, SlicingSpec{}));
}

TEST(SlicingTest, FloatValuesPrintLikePython) {
  EXPECT_EQ(SliceValue::Float(0.5f).ToString(), "0.5");
  EXPECT_EQ(SliceValue::Float(2.0f).ToString(), "2.0");
  EXPECT_EQ(SliceValue::FromSpecString("1.5").kind, SliceValue::Kind::kFloat);
  EXPECT_EQ(SliceValue::FromSpecString("15").kind, SliceValue::Kind::kInt64);
  EXPECT_EQ(SliceValue::FromSpecString("us").kind, SliceValue::Kind::kBytes);
}

}  // namespace
}  // namespace xai::metrics
