// Explanations (Vertex Explainable AI's methods) on tensors: the options
// every method takes and the structured result. Model::Explain (model.h)
// computes them; ExplainResponseJson gives Vertex's :explain response text.
// Plain value types: thread-compatible.
#ifndef XAI_EXPLAIN_H_
#define XAI_EXPLAIN_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "xai/export.h"
#include "xai/tensor.h"

namespace xai::api {

// SmoothGrad inside IG / XRAI (Vertex's smoothGradConfig): each quadrature
// node's gradient is the mean over noisy_sample_count points with
// N(0, sigma²) noise added.
struct SmoothGradOptions {
  bool enabled = false;
  int noisy_sample_count = 3;  // 1–50
  double noise_sigma = 0.1;    // every feature, unless feature_noise_sigma is given
  // By feature (metadata input key or group); unlisted features get no noise.
  std::vector<std::pair<std::string, double>> feature_noise_sigma;
};

// Vertex's ExplanationParameters, plus xai's extras. Defaults are Vertex's.
struct ExplainOptions {
  std::string method = "integrated_gradients";  // | sampled_shapley | xrai
  int step_count = 50;                          // IG / XRAI steps, 1–100
  int path_count = 10;                          // Shapley permutations (each with its reverse), 1–50
  std::string quadrature = "gauss_legendre";    // | trapezoid | midpoint
  std::vector<int64_t> output_indices;          // explain these output elements (flat per instance)
  int top_k = 0;                                // else the k largest (-1: all, largest first); 0: the argmax
  // Upper bound on the bytes of xai's feeds and gradients per model run
  // (TensorFlow's own buffers come on top). IG runs are at most ~4 MiB
  // anyway (faster than bigger ones, docs/benchmarks.md); smaller budgets
  // mean more, smaller runs. Must be > 0.
  int64_t memory_budget_bytes = 256ll << 20;
  uint64_t seed = 0;                            // Shapley permutations and SmoothGrad noise
  std::string signature;                        // empty: as Vertex chooses (xai_model, the only one, serving_default)
  SmoothGradOptions smooth_grad;
  double max_blur_sigma = 0;                    // blur baseline for image features; 0: off
  // IG: double step_count (up to 100) until every approximationError <= this.
  std::optional<double> target_error;
  std::string xrai_algorithm = "full";          // XRAI region ranking: full | fast
};

// One feature's attribution for one instance and explained output, shaped as
// Vertex's featureAttributions shows it.
struct FeatureAttribution {
  std::string name;  // the metadata input key, or its group_name
  // float64. Shape [] for one number (a group, a COMBINED_EMBEDDING input, a
  // Shapley player), the input's per-instance shape otherwise (sparse input:
  // [entries of this instance]; CONCAT_EMBEDDING: the input's shape).
  Tensor values;
  // Bag / indicator encodings: the name of each element of `values` (1-D);
  // Vertex returns them as an object {name: value}. Empty otherwise.
  std::vector<std::string> element_names;
};

// The attribution of one explained output element of one instance.
struct OutputAttribution {
  int64_t output_index = 0;           // flat index within the instance's output
  std::string output_name;            // the metadata's output key
  // From index_display_name_mapping; a non-string entry as its JSON text.
  std::optional<std::string> output_display_name;
  double baseline_output = 0;         // F(baseline), averaged over baselines
  double instance_output = 0;         // F(instance)
  double approximation_error = 0;     // IG: |Σ attributions − (F(x) − F(b))| / |F(x) − F(b)|; Shapley: 0
  // In the metadata's input order (sorted by key); a group at the place of
  // its first member. The :explain JSON object keys them the same way.
  std::vector<FeatureAttribution> features;
  // Sampled Shapley with path_count > 1: the standard error of each value
  // above, same names and shapes (xai's extension xaiStandardErrors).
  std::vector<FeatureAttribution> standard_errors;
};

struct Explanation {
  std::vector<OutputAttribution> attributions;  // one per explained output, in rank order
};

struct ExplainResult {
  std::vector<Explanation> explanations;      // one per instance
  std::map<std::string, Tensor> predictions;  // the explained signature's outputs, by key
  // Things worth telling the user that are not errors, e.g. "target_error
  // 0.01 reached with step_count 100". One line each.
  std::vector<std::string> notes;
};

}  // namespace xai::api

#endif  // XAI_EXPLAIN_H_
