// TensorFlow-free parts of model.h: lookups over the metadata types.
#include <algorithm>
#include <set>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "xai/model/model.h"

namespace xai {
namespace {

template <typename T>
const T* FindByKey(const std::vector<T>& items, const std::string& key) {
  for (const auto& item : items) {
    if (item.key == key) return &item;
  }
  return nullptr;
}

std::set<std::string> TagSet(const std::string& tag_set) {
  std::set<std::string> tags;
  for (absl::string_view t : absl::StrSplit(tag_set, ',', absl::SkipEmpty())) tags.insert(std::string(t));
  return tags;
}

}  // namespace

const TensorSpec* SignatureInfo::FindInput(const std::string& k) const { return FindByKey(inputs, k); }
const TensorSpec* SignatureInfo::FindOutput(const std::string& k) const { return FindByKey(outputs, k); }

StatusOr<const SignatureInfo*> MetaGraphInfo::FindSignature(const std::string& key) const {
  if (const SignatureInfo* sig = FindByKey(signatures, key)) return sig;
  std::vector<std::string> keys;
  for (const auto& s : signatures) {
    if (s.key != "__saved_model_init_op") keys.push_back(s.key);
  }
  return absl::NotFoundError("unknown signature '" + key + "'; available: " + absl::StrJoin(keys, ", "));
}

StatusOr<const MetaGraphInfo*> SavedModelInfo::FindMetaGraph(const std::string& tag_set) const {
  std::set<std::string> wanted = TagSet(tag_set);
  std::vector<std::string> available;
  for (const auto& mg : meta_graphs) {
    std::set<std::string> tags(mg.tags.begin(), mg.tags.end());
    if (tags == wanted) return &mg;
    available.push_back("'" + absl::StrJoin(tags, ",") + "'");
  }
  return absl::NotFoundError("no MetaGraph with tag-set '" + tag_set +
                             "' in the SavedModel; available tag-sets: " + absl::StrJoin(available, ", "));
}

const GraphNode* GraphView::Find(const std::string& node_name) const {
  auto it = index.find(node_name);
  return it == index.end() ? nullptr : &nodes[it->second];
}

const GraphNode* GraphView::Producer(const std::string& tensor) const {
  return Find(tensor.substr(0, tensor.rfind(':')));
}

std::vector<std::pair<const GraphNode*, int>> GraphView::Consumers(const std::string& tensor) const {
  std::vector<std::pair<const GraphNode*, int>> out;
  auto it = consumers.find(CanonicalTensorName(tensor));
  if (it == consumers.end()) return out;
  for (const auto& [node, input] : it->second) out.emplace_back(&nodes[node], input);
  return out;
}

void GraphView::IndexConsumers() {
  consumers.clear();
  for (size_t n = 0; n < nodes.size(); ++n) {
    for (size_t i = 0; i < nodes[n].inputs.size(); ++i) consumers[nodes[n].inputs[i]].emplace_back(n, static_cast<int>(i));
  }
}

std::string CanonicalTensorName(const std::string& name) {
  return name.find(':') == std::string::npos ? name + ":0" : name;
}

namespace {

std::string SpecString(const TensorSpec& spec) {
  if (spec.unknown_rank) return DTypeName(spec.dtype) + " of any shape";
  return DTypeName(spec.dtype) + " " + ShapeString(spec.shape);
}

// InvalidArgument unless `value` fits `spec` (dtype equal, rank and fixed dims equal).
Status CheckFits(const std::string& what, const TensorSpec& spec, const Tensor& value) {
  bool ok = value.dtype() == spec.dtype;
  if (ok && !spec.unknown_rank) {
    ok = value.shape().size() == spec.shape.size();
    for (size_t i = 0; ok && i < spec.shape.size(); ++i) {
      ok = spec.shape[i] < 0 || spec.shape[i] == value.shape()[i];
    }
  }
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(what + " '" + spec.key + "' expects " + SpecString(spec) + ", got " +
                                    DTypeName(value.dtype()) + " " + ShapeString(value.shape()));
}

}  // namespace

Status Model::CheckInputs(const std::string& key, const std::map<std::string, Tensor>& inputs) const {
  XAI_ASSIGN_OR_RETURN(const SignatureInfo* sig, meta_graph().FindSignature(key));
  std::vector<std::string> expected;
  for (const auto& in : sig->inputs) expected.push_back(in.key);
  for (const auto& [k, v] : inputs) {
    if (!sig->FindInput(k)) {
      return absl::InvalidArgumentError("signature '" + sig->key + "' has no input '" + k +
                                        "'; its inputs are: " + absl::StrJoin(expected, ", "));
    }
  }
  for (const auto& in : sig->inputs) {
    auto it = inputs.find(in.key);
    if (it == inputs.end()) {
      return absl::InvalidArgumentError("missing input '" + in.key + "' of signature '" + sig->key +
                                        "'; expected inputs: " + absl::StrJoin(expected, ", "));
    }
    XAI_RETURN_IF_ERROR(CheckFits("input", in, it->second));
  }
  return absl::OkStatus();
}

}  // namespace xai
