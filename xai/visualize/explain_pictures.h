// Pictures for `xai explain --visualize DIR`: image overlays and bar charts
// of one explained output of one instance (visualize/visualize.h draws them).
#ifndef XAI_VISUALIZE_EXPLAIN_PICTURES_H_
#define XAI_VISUALIZE_EXPLAIN_PICTURES_H_

#include <string>
#include <vector>

#include "xai/explain/explain.h"
#include "xai/metadata/metadata.h"
#include "xai/model/tensor.h"

namespace xai {

struct PictureFeature {
  std::string name;                 // metadata input key
  const InputMetadata* md = nullptr;
  const Tensor* value = nullptr;        // [N, ...] the attributed tensor's values
  const Tensor* attribution = nullptr;  // [N, ...] like value
  Json folded;                      // instance i's attribution as in the response (number or nested array)
};

// Writes, for instance `i` and output element `k`:
//   DIR/instance<i>_output<k>_<feature>.png  for each image feature (overlay per
//       the feature's visualization settings and the method's defaults), and
//   DIR/instance<i>_output<k>.svg / .png     a bar chart of every other feature
//       (array-valued features as one bar per element, named by
//       index_feature_mapping when given).
// Creates DIR when missing. Returns the paths written.
StatusOr<std::vector<std::string>> WritePictures(const std::string& dir, const std::vector<PictureFeature>& features,
                                                 int64_t i, int64_t k, const std::string& method,
                                                 const std::string& title);

// Every picture of an explanation (each instance and explained output, as
// WritePictures) from the pipeline's run. Returns the paths written, in order.
StatusOr<std::vector<std::string>> WriteExplainPictures(const std::string& dir, const ExplainRun& run,
                                                        const std::string& output_name, const std::string& method);

}  // namespace xai

#endif  // XAI_VISUALIZE_EXPLAIN_PICTURES_H_
