#include "xai/metrics/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace xai::metrics {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kHistogramBuckets = 10000;  // calibration_histogram.DEFAULT_NUM_BUCKETS
constexpr double kEpsilon = 1e-7;         // binary_confusion_matrices._EPSILON

struct ClassInfo {
  const char* class_name;
  const char* default_name;
  MetricKind kind;
};

constexpr ClassInfo kClasses[] = {
    {"ExampleCount", "example_count", MetricKind::kExampleCount},
    {"WeightedExampleCount", "weighted_example_count", MetricKind::kExampleCount},
    {"AUC", "auc", MetricKind::kAuc},
    {"AUCPrecisionRecall", "auc_precision_recall", MetricKind::kAuc},
    {"BinaryAccuracy", "binary_accuracy", MetricKind::kConfusion},
    {"Precision", "precision", MetricKind::kConfusion},
    {"Recall", "recall", MetricKind::kConfusion},
    {"MeanLabel", "mean_label", MetricKind::kMeanLabel},
    {"MeanPrediction", "mean_prediction", MetricKind::kMeanPrediction},
    {"Calibration", "calibration", MetricKind::kCalibration},
    {"MeanSquaredError", "mean_squared_error", MetricKind::kMeanSquaredError},
    {"MeanAbsoluteError", "mean_absolute_error", MetricKind::kMeanAbsoluteError},
    {"BinaryCrossEntropy", "binary_crossentropy", MetricKind::kBinaryCrossEntropy},
    {"BinaryCrossentropy", "binary_crossentropy", MetricKind::kKerasBinaryCrossentropy},
    {"CategoricalAccuracy", "categorical_accuracy", MetricKind::kCategoricalAccuracy},
    {"SparseCategoricalAccuracy", "sparse_categorical_accuracy", MetricKind::kSparseCategoricalAccuracy},
};

// TFMA lets the outer braces of MetricConfig.config be left out.
StatusOr<nlohmann::json> ParseConfigJson(const std::string& text) {
  std::string trimmed = text;
  trimmed.erase(0, trimmed.find_first_not_of(" \t\r\n"));
  if (trimmed.empty()) return nlohmann::json::object();
  if (trimmed[0] != '{') trimmed = "{" + trimmed + "}";
  try {
    nlohmann::json j = nlohmann::json::parse(trimmed);
    if (!j.is_object()) throw nlohmann::json::type_error::create(302, "not an object", nullptr);
    return j;
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("metric config '", text, "' is not a JSON object: ", e.what()));
  }
}

Status ApplyOption(MetricDef* def, const std::string& key, const nlohmann::json& v) {
  try {
    if (key == "name") {
      def->name = v.get<std::string>();
    } else if (key == "num_thresholds" && def->kind == MetricKind::kAuc) {
      def->num_thresholds = v.get<int>();
      if (def->num_thresholds <= 1) return absl::InvalidArgumentError("num_thresholds must be > 1");
    } else if (key == "curve" && def->kind == MetricKind::kAuc) {
      std::string c = v.get<std::string>();
      if (c != "ROC" && c != "PR") return absl::InvalidArgumentError("AUC curve must be ROC or PR, got " + c);
      def->pr_curve = c == "PR";
    } else if (key == "summation_method" && def->kind == MetricKind::kAuc) {
      std::string s = v.get<std::string>();
      if (s == "interpolation") def->summation = MetricDef::Summation::kInterpolation;
      else if (s == "minoring") def->summation = MetricDef::Summation::kMinoring;
      else if (s == "majoring") def->summation = MetricDef::Summation::kMajoring;
      else return absl::InvalidArgumentError("unknown summation_method " + s);
    } else if (key == "thresholds" && def->kind == MetricKind::kConfusion) {
      if (v.is_array() && v.size() != 1)
        return absl::InvalidArgumentError("xai supports one threshold per confusion-matrix metric, got " +
                                          v.dump());
      def->threshold = v.is_array() ? v[0].get<double>() : v.get<double>();
    } else if (v.is_null()) {
      // TFMA writes unset options as null.
    } else {
      return absl::InvalidArgumentError(absl::StrCat("config key '", key, "' of metric ", def->class_name,
                                                     " is not supported by xai"));
    }
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("config key '", key, "' of metric ", def->class_name,
                                                   " has the wrong type: ", v.dump()));
  }
  return absl::OkStatus();
}

}  // namespace

std::string SupportedMetricClasses() {
  std::string out;
  for (const ClassInfo& c : kClasses) out += (out.empty() ? "" : ", ") + std::string(c.class_name);
  return out;
}

