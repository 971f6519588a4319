// TFMA's MetricKey (metric_types.py) for the single-output, no-sub-key case.
#ifndef XAI_METRICS_METRIC_KEY_H_
#define XAI_METRICS_METRIC_KEY_H_

#include <optional>
#include <string>
#include <tuple>

namespace xai::metrics {

struct MetricKey {
  std::string name;
  std::string model_name;  // "" with a single model
  std::string output_name;
  // Set for post-training metrics (MetricConfig); unset for keys built from
  // MetricsSpec.thresholds (training-time metrics), exactly as in TFMA.
  std::optional<bool> example_weighted;
  bool is_diff = false;

  MetricKey WithModel(const std::string& model) const {
    MetricKey k = *this;
    k.model_name = model;
    return k;
  }
  MetricKey Diff() const {
    MetricKey k = *this;
    k.is_diff = true;
    return k;
  }
  MetricKey NonDiff() const {
    MetricKey k = *this;
    k.is_diff = false;
    return k;
  }
  // "auc (model candidate, weighted, diff)" — for summaries and errors.
  std::string ToString() const {
    std::string extra;
    auto add = [&](const std::string& s) { extra += (extra.empty() ? "" : ", ") + s; };
    if (!model_name.empty()) add("model " + model_name);
    if (!output_name.empty()) add("output " + output_name);
    if (example_weighted.has_value()) add(*example_weighted ? "weighted" : "unweighted");
    if (is_diff) add("diff");
    return extra.empty() ? name : name + " (" + extra + ")";
  }
  auto Tie() const { return std::tie(name, model_name, output_name, example_weighted, is_diff); }
  bool operator<(const MetricKey& o) const { return Tie() < o.Tie(); }
  bool operator==(const MetricKey& o) const { return Tie() == o.Tie(); }
};

}  // namespace xai::metrics

#endif  // XAI_METRICS_METRIC_KEY_H_
