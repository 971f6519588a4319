#include "xai/explain/explain_xrai.h"

#include <algorithm>

#include "xai/attribution/blur.h"

namespace xai {
namespace {

bool HasOwnBaselines(const InputMetadata& md) {
  const std::optional<Json>& b = md.encoded_tensor_name.empty() ? md.input_baselines : md.encoded_baselines;
  return b && !b->empty();
}

// Each instance's row filled with one value: `pick(row min, row max)`.
template <typename Pick>
Tensor FilledPerInstance(const Tensor& value, Pick pick) {
  Tensor out(DType::kFloat, value.shape());
  int64_t per = value.row_size(), n = value.shape()[0];
  for (int64_t i = 0; i < n; ++i) {
    const float* row = value.data<float>() + i * per;
    auto [lo, hi] = std::minmax_element(row, row + per);
    std::fill(out.data<float>() + i * per, out.data<float>() + (i + 1) * per, pick(*lo, *hi));
  }
  return out;
}

// PAIR's default XRAI baselines, or the metadata's value domain when given.
std::vector<Tensor> BlackAndWhite(const Tensor& value, const InputMetadata& md) {
  std::optional<double> lo, hi;
  if (md.feature_value_domain) {
    lo = md.feature_value_domain->min_value;
    hi = md.feature_value_domain->max_value;
  }
  return {FilledPerInstance(value, [&](float mn, float) { return lo ? static_cast<float>(*lo) : mn; }),
          FilledPerInstance(value, [&](float, float mx) { return hi ? static_cast<float>(*hi) : mx; })};
}

}  // namespace

std::optional<ImageLayout> ImageLayoutOf(const Tensor& value, const InputMetadata& md) {
  if (!IsImageValue(value, md.modality == "image")) return std::nullopt;
  const std::vector<int64_t>& s = value.shape();
  return ImageLayout{static_cast<int>(s[1]), static_cast<int>(s[2]), s.size() == 4 ? static_cast<int>(s[3]) : 1};
}

StatusOr<AttributionResult> ExplainXrai(Model& model, const AttributionTarget& target,
                                        std::vector<FeatureTensor> features,
                                        const std::vector<const InputMetadata*>& md, const IgOptions& ig,
                                        const XraiOptions& xrai, bool keep_baselines) {
  std::vector<size_t> images;
  std::string shapes;
  for (size_t f = 0; f < features.size(); ++f) {
    if (ImageLayoutOf(features[f].value, *md[f])) {
      images.push_back(f);
      if (!keep_baselines && !HasOwnBaselines(*md[f])) features[f].baselines = BlackAndWhite(features[f].value, *md[f]);
    }
    shapes += (shapes.empty() ? "" : ", ") + features[f].name + " " + DTypeName(features[f].value.dtype()) +
              ShapeString(features[f].value.shape());
  }
  if (images.empty()) {
    return absl::InvalidArgumentError(
        "xrai needs an image feature (float [N, H, W, C] with C 1, 3 or 4, or modality \"image\"); the features "
        "are " + shapes + ": use integrated_gradients or sampled_shapley");
  }
  XAI_ASSIGN_OR_RETURN(AttributionResult result, IntegratedGradients(model, target, features, ig));
  for (size_t f : images) {
    ImageLayout l = *ImageLayoutOf(features[f].value, *md[f]);
    Tensor& attr = result.attributions[f];
    int64_t per = attr.row_size(), n = attr.shape()[0], pixels = int64_t{l.height} * l.width;
    for (int64_t i = 0; i < n; ++i) {
      const float* image = features[f].value.data<float>() + i * per;
      float* a = attr.data<float>() + i * per;
      XAI_ASSIGN_OR_RETURN(XraiResult r, XraiRegions(image, a, l.height, l.width, l.channels, xrai));
      for (int64_t p = 0; p < pixels; ++p) std::fill(a + p * l.channels, a + (p + 1) * l.channels, r.density[p]);
    }
  }
  return result;
}

}  // namespace xai