StatusOr<MetricDef> ParseMetricDef(const std::string& class_name, const std::string& config_json) {
  const ClassInfo* info = nullptr;
  for (const ClassInfo& c : kClasses) {
    if (class_name == c.class_name) info = &c;
  }
  if (info == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("metric class_name '", class_name,
                                                   "' is not supported by xai; supported: ", SupportedMetricClasses()));
  }
  MetricDef def;
  def.class_name = class_name;
  def.name = info->default_name;
  def.kind = info->kind;
  def.pr_curve = class_name == "AUCPrecisionRecall";
  def.needs_label = def.kind != MetricKind::kExampleCount;
  if (class_name == "Precision") def.confusion = MetricDef::Confusion::kPrecision;
  if (class_name == "Recall") def.confusion = MetricDef::Confusion::kRecall;
  XAI_ASSIGN_OR_RETURN(nlohmann::json config, ParseConfigJson(config_json));
  for (auto it = config.begin(); it != config.end(); ++it) {
    XAI_RETURN_IF_ERROR(ApplyOption(&def, it.key(), it.value()));
  }
  return def;
}

AccumulatorPlan AccumulatorPlan::For(const std::vector<MetricDef>& defs) {
  AccumulatorPlan plan;
  for (const MetricDef& d : defs) {
    if (d.kind == MetricKind::kAuc) plan.histogram = true;
    if (d.kind == MetricKind::kConfusion &&
        std::find(plan.thresholds.begin(), plan.thresholds.end(), d.threshold) == plan.thresholds.end()) {
      plan.thresholds.push_back(d.threshold);
    }
    if (d.kind == MetricKind::kCategoricalAccuracy || d.kind == MetricKind::kSparseCategoricalAccuracy) {
      plan.categorical = true;
    } else if (d.needs_label) {
      plan.binary = true;
    }
  }
  return plan;
}

Accumulator::Accumulator(const AccumulatorPlan* plan) : plan_(plan), confusion_(plan->thresholds.size()) {}

Status Accumulator::Add(const MetricInput& in) {
  ++num_examples_;
  example_weight_sum_ += in.weight;
  if (plan_->binary) {
    if (in.label_size != 1 || in.prediction_size != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "binary metrics need one label and one prediction value per example, got ", in.label_size,
          " label and ", in.prediction_size, " prediction values"));
    }
    AddBinary(in.label[0], in.prediction[0], in.weight, in.label_is_float32);
  }
  if (plan_->categorical) AddCategorical(in);
  return absl::OkStatus();
}

void Accumulator::AddBinary(double label, float prediction, double weight, bool label_is_float32) {
  const double p = prediction;
  total_weighted_examples_ += weight;
  total_weighted_labels_ += label * weight;
  total_weighted_predictions_ += p * weight;
  // Regression errors: label − prediction in float32 when both are float32
  // (numpy), in float64 when the label is an int64 feature.
  double diff = label_is_float32 ? static_cast<double>(static_cast<float>(label) - prediction) : label - p;
  if (!std::isnan(diff)) {
    mse_error_ += (std::fabs(diff) * std::fabs(diff)) * weight;
    mse_weight_ += weight;
    mae_error_ += std::fabs(diff) * weight;
    mae_weight_ += weight;
  }
  // TFMA native BinaryCrossEntropy: float32 elementwise, no clipping.
  {
    float l = static_cast<float>(label), pf = prediction;
    float e = -(l * std::log(pf)) - (1.0f - l) * std::log(1.0f - pf);
    bce_sum_ += static_cast<double>(e) * weight;
    bce_weight_ += weight;
  }
  // Keras BinaryCrossentropy: clip to [eps, 1-eps], log(p + eps).
  {
    double pc = std::min(std::max(p, kEpsilon), 1.0 - kEpsilon);
    double e = -(label * std::log(pc + kEpsilon) + (1.0 - label) * std::log(1.0 - pc + kEpsilon));
    keras_bce_sum_ += e * weight;
    keras_bce_weight_ += weight;
  }
  // Confusion matrices with fractional labels: (1, p, w·l) and (0, p, w·(1−l)),
  // zero weights dropped; positive iff p > threshold.
  const double wpos = weight * label, wneg = weight * (1.0 - label);
  for (size_t t = 0; t < confusion_.size(); ++t) {
    bool predicted = p > plan_->thresholds[t];
    if (wpos != 0) (predicted ? confusion_[t].tp : confusion_[t].fn) += wpos;
    if (wneg != 0) (predicted ? confusion_[t].fp : confusion_[t].tn) += wneg;
  }
  if (plan_->histogram) {
    if (wpos != 0) AddHistogram(1.0, p, wpos);
    if (wneg != 0) AddHistogram(0.0, p, wneg);
  }
}

void Accumulator::AddHistogram(double label, double prediction, double weight) {
  if (hist_labels_.empty()) {
    hist_labels_.assign(kHistogramBuckets + 2, 0.0);
    hist_weights_.assign(kHistogramBuckets + 2, 0.0);
    hist_used_.assign(kHistogramBuckets + 2, false);
  }
  double index = (prediction - 0.0) / 1.0 * kHistogramBuckets + 1;
  int bucket = index < 0 ? 0 : index >= kHistogramBuckets + 1 ? kHistogramBuckets + 1 : static_cast<int>(index);
  hist_labels_[bucket] += label * weight;
  hist_weights_[bucket] += weight;
  hist_used_[bucket] = true;
}

