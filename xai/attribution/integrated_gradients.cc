#include <algorithm>
#include <cmath>
#include <sstream>

#include "xai/attribution/attribution.h"

namespace xai {
namespace {

// Counter-seeded normal samples (splitmix64 + Box–Muller): the noise of one
// (baseline, row) depends on the seed and those indices only, so it does not
// change with how rows are split into runs.
class NoiseStream {
 public:
  NoiseStream(uint64_t seed, uint64_t baseline, uint64_t row) : state_(seed) {
    state_ = Mix(state_ ^ Mix(baseline + 0x51ed27u));
    state_ = Mix(state_ ^ Mix(row + 0x2545f491u));
  }
  double Normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u = Uniform(), v = Uniform();
    double r = std::sqrt(-2.0 * std::log(u)), t = 6.283185307179586 * v;  // 2π
    spare_ = r * std::sin(t);
    has_spare_ = true;
    return r * std::cos(t);
  }

 private:
  static uint64_t Mix(uint64_t z) {
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  double Uniform() {  // in (0, 1)
    state_ = Mix(state_);
    return (static_cast<double>(state_ >> 11) + 0.5) * (1.0 / 9007199254740992.0);
  }
  uint64_t state_;
  double spare_ = 0;
  bool has_spare_ = false;
};

// Noise sigma per feature: one for all, or by name / group (others 0).
StatusOr<std::vector<double>> NoiseSigmas(const SmoothGradConfig& sg, const std::vector<FeatureTensor>& features) {
  std::vector<double> sigma(features.size(), 0.0);
  if (!sg.enabled) return sigma;
  if (sg.noisy_sample_count < 1) {
    return absl::InvalidArgumentError("noisy_sample_count must be at least 1, got " +
                                      std::to_string(sg.noisy_sample_count));
  }
  auto check = [](const std::string& what, double s) -> Status {
    if (std::isfinite(s) && s >= 0) return absl::OkStatus();
    std::ostringstream text;
    text << s;
    return absl::InvalidArgumentError(what + " must be a finite number >= 0, got " + text.str());
  };
  if (sg.feature_noise_sigma.empty()) {
    XAI_RETURN_IF_ERROR(check("noise_sigma", sg.noise_sigma));
    sigma.assign(features.size(), sg.noise_sigma);
    return sigma;
  }
  for (const auto& [name, s] : sg.feature_noise_sigma) {
    XAI_RETURN_IF_ERROR(check("feature_noise_sigma of '" + name + "'", s));
    bool found = false;
    for (size_t f = 0; f < features.size(); ++f) {
      if (features[f].name == name || (!features[f].group.empty() && features[f].group == name)) {
        sigma[f] = s;
        found = true;
      }
    }
    if (!found) {
      std::string known;
      for (const auto& f : features) known += (known.empty() ? "" : ", ") + (f.group.empty() ? f.name : f.group);
      return absl::InvalidArgumentError("feature_noise_sigma names '" + name +
                                        "', which is not an attributed feature; expected one of: " + known);
    }
  }
  return sigma;
}

Status RequireFloat(const FeatureTensor& f) {
  if (f.value.dtype() != DType::kFloat) {
    return absl::FailedPreconditionError("feature '" + f.name + "' (" + f.tensor + ") is " +
                                         DTypeName(f.value.dtype()) +
                                         "; Integrated Gradients needs float32: give it an encoded_tensor_name "
                                         "or use sampled_shapley");
  }
  for (const auto& b : f.baselines) {
    if (b.shape() != f.value.shape() || b.dtype() != DType::kFloat) {
      return absl::InvalidArgumentError("baseline of feature '" + f.name + "' has shape " + ShapeString(b.shape()) +
                                        ", expected " + ShapeString(f.value.shape()));
    }
  }
  return absl::OkStatus();
}

// Row values of `f` for path rows: instance rows[k] at
// baseline + alphas[k] * (value − baseline), [rows, ...] float32.
Tensor PathValues(const FeatureTensor& f, size_t baseline, const std::vector<int64_t>& rows,
                  const std::vector<double>& alphas) {
  const Tensor& b = f.baselines[std::min(baseline, f.baselines.size() - 1)];
  int64_t per = f.value.row_size();
  std::vector<int64_t> shape = f.value.shape();
  shape[0] = static_cast<int64_t>(rows.size());
  Tensor t(DType::kFloat, shape);
  float* out = t.data<float>();
  for (size_t k = 0; k < rows.size(); ++k) {
    const float* x = f.value.data<float>() + rows[k] * per;
    const float* base = b.data<float>() + rows[k] * per;
    for (int64_t e = 0; e < per; ++e) out[k * per + e] = static_cast<float>(base[e] + alphas[k] * (x[e] - base[e]));
  }
  return t;
}

// Path values of every feature for `rows` (see PathValues).
std::vector<Tensor> AllPathValues(const std::vector<FeatureTensor>& features, size_t baseline,
                                  const std::vector<int64_t>& rows, const std::vector<double>& alphas) {
  std::vector<Tensor> values;
  for (const auto& f : features) values.push_back(PathValues(f, baseline, rows, alphas));
  return values;
}

// SmoothGrad: adds N(0, sigma[f]²) to every present element of row k
// (a sparse feature's padding stays 0); row k draws from the stream of
// global row first_row + k.
// Only the first `noisy_rows` rows get noise.
void AddNoise(const SmoothGradConfig& sg, const std::vector<double>& sigma, const std::vector<FeatureTensor>& features,
              size_t baseline, int64_t first_row, const std::vector<int64_t>& rows, int64_t noisy_rows,
              std::vector<Tensor>* values) {
  for (size_t k = 0; k < rows.size() && static_cast<int64_t>(k) < noisy_rows; ++k) {
    NoiseStream noise(sg.seed, baseline, static_cast<uint64_t>(first_row + static_cast<int64_t>(k)));
    for (size_t f = 0; f < features.size(); ++f) {
      if (sigma[f] == 0) continue;
      int64_t per = features[f].value.row_size();
      int64_t present = features[f].sparse ? features[f].sparse->counts[rows[k]] : per;
      float* v = (*values)[f].data<float>() + k * per;
      for (int64_t e = 0; e < present; ++e) v[e] = static_cast<float>(v[e] + sigma[f] * noise.Normal());
    }
  }
}

// Feeds for one evaluation of F per row: the fixed inputs of instances
// `rows` and every feature's row values.
Feeds PathFeeds(const AttributionTarget& target, const std::vector<FeatureTensor>& features,
                std::vector<Tensor> values, const std::vector<int64_t>& rows) {
  Feeds feeds;
  for (const auto& [name, t] : target.fixed_feeds) feeds.emplace_back(name, GatherRows(t, rows));
  for (size_t f = 0; f < features.size(); ++f) AppendFeatureFeeds(features[f], std::move(values[f]), rows, &feeds);
  return feeds;
}

// F at alpha (0 = baseline, 1 = instance) for every instance.
StatusOr<std::vector<double>> Evaluate(Model& model, const AttributionTarget& target,
                                       const std::vector<FeatureTensor>& features, size_t baseline, double alpha,
                                       std::vector<int64_t>* out_shape) {
  size_t n = target.output_index.size();
  std::vector<int64_t> rows(n);
  for (size_t i = 0; i < n; ++i) rows[i] = static_cast<int64_t>(i);
  std::vector<Tensor> point = AllPathValues(features, baseline, rows, std::vector<double>(n, alpha));
  auto feeds = PathFeeds(target, features, std::move(point), rows);
  XAI_ASSIGN_OR_RETURN(std::vector<Tensor> out, model.RunFlat(target.signature, feeds, {target.output_tensor}));
  if (out_shape) *out_shape = out[0].shape();
  int64_t per = out[0].row_size();
  std::vector<double> values(n);
  for (size_t i = 0; i < n; ++i) {
    if (target.output_index[i] >= per) {
      return absl::InvalidArgumentError("output index " + std::to_string(target.output_index[i]) +
                                        " is out of range: the output has " + std::to_string(per) +
                                        " values per instance");
    }
    values[i] = out[0].AsDouble(i * per + target.output_index[i]);
  }
  return values;
}

}  // namespace

StatusOr<AttributionResult> IntegratedGradients(Model& model, const AttributionTarget& target,
                                                const std::vector<FeatureTensor>& features,
                                                const IgOptions& options) {
  if (features.empty()) return absl::InvalidArgumentError("no features to attribute");
  size_t n = target.output_index.size();
  size_t baselines = 1;
  for (const auto& f : features) {
    XAI_RETURN_IF_ERROR(RequireFloat(f));
    baselines = std::max(baselines, f.baselines.size());
  }
  XAI_ASSIGN_OR_RETURN(Quadrature q, MakeQuadrature(options.rule, options.step_count));
  XAI_ASSIGN_OR_RETURN(std::vector<double> sigma, NoiseSigmas(options.smooth_grad, features));
  bool noisy = std::any_of(sigma.begin(), sigma.end(), [](double s) { return s > 0; });
  AttributionResult result;
  std::vector<int64_t> out_shape;
  if (target.output_value) {  // F(x) known: no run for it
    out_shape = target.output_value->shape();
    int64_t per = target.output_value->row_size();
    for (size_t i = 0; i < n; ++i) {
      if (target.output_index[i] < 0 || target.output_index[i] >= per) {
        return absl::InvalidArgumentError("output index " + std::to_string(target.output_index[i]) +
                                          " is out of range: the output has " + std::to_string(per) +
                                          " values per instance");
      }
      result.instance_output.push_back(target.output_value->AsDouble(i * per + target.output_index[i]));
    }
  } else {
    XAI_ASSIGN_OR_RETURN(result.instance_output, Evaluate(model, target, features, 0, 1.0, &out_shape));
    result.model_runs = 1;
  }
  int64_t out_per = Tensor(DType::kFloat, out_shape).row_size();

  // Rows per run from the memory budget: feeds + gradients of every feature,
  // the fixed inputs and the output weights, per row.
  int64_t row_bytes = out_per * 8;
  for (const auto& f : features) row_bytes += FeatureRowBytes(f, 4 * 3);
  for (const auto& [name, t] : target.fixed_feeds) {
    row_bytes += t.dtype() == DType::kString ? 64 * t.row_size() : t.row_size() * DTypeSize(t.dtype());
  }
  int64_t run_bytes = std::min<int64_t>(options.memory_budget_bytes, options.run_bytes);
  int64_t rows_per_run = std::max<int64_t>(1, run_bytes / std::max<int64_t>(1, row_bytes));

  std::vector<std::string> xs;
  for (const auto& f : features) xs.push_back(f.tensor);
  for (const auto& f : features) result.attributions.emplace_back(DType::kFloat, f.value.shape());
  result.baseline_output.assign(n, 0.0);

  for (size_t b = 0; b < baselines; ++b) {
    // Running weighted sums of gradients, per feature, [N, ...].
    std::vector<std::vector<double>> sums;
    for (const auto& f : features) sums.emplace_back(f.value.num_elements(), 0.0);
    // Rows: (instance, step, noisy sample), sample fastest.
    const int64_t samples = options.smooth_grad.enabled ? options.smooth_grad.noisy_sample_count : 1;
    const int64_t per_instance = options.step_count * samples;
    // After the path rows, one row per instance at the baseline (weight 0):
    // F(b) comes out of the same runs as the gradients.
    const int64_t path_rows = static_cast<int64_t>(n) * per_instance;
    int64_t total = path_rows + static_cast<int64_t>(n);
    for (int64_t start = 0; start < total; start += rows_per_run) {
      int64_t count = std::min(rows_per_run, total - start);
      std::vector<int64_t> rows(count);
      std::vector<double> alphas(count), weights(count);
      for (int64_t k = 0; k < count; ++k) {
        if (start + k >= path_rows) {
          rows[k] = start + k - path_rows;
          alphas[k] = 0.0;
          weights[k] = 0.0;
          continue;
        }
        int64_t step = (start + k) % per_instance / samples;
        rows[k] = (start + k) / per_instance;
        alphas[k] = q.alphas[step];
        weights[k] = q.weights[step] / samples;
      }
      VjpRequest request;
      request.signature = target.signature;
      request.xs = xs;
      request.y = target.output_tensor;
      std::vector<Tensor> values = AllPathValues(features, b, rows, alphas);
      if (noisy) AddNoise(options.smooth_grad, sigma, features, b, start, rows, path_rows - start, &values);
      for (auto& [name, t] : PathFeeds(target, features, std::move(values), rows)) request.feeds[name] = std::move(t);
      std::vector<int64_t> wshape = out_shape;
      wshape[0] = count;
      request.weights = Tensor(DType::kFloat, wshape);
      for (int64_t k = 0; k < count && start + k < path_rows; ++k) {
        request.weights.data<float>()[k * out_per + target.output_index[rows[k]]] = 1;
      }
      XAI_ASSIGN_OR_RETURN(VjpResult vjp, model.Vjp(request));
      ++result.model_runs;
      for (int64_t k = std::max<int64_t>(0, path_rows - start); k < count; ++k) {  // the baseline rows
        result.baseline_output[rows[k]] += vjp.y.AsDouble(k * out_per + target.output_index[rows[k]]) / baselines;
      }
      for (size_t f = 0; f < features.size(); ++f) {
        int64_t per = features[f].value.row_size();
        Tensor scattered;  // sparse features: the values' gradient in the padded row layout
        if (features[f].sparse) {
          XAI_ASSIGN_OR_RETURN(scattered, FeatureGradientRows(features[f], rows, vjp.gradients[f]));
        }
        const Tensor& g = features[f].sparse ? scattered : vjp.gradients[f];
        if (g.dtype() != DType::kFloat) {
          return absl::InternalError("gradient of feature '" + features[f].name + "' is " + DTypeName(g.dtype()) +
                                     ", expected float32");
        }
        const float* grad = g.data<float>();
        for (int64_t k = 0; k < count; ++k) {
          if (weights[k] == 0) continue;  // a baseline row: its gradient may be inf/NaN and counts for nothing
          double* sum = sums[f].data() + rows[k] * per;
          const float* row = grad + k * per;
          for (int64_t e = 0; e < per; ++e) sum[e] += weights[k] * row[e];
        }
      }
    }
    for (size_t f = 0; f < features.size(); ++f) {
      const Tensor& base = features[f].baselines[std::min(b, features[f].baselines.size() - 1)];
      float* attr = result.attributions[f].data<float>();
      for (int64_t e = 0; e < features[f].value.num_elements(); ++e) {
        double delta = features[f].value.data<float>()[e] - base.data<float>()[e];
        attr[e] += static_cast<float>(delta * sums[f][e] / baselines);
      }
    }
  }
  for (size_t i = 0; i < n; ++i) {
    double total = 0;
    for (size_t f = 0; f < features.size(); ++f) {
      int64_t per = features[f].value.row_size();
      for (int64_t e = 0; e < per; ++e) total += result.attributions[f].data<float>()[i * per + e];
    }
    double gap = result.instance_output[i] - result.baseline_output[i];
    result.approximation_error.push_back(gap == 0 ? std::fabs(total) : std::fabs(total - gap) / std::fabs(gap));
  }
  return result;
}

}  // namespace xai
