// XRAI inside `xai explain`: Integrated Gradients from a black and a white
// baseline, then region densities (attribution/xrai.h) for every image feature.
#ifndef XAI_EXPLAIN_EXPLAIN_XRAI_H_
#define XAI_EXPLAIN_EXPLAIN_XRAI_H_

#include <vector>

#include "xai/attribution/attribution.h"
#include "xai/attribution/xrai.h"
#include "xai/metadata/metadata.h"

namespace xai {

// Image layout of a feature value [N, H, W, C] or [N, H, W] (C = 1), by the
// rule of IsImageValue (attribution/blur.h).
struct ImageLayout {
  int height = 0, width = 0, channels = 0;
};

// nullopt when `value` does not hold images.
std::optional<ImageLayout> ImageLayoutOf(const Tensor& value, const InputMetadata& md);

// XRAI for `features` (md[f] is feature f's metadata). Image features without
// baselines in the metadata get PAIR's two: the instance filled with its own
// minimum and with its maximum ("black" and "white"; the metadata's
// feature_value_domain min/max when given), unless `keep_baselines` (the
// caller set them already, e.g. the blur baseline). IG (`ig`, every feature moving
// together, baselines averaged) gives the base attribution; for each image
// feature it is replaced by the XRAI density, repeated over the channels so
// it keeps the input's shape. Non-image features keep their IG attribution.
// Error when no feature is an image.
StatusOr<AttributionResult> ExplainXrai(Model& model, const AttributionTarget& target,
                                        std::vector<FeatureTensor> features,
                                        const std::vector<const InputMetadata*>& md, const IgOptions& ig,
                                        const XraiOptions& xrai, bool keep_baselines);

}  // namespace xai

#endif  // XAI_EXPLAIN_EXPLAIN_XRAI_H_
