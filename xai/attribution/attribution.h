// Feature attributions on the narrow model interface (model/model.h):
// Integrated Gradients and Sampled Shapley. Callers (service/explain) turn
// explanation metadata and request instances into these types.
#ifndef XAI_ATTRIBUTION_ATTRIBUTION_H_
#define XAI_ATTRIBUTION_ATTRIBUTION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "xai/attribution/quadrature.h"
#include "xai/model/model.h"

namespace xai {

// A sparse (VarLen) feature: a batch SparseTensor (indices [nnz, rank] int64,
// values [nnz], dense_shape [rank] int64, row = instance) laid out per
// instance so that the methods work on it elementwise. The FeatureTensor's
// value is a dense padded [N, L] (L = the most entries any instance has):
// instance i's entries in canonical (row-major index) order in columns
// 0..counts[i]-1, padding after them (0 / ""). Baselines share the layout
// (same indices, only the values differ). When fed for path rows, row k's
// entries become rows k of a rebuilt SparseTensor (see AppendFeatureFeeds).
struct SparseLayout {
  std::string indices_tensor;      // flat tensor names fed with the rebuilt indices and dense_shape
  std::string dense_shape_tensor;
  std::vector<int64_t> counts;     // [N] entries per instance
  int64_t width = 0;               // L
  std::vector<int64_t> dense_tail; // dense_shape[1:], kept for every chunk
  std::vector<int64_t> columns;    // [N, L, rank-1]: each entry's index without the row (0 for padding)
  int64_t rank() const { return static_cast<int64_t>(dense_tail.size()) + 1; }
};

// One feature tensor of the flattened signature graph.
struct FeatureTensor {
  std::string name;                // metadata input key (or group)
  std::string tensor;              // flat tensor name fed with interpolated / swapped values (sparse: the values)
  Tensor value;                    // [N, ...] the instances' values of `tensor` (sparse: padded [N, L])
  std::vector<Tensor> baselines;   // each [N, ...]: one baseline per instance (broadcast already)
  std::string group;               // metadata group_name: Sampled Shapley switches a group as one player
  std::optional<SparseLayout> sparse;  // set for sparse features
  // Sampled Shapley only (IG ignores it): every element of an instance's row
  // is its own player (bag / indicator encodings). Ignored when `group` is
  // set (the group is one player); not allowed together with `sparse`.
  bool split_elements = false;
};

// What is explained: element `output_index[i]` (flat, within one instance's
// output) of `output_tensor` for instance i, with `fixed_feeds` ([N, ...]
// each, tensor names) supplying every other input of the signature.
struct AttributionTarget {
  std::string signature;
  std::string output_tensor;
  std::vector<int64_t> output_index;
  std::vector<std::pair<std::string, Tensor>> fixed_feeds;
  // output_tensor's value for the instances when the caller has it (it saves
  // a model run); null: computed.
  const Tensor* output_value = nullptr;
};

// SmoothGrad inside IG (Vertex's SmoothGradConfig): at every quadrature node
// the gradient is the mean over noisy_sample_count points (path point +
// N(0, sigma²) per element); attributions still multiply by (x − b).
struct SmoothGradConfig {
  bool enabled = false;
  int noisy_sample_count = 3;   // Vertex: 1–50
  double noise_sigma = 0.1;     // every feature, unless feature_noise_sigma is given
  // By FeatureTensor name (or group); features not listed get no noise.
  std::vector<std::pair<std::string, double>> feature_noise_sigma;
  uint64_t seed = 0;            // noise of (baseline, instance, step, sample) is fixed by the seed alone
};

struct IgOptions {
  int step_count = 50;
  QuadratureRule rule = QuadratureRule::kGaussLegendre;
  // Bytes of feeds and gradients held per model run; the steps of all
  // instances are split into runs that fit. Accumulation is a running
  // weighted sum, so memory does not grow with steps or instances.
  int64_t memory_budget_bytes = 256ll << 20;
  // Target bytes per run (at most the budget): runs of a few MiB keep xai's
  // buffers in malloc's heap, where larger ones are fresh mmap'd pages on
  // every call (page faults cost more than the extra runs: 34 → 18 ms for
  // 32 instances of the seed model, docs/benchmarks.md).
  int64_t run_bytes = 4ll << 20;
  SmoothGradConfig smooth_grad;
};

struct AttributionResult {
  std::vector<Tensor> attributions;       // per feature, float32 [N, ...] like its value
  std::vector<double> instance_output;    // f(x) per instance
  std::vector<double> baseline_output;    // f(baseline) per instance, averaged over baselines
  std::vector<double> approximation_error;  // per instance (IG: completeness gap; Shapley: 0)
  // Shapley: per feature, float64 shaped like its attribution ([N], or
  // [N, per] for a split feature): the standard error of each attribution
  // (spread of the antithetic-pair means / √path_count; 0 when path_count is 1).
  // Empty for IG.
  std::vector<Tensor> standard_errors;
  int64_t model_runs = 0;
};

// IG(x)_f = (x_f − b_f) ⊙ Σ_j w_j ∂F(b + α_j (x − b))/∂x_f, all features moved
// together along the path, averaged over baselines. approximation_error is
// |Σ attributions − (F(x) − F(b))| / |F(x) − F(b)| (|Σ attributions| when the
// gap is 0). With options.smooth_grad, ∂F is averaged over noisy points (see
// SmoothGradConfig); (instance × step × sample) rows share the budgeted runs.
// Sparse features: the gradient is taken w.r.t. the values tensor and
// scattered into the padded layout; noise touches present entries only and
// padding attributions are 0.
StatusOr<AttributionResult> IntegratedGradients(Model& model, const AttributionTarget& target,
                                                const std::vector<FeatureTensor>& features,
                                                const IgOptions& options);

struct ShapleyOptions {
  int path_count = 10;   // permutations; each is paired with its reverse (antithetic)
  uint64_t seed = 0;
  int64_t memory_budget_bytes = 256ll << 20;
};

// Permutation-sampled Shapley values: a player's attribution is the mean
// change of F when it switches from baseline to instance value, over
// `path_count` random orders and their reverses. Every prefix of a path is
// evaluated in batched runs; needs no gradients; any dtype (elements are
// copied from value or baseline). Players:
//  - a feature with split_elements (and no group): each element of its row,
//    element e of instance i switching alone; attributions [N, per] float32
//    (per = value.row_size(), row-major order);
//  - features sharing a non-empty `group`: one player (switched together);
//    the player's value and standard error are reported on its first feature
//    and 0 on the others, so per-group sums are the group's values;
//  - any other feature: one player, the whole tensor (a sparse feature: all
//    its entries); attributions [N] float32.
// Efficiency: Σ over players = F(x) − F(b) for every sampled order.
// InvalidArgument for no features, a baseline not shaped like its value, or
// split_elements on a sparse feature.
StatusOr<AttributionResult> SampledShapley(Model& model, const AttributionTarget& target,
                                           const std::vector<FeatureTensor>& features, const ShapleyOptions& options);

// Builds [rows, ...] by taking row `rows[k]` of `t` (a batch) for each k.
Tensor GatherRows(const Tensor& t, const std::vector<int64_t>& rows);

using Feeds = std::vector<std::pair<std::string, Tensor>>;

// Lays out a batch SparseTensor of `n` instances (see SparseLayout): returns
// the padded [n, L] values (values' dtype) and fills `layout` (counts, width,
// dense_tail, columns; the tensor names are left to the caller). Entries are
// sorted into canonical order (stable, by index tuple). InvalidArgument for
// non-int64 or mis-shaped indices / dense_shape, dense_shape[0] != n, or an
// index outside dense_shape.
StatusOr<Tensor> PackSparse(const Tensor& values, const Tensor& indices, const Tensor& dense_shape, int64_t n,
                            SparseLayout* layout);

// Appends the feeds of feature `f` for path rows: `row_values` [count, ...]
// holds row k's values, which belong to instance rows[k]. Dense: one feed
// (f.tensor, row_values). Sparse: values [nnz of those rows] (row-major,
// canonical order), indices [nnz, rank] with the row coordinate replaced by
// k, and dense_shape [count, dense_tail...].
void AppendFeatureFeeds(const FeatureTensor& f, Tensor row_values, const std::vector<int64_t>& rows, Feeds* feeds);

// The gradient w.r.t. what AppendFeatureFeeds fed for `rows`, in the row
// layout [count, ...]: dense as is; sparse, [nnz] scattered back into
// [count, L] float32 (padding 0). Internal when the gradient is not one per value.
StatusOr<Tensor> FeatureGradientRows(const FeatureTensor& f, const std::vector<int64_t>& rows, const Tensor& gradient);

// Bytes one path row of `f` takes when fed (values per element at
// `element_bytes`; sparse adds the indices).
int64_t FeatureRowBytes(const FeatureTensor& f, int64_t element_bytes);

}  // namespace xai

#endif  // XAI_ATTRIBUTION_ATTRIBUTION_H_
