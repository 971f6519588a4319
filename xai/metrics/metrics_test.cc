#include "xai/metrics/metrics.h"

#include <cmath>

#include "gtest/gtest.h"

namespace xai::metrics {
namespace {

struct Row {
  double label;
  float prediction;
  double weight;
};

Accumulator Fill(const AccumulatorPlan* plan, const std::vector<Row>& rows) {
  Accumulator acc(plan);
  for (const Row& r : rows) {
    MetricInput in;
    in.label = &r.label;
    in.label_size = 1;
    in.prediction = &r.prediction;
    in.prediction_size = 1;
    in.weight = r.weight;
    EXPECT_TRUE(acc.Add(in).ok());
  }
  return acc;
}

MetricDef Def(const std::string& cls, const std::string& config = "") {
  auto d = ParseMetricDef(cls, config);
  EXPECT_TRUE(d.ok()) << d.status();
  return *d;
}

TEST(MetricsTest, DefaultNamesAndConfig) {
  EXPECT_EQ(Def("AUC").name, "auc");
  EXPECT_EQ(Def("AUCPrecisionRecall").name, "auc_precision_recall");
  EXPECT_EQ(Def("WeightedExampleCount").name, "weighted_example_count");
  EXPECT_EQ(Def("SparseCategoricalAccuracy").name, "sparse_categorical_accuracy");
  EXPECT_EQ(Def("AUC", "\"name\": \"my_auc\", \"num_thresholds\": 100").name, "my_auc");
  EXPECT_EQ(Def("AUC", "{\"num_thresholds\": 100}").num_thresholds, 100);
  EXPECT_EQ(Def("Precision", "\"thresholds\": [0.3]").threshold, 0.3);
  auto bad = ParseMetricDef("AUCC", "");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("'AUCC'"), std::string::npos);
  auto bad_key = ParseMetricDef("AUC", "\"foo\": 1");
  EXPECT_NE(bad_key.status().message().find("'foo'"), std::string::npos);
}

TEST(MetricsTest, SimpleMetricsOnHandComputedData) {
  std::vector<MetricDef> defs = {Def("ExampleCount"), Def("MeanLabel"), Def("MeanPrediction"),
                                 Def("Calibration"), Def("BinaryAccuracy"), Def("Precision"),
                                 Def("Recall"), Def("MeanAbsoluteError"), Def("MeanSquaredError"),
                                 Def("AUC")};
  AccumulatorPlan plan = AccumulatorPlan::For(defs);
  std::vector<Row> rows = {{1, 0.75f, 1}, {0, 0.25f, 1}, {1, 0.25f, 2}, {0, 0.75f, 1}};
  Accumulator acc = Fill(&plan, rows);
  EXPECT_EQ(acc.Compute(defs[0]), 5.0);
  EXPECT_DOUBLE_EQ(acc.Compute(defs[1]), 3.0 / 5);
  EXPECT_DOUBLE_EQ(acc.Compute(defs[2]), (0.75 + 0.25 + 0.5 + 0.75) / 5);
  EXPECT_DOUBLE_EQ(acc.Compute(defs[3]), 2.25 / 3.0);
  EXPECT_DOUBLE_EQ(acc.Compute(defs[4]), 2.0 / 5);  // tp=1 tn=1 fp=1 fn=2
  EXPECT_DOUBLE_EQ(acc.Compute(defs[5]), 0.5);
  EXPECT_DOUBLE_EQ(acc.Compute(defs[6]), 1.0 / 3);
  EXPECT_DOUBLE_EQ(acc.Compute(defs[7]), (0.25 + 0.25 + 1.5 + 0.75) / 5);
  // ROC of 2 positive-weighted groups: P(score_pos > score_neg) = (1·1 + 2·0 + ties 0.5·(1·1 + 2·1)) / 3·2
  EXPECT_NEAR(acc.Compute(defs[9]), (1.0 * 1 + 0.5 * (1 * 1 + 2 * 1)) / 6.0, 1e-6);
}

TEST(MetricsTest, AucPerfectAndMergeable) {
  std::vector<MetricDef> defs = {Def("AUC"), Def("ExampleCount")};
  AccumulatorPlan plan = AccumulatorPlan::For(defs);
  Accumulator a = Fill(&plan, {{1, 0.9f, 1}, {0, 0.1f, 1}});
  Accumulator b = Fill(&plan, {{1, 0.8f, 1}, {0, 0.2f, 1}});
  a.Merge(b);
  EXPECT_DOUBLE_EQ(a.Compute(defs[0]), 1.0);
  EXPECT_EQ(a.Compute(defs[1]), 4.0);
  EXPECT_EQ(a.num_examples(), 4);
}

TEST(MetricsTest, EmptyGivesNaN) {
  std::vector<MetricDef> defs = {Def("MeanLabel"), Def("Precision")};
  AccumulatorPlan plan = AccumulatorPlan::For(defs);
  Accumulator acc(&plan);
  EXPECT_TRUE(std::isnan(acc.Compute(defs[0])));
  EXPECT_TRUE(std::isnan(acc.Compute(defs[1])));
}

TEST(MetricsTest, PairwiseSumMatchesPlainSumOnExactValues) {
  std::vector<double> v(9999);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(i % 7);
  double plain = 0;
  for (double x : v) plain += x;
  EXPECT_EQ(NumpyPairwiseSum(v.data(), v.size()), plain);
}

}  // namespace
}  // namespace xai::metrics