void Accumulator::AddCategorical(const MetricInput& in) {
  if (in.prediction_size == 0) return;
  size_t pred_arg = std::max_element(in.prediction, in.prediction + in.prediction_size) - in.prediction;
  if (in.label_size == in.prediction_size) {
    size_t label_arg = std::max_element(in.label, in.label + in.label_size) - in.label;
    cat_match_ += (label_arg == pred_arg ? 1.0 : 0.0) * in.weight;
    cat_weight_ += in.weight;
  }
  if (in.label_size == 1) {
    sparse_match_ += (static_cast<double>(pred_arg) == in.label[0] ? 1.0 : 0.0) * in.weight;
    sparse_weight_ += in.weight;
  }
}

void Accumulator::Merge(const Accumulator& o) {
  num_examples_ += o.num_examples_;
  example_weight_sum_ += o.example_weight_sum_;
  total_weighted_examples_ += o.total_weighted_examples_;
  total_weighted_labels_ += o.total_weighted_labels_;
  total_weighted_predictions_ += o.total_weighted_predictions_;
  mse_error_ += o.mse_error_;
  mse_weight_ += o.mse_weight_;
  mae_error_ += o.mae_error_;
  mae_weight_ += o.mae_weight_;
  bce_sum_ += o.bce_sum_;
  bce_weight_ += o.bce_weight_;
  keras_bce_sum_ += o.keras_bce_sum_;
  keras_bce_weight_ += o.keras_bce_weight_;
  cat_match_ += o.cat_match_;
  cat_weight_ += o.cat_weight_;
  sparse_match_ += o.sparse_match_;
  sparse_weight_ += o.sparse_weight_;
  for (size_t t = 0; t < confusion_.size(); ++t) {
    confusion_[t].tp += o.confusion_[t].tp;
    confusion_[t].tn += o.confusion_[t].tn;
    confusion_[t].fp += o.confusion_[t].fp;
    confusion_[t].fn += o.confusion_[t].fn;
  }
  if (!o.hist_labels_.empty()) {
    if (hist_labels_.empty()) {
      hist_labels_ = o.hist_labels_;
      hist_weights_ = o.hist_weights_;
      hist_used_ = o.hist_used_;
      return;
    }
    for (size_t b = 0; b < hist_labels_.size(); ++b) {
      hist_labels_[b] += o.hist_labels_[b];
      hist_weights_[b] += o.hist_weights_[b];
      hist_used_[b] = hist_used_[b] || o.hist_used_[b];
    }
  }
}

namespace {

// np.isclose(x, 0.0) with its default atol.
bool NearZero(double x) { return std::fabs(x) <= 1e-8; }

double Ratio(double num, double den) { return den > 0 ? num / den : kNaN; }

}  // namespace

double Accumulator::ComputeConfusion(const MetricDef& def) const {
  size_t t = std::find(plan_->thresholds.begin(), plan_->thresholds.end(), def.threshold) - plan_->thresholds.begin();
  const Confusion& c = confusion_[t];
  switch (def.confusion) {
    case MetricDef::Confusion::kAccuracy: return Ratio(c.tp + c.tn, c.tp + c.fp + c.tn + c.fn);
    case MetricDef::Confusion::kPrecision: return Ratio(c.tp, c.tp + c.fp);
    case MetricDef::Confusion::kRecall: return Ratio(c.tp, c.tp + c.fn);
  }
  return kNaN;
}

double Accumulator::Compute(const MetricDef& def) const {
  switch (def.kind) {
    case MetricKind::kExampleCount: return example_weight_sum_;
    case MetricKind::kAuc: return ComputeAuc(def);
    case MetricKind::kConfusion: return ComputeConfusion(def);
    case MetricKind::kMeanLabel:
      return NearZero(total_weighted_examples_) ? kNaN : total_weighted_labels_ / total_weighted_examples_;
    case MetricKind::kMeanPrediction:
      return NearZero(total_weighted_examples_) ? kNaN : total_weighted_predictions_ / total_weighted_examples_;
    case MetricKind::kCalibration:
      return NearZero(total_weighted_labels_) ? kNaN : total_weighted_predictions_ / total_weighted_labels_;
    case MetricKind::kMeanSquaredError: return mse_weight_ != 0 ? mse_error_ / mse_weight_ : kNaN;
    case MetricKind::kMeanAbsoluteError: return mae_weight_ != 0 ? mae_error_ / mae_weight_ : kNaN;
    case MetricKind::kBinaryCrossEntropy: return bce_weight_ != 0 ? bce_sum_ / bce_weight_ : kNaN;
    case MetricKind::kKerasBinaryCrossentropy: return keras_bce_weight_ != 0 ? keras_bce_sum_ / keras_bce_weight_ : kNaN;
    case MetricKind::kCategoricalAccuracy: return cat_weight_ != 0 ? cat_match_ / cat_weight_ : kNaN;
    case MetricKind::kSparseCategoricalAccuracy: return sparse_weight_ != 0 ? sparse_match_ / sparse_weight_ : kNaN;
  }
  return kNaN;
}

}  // namespace xai::metrics
