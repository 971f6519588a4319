// `xai inspect`: the text of `saved_model_cli show` and a JSON equivalent.
#ifndef XAI_REST_INSPECT_TEXT_H_
#define XAI_REST_INSPECT_TEXT_H_

#include <string>

#include "xai/base/status.h"
#include "xai/model/model.h"

namespace xai {

struct InspectOptions {
  std::string dir;
  std::string tag_set;        // empty with has_tag_set=false: list tag-sets
  bool has_tag_set = false;
  std::string signature_def;  // needs a tag set
  bool has_signature_def = false;
  bool all = false;           // every MetaGraph, signature, ops and functions
  bool list_ops = false;
};

// Byte-identical to `saved_model_cli show` of TensorFlow 2.21 for the same
// arguments, except that the ops set (printed in Python's hash order by
// saved_model_cli) is printed sorted.
StatusOr<std::string> InspectText(const SavedModelInfo& info, const InspectOptions& options);

// The same facts as one JSON document: {"meta_graphs": [{"tags", "signatures":
// {key: {"method_name", "inputs": {alias: {"dtype", "shape", "name"}}, "outputs"}}, "ops"}]}.
StatusOr<std::string> InspectJson(const SavedModelInfo& info, const InspectOptions& options);

}  // namespace xai

#endif  // XAI_REST_INSPECT_TEXT_H_
