// Model implementation on TensorFlow's DirectSession (via LoadSavedModel).
#include <algorithm>
#include <atomic>
#include <unordered_set>
#include <unordered_map>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "tensorflow/cc/saved_model/loader.h"
#include "tensorflow/core/public/session.h"
#include "xai/base/build_once.h"
#include "xai/model/gradient_builder.h"
#include "xai/model/model.h"
#include "xai/model/tf_convert.h"

namespace xai {
namespace {

namespace tf = ::tensorflow;

std::unordered_set<std::string> SplitTags(const std::string& tag_set) {
  std::unordered_set<std::string> tags;
  for (absl::string_view t : absl::StrSplit(tag_set, ',', absl::SkipEmpty())) tags.insert(std::string(t));
  return tags;
}

class TfModel : public Model {
 public:
  TfModel(std::string dir, std::unique_ptr<tf::SavedModelBundle> bundle, MetaGraphInfo info)
      : dir_(std::move(dir)), bundle_(std::move(bundle)), info_(std::move(info)) {
    for (const auto& n : bundle_->meta_graph_def.graph_def().node()) base_names_.insert(n.name());
  }

  // Callables are released with the session.
  ~TfModel() override = default;

  const std::string& dir() const override { return dir_; }
  const MetaGraphInfo& meta_graph() const override { return info_; }

  StatusOr<std::map<std::string, Tensor>> RunSignature(const std::string& key,
                                                       const std::map<std::string, Tensor>& inputs,
                                                       const std::vector<std::string>& output_keys) override {
    XAI_ASSIGN_OR_RETURN(const SignatureInfo* sig, info_.FindSignature(key));
    FeedRefs feeds;
    XAI_RETURN_IF_ERROR(SignatureFeeds(*sig, inputs, &feeds));
    std::vector<const TensorSpec*> outputs;
    if (output_keys.empty()) {
      for (const auto& o : sig->outputs) outputs.push_back(&o);
    }
    for (const auto& k : output_keys) {
      const TensorSpec* o = sig->FindOutput(k);
      if (!o) return absl::InvalidArgumentError("signature '" + key + "' has no output '" + k + "'");
      outputs.push_back(o);
    }
    std::vector<std::string> fetches;
    for (const TensorSpec* o : outputs) fetches.push_back(o->name);
    XAI_ASSIGN_OR_RETURN(std::vector<Tensor> values, RunRefs(feeds, fetches));
    std::map<std::string, Tensor> result;
    for (size_t i = 0; i < outputs.size(); ++i) result[outputs[i]->key] = std::move(values[i]);
    return result;
  }

  StatusOr<std::vector<Tensor>> Run(const std::vector<std::pair<std::string, Tensor>>& feeds,
                                    const std::vector<std::string>& fetches) override {
    FeedRefs refs;
    for (const auto& [name, value] : feeds) refs.emplace_back(name, &value);
    return RunRefs(refs, fetches);
  }

  // Run on feeds the caller owns (no copy before the one into TensorFlow's buffers).
  using FeedRefs = std::vector<std::pair<std::string, const Tensor*>>;
  StatusOr<std::vector<Tensor>> RunRefs(const FeedRefs& feeds, const std::vector<std::string>& fetches) {
    std::vector<tf::Tensor> feed_values;
    std::vector<std::string> feed_names;
    for (const auto& [name, value] : feeds) {
      XAI_ASSIGN_OR_RETURN(tf::Tensor t, ToTfTensor(*value));
      feed_values.push_back(std::move(t));
      feed_names.push_back(name);
    }
    XAI_ASSIGN_OR_RETURN(tf::Session::CallableHandle handle, Callable(feed_names, fetches));
    std::vector<tf::Tensor> outputs;
    Status s = bundle_->session->RunCallable(handle, feed_values, &outputs, nullptr);
    if (!s.ok()) return Status(s.code(), "running the model: " + std::string(s.message()));
    std::vector<Tensor> result;
    for (const auto& t : outputs) {
      XAI_ASSIGN_OR_RETURN(Tensor v, FromTfTensor(t));
      result.push_back(std::move(v));
    }
    return result;
  }

  StatusOr<VjpResult> Vjp(const VjpRequest& request) override;

  StatusOr<const GraphView*> SignatureGraph(const std::string& key) override {
    XAI_ASSIGN_OR_RETURN(Flat * flat, GetFlat(key));
    return &flat->graph.view;
  }

  Status CheckGradientPath(const std::string& signature, const std::string& x, const std::string& y) override {
    XAI_ASSIGN_OR_RETURN(const SignatureInfo* sig, info_.FindSignature(signature));
    return xai::CheckGradientPath(bundle_->meta_graph_def.graph_def(), InputTensorName(*sig, x),
                                  OutputTensorName(*sig, y));
  }

  StatusOr<std::vector<Tensor>> RunFlat(const std::string& signature,
                                        const std::vector<std::pair<std::string, Tensor>>& feeds,
                                        const std::vector<std::string>& fetches) override {
    XAI_ASSIGN_OR_RETURN(const SignatureInfo* sig, info_.FindSignature(signature));
    XAI_ASSIGN_OR_RETURN(Flat * flat, GetFlat(signature));
    XAI_RETURN_IF_ERROR(extended_
                            .Get(signature,
                                 [&]() -> StatusOr<std::unique_ptr<bool>> {
                                   Status s = bundle_->session->Extend(flat->graph.extension);
                                   if (!s.ok()) {
                                     return Status(s.code(), "adding the flattened graph: " + std::string(s.message()));
                                   }
                                   return std::make_unique<bool>(true);
                                 })
                            .status());
    auto session_name = [&](const std::string& tensor) {
      std::string node = tensor.substr(0, tensor.rfind(':'));
      return flat->graph.base_nodes.count(node) ? tensor : flat->prefix + tensor;
    };
    FeedRefs session_feeds;
    for (const auto& [name, value] : feeds) {
      XAI_ASSIGN_OR_RETURN(std::string t, FlatTensor(*sig, *flat, name, true));
      session_feeds.emplace_back(session_name(t), &value);
    }
    std::vector<std::string> session_fetches;
    for (const auto& name : fetches) {
      XAI_ASSIGN_OR_RETURN(std::string t, FlatTensor(*sig, *flat, name, false));
      session_fetches.push_back(session_name(t));
    }
    return RunRefs(session_feeds, session_fetches);
  }

 private:
  struct Plan {
    GradientRoute route;
    std::vector<std::string> xs;
    std::string y, dy;
    std::vector<std::string> grads;
    std::string prefix;
  };

  // Checks `inputs` against the signature and lists them as feeds.
  Status SignatureFeeds(const SignatureInfo& sig, const std::map<std::string, Tensor>& inputs,
                        FeedRefs* feeds) const {
    XAI_RETURN_IF_ERROR(CheckInputs(sig.key, inputs));
    for (const auto& in : sig.inputs) feeds->emplace_back(in.name, &inputs.at(in.key));
    return absl::OkStatus();
  }

  StatusOr<tf::Session::CallableHandle> Callable(const std::vector<std::string>& feeds,
                                                 const std::vector<std::string>& fetches) {
    std::string key = absl::StrJoin(feeds, ",") + "|" + absl::StrJoin(fetches, ",");
    XAI_ASSIGN_OR_RETURN(tf::Session::CallableHandle * handle,
                         callables_.Get(key, [&]() -> StatusOr<std::unique_ptr<tf::Session::CallableHandle>> {
                           tf::CallableOptions options;
                           for (const auto& f : feeds) options.add_feed(f);
                           for (const auto& f : fetches) options.add_fetch(f);
                           auto made = std::make_unique<tf::Session::CallableHandle>();
                           Status s = bundle_->session->MakeCallable(options, made.get());
                           if (!s.ok()) return Status(s.code(), "preparing the model run: " + std::string(s.message()));
                           return made;
                         }));
    return *handle;
  }

  // Resolves a signature key or passes a tensor name through.
  std::string InputTensorName(const SignatureInfo& sig, const std::string& key_or_name) const {
    const TensorSpec* in = sig.FindInput(key_or_name);
    return in ? in->name : key_or_name;
  }
  std::string OutputTensorName(const SignatureInfo& sig, const std::string& key_or_name) const {
    const TensorSpec* out = sig.FindOutput(key_or_name);
    return out ? out->name : key_or_name;
  }

  StatusOr<Plan> GetPlan(const std::vector<std::string>& xs, const std::string& y, VjpRequest::Route route);

  struct Flat {
    FlatGraph graph;
    std::string prefix;
  };

  StatusOr<Flat*> GetFlat(const std::string& key) {
    XAI_ASSIGN_OR_RETURN(const SignatureInfo* sig, info_.FindSignature(key));
    return flats_.Get(key, [&]() -> StatusOr<std::unique_ptr<Flat>> {
      std::vector<std::string> outputs;
      for (const auto& o : sig->outputs) outputs.push_back(o.name);
      auto flat = std::make_unique<Flat>();
      flat->prefix = "xai_flat_" + std::to_string(next_prefix_++) + "/";
      XAI_ASSIGN_OR_RETURN(flat->graph, BuildFlatGraph(bundle_->meta_graph_def.graph_def(), outputs, flat->prefix));
      return flat;
    });
  }

  // A signature key or a tensor of the flat graph, as a flat tensor name.
  StatusOr<std::string> FlatTensor(const SignatureInfo& sig, const Flat& flat, const std::string& name,
                                   bool input) const {
    std::string tensor = CanonicalTensorName(input ? InputTensorName(sig, name) : OutputTensorName(sig, name));
    // A signature output is fetched through its flat copy ("xai_y_<k>"), so
    // values fed into intermediate tensors reach it.
    for (size_t k = 0; !input && k < sig.outputs.size(); ++k) {
      if (CanonicalTensorName(sig.outputs[k].name) == tensor) return "xai_y_" + std::to_string(k) + ":0";
    }
    std::string node = tensor.substr(0, tensor.rfind(':'));
    if (!flat.graph.view.Producer(tensor) && !base_names_.count(node)) {
      return absl::NotFoundError("tensor '" + name + "' is not in the flattened graph of signature '" + sig.key + "'");
    }
    return tensor;
  }

  const std::string dir_;
  std::unique_ptr<tf::SavedModelBundle> bundle_;
  const MetaGraphInfo info_;
  std::unordered_set<std::string> base_names_;  // nodes of the loaded graph

  // Built once per key, no lock held while building (flattening, gradient
  // graphs and callables take from milliseconds to seconds): a first explain
  // does not stall predicts on the same model.
  BuildOnceMap<std::string, tf::Session::CallableHandle> callables_;
  BuildOnceMap<std::string, Plan> plans_;
  BuildOnceMap<std::string, Flat> flats_;
  BuildOnceMap<std::string, bool> extended_;  // signature → flat graph added to the session
  std::atomic<int> next_prefix_{0};           // unique name scopes for added graphs
};

StatusOr<TfModel::Plan> TfModel::GetPlan(const std::vector<std::string>& xs, const std::string& y,
                                         VjpRequest::Route route) {
  std::string x = absl::StrJoin(xs, ",");
  std::string key = x + "|" + y + "|" + std::to_string(static_cast<int>(route));
  XAI_ASSIGN_OR_RETURN(Plan * plan, plans_.Get(key, [&]() -> StatusOr<std::unique_ptr<Plan>> {
    std::string prefix = "xai_vjp_" + std::to_string(next_prefix_++) + "/";
    const tf::GraphDef& base = bundle_->meta_graph_def.graph_def();
    StatusOr<GradientPlan> built =
        BuildGradientPlan(base, xs, y, prefix,
                          route == VjpRequest::Route::kSymbolic ? GradientRoute::kSymbolicGradient
                                                                : GradientRoute::kInlinedFunctions);
    if (route == VjpRequest::Route::kAuto && !built.ok() && !absl::IsFailedPrecondition(built.status()) &&
        !absl::IsNotFound(built.status())) {
      // Inlining failed: differentiate through the call ops instead (route G2).
      StatusOr<GradientPlan> fallback = BuildGradientPlan(base, xs, y, prefix, GradientRoute::kSymbolicGradient);
      if (!fallback.ok()) {
        return absl::FailedPreconditionError("cannot build the gradient of '" + y + "' with respect to '" + x +
                                             "': " + std::string(built.status().message()) +
                                             " (fallback: " + std::string(fallback.status().message()) + ")");
      }
      built = std::move(fallback);
    }
    if (!built.ok()) return built.status();
    Status s = bundle_->session->Extend(built->extension);
    if (!s.ok()) return Status(s.code(), "adding the gradient graph: " + std::string(s.message()));
    return std::make_unique<Plan>(Plan{built->route, built->xs, built->y, built->dy, built->grads, built->prefix});
  }));
  return *plan;
}

StatusOr<VjpResult> TfModel::Vjp(const VjpRequest& request) {
  XAI_ASSIGN_OR_RETURN(const SignatureInfo* sig, info_.FindSignature(request.signature));
  std::vector<std::string> xs;
  for (const auto& x : request.xs.empty() ? std::vector<std::string>{request.x} : request.xs) {
    xs.push_back(CanonicalTensorName(InputTensorName(*sig, x)));
  }
  std::string y = OutputTensorName(*sig, request.y);
  XAI_ASSIGN_OR_RETURN(Plan plan, GetPlan(xs, y, request.route));
  FeedRefs feeds;
  for (const auto& [k, v] : request.feeds) {
    std::string name = CanonicalTensorName(InputTensorName(*sig, k));
    auto x = std::find(xs.begin(), xs.end(), name);
    if (x != xs.end()) {
      feeds.emplace_back(plan.xs[x - xs.begin()], &v);
    } else {
      std::string node = name.substr(0, name.rfind(':'));
      feeds.emplace_back(base_names_.count(node) ? name : plan.prefix + name, &v);
    }
  }
  feeds.emplace_back(plan.dy, &request.weights);
  std::vector<std::string> fetches{plan.y};
  fetches.insert(fetches.end(), plan.grads.begin(), plan.grads.end());
  XAI_ASSIGN_OR_RETURN(std::vector<Tensor> values, RunRefs(feeds, fetches));
  VjpResult result;
  result.y = std::move(values[0]);
  result.gradients.assign(std::make_move_iterator(values.begin() + 1), std::make_move_iterator(values.end()));
  result.route = plan.route;
  if (result.y.shape() != request.weights.shape()) {
    return absl::InvalidArgumentError("weights have shape " + ShapeString(request.weights.shape()) +
                                      " but '" + request.y + "' has shape " + ShapeString(result.y.shape()));
  }
  return result;
}

}  // namespace

std::string GradientRouteName(GradientRoute route) {
  switch (route) {
    case GradientRoute::kFlatGraph: return "flat_graph";
    case GradientRoute::kInlinedFunctions: return "inlined_functions";
    case GradientRoute::kSymbolicGradient: return "symbolic_gradient";
  }
  return "unknown";
}

StatusOr<std::unique_ptr<Model>> Model::Load(const std::string& dir, const LoadOptions& options) {
  // TensorFlow CHECK-fails (aborts) on negative intra-op counts; absurd counts exhaust threads.
  if (options.intra_op_threads < 0 || options.intra_op_threads > 1024) {
    return absl::InvalidArgumentError("intra_op_threads must be in [0, 1024] (0: TensorFlow's choice), got " +
                                      std::to_string(options.intra_op_threads));
  }
  if (options.inter_op_threads > 1024) {
    return absl::InvalidArgumentError("inter_op_threads must be at most 1024 (0: TensorFlow's choice, negative: "
                                      "the caller's thread), got " + std::to_string(options.inter_op_threads));
  }
  XAI_ASSIGN_OR_RETURN(SavedModelInfo info, ReadSavedModelInfo(dir));
  XAI_ASSIGN_OR_RETURN(const MetaGraphInfo* meta, info.FindMetaGraph(options.tag_set));
  tf::SessionOptions session_options;
  session_options.config.set_intra_op_parallelism_threads(options.intra_op_threads);
  session_options.config.set_inter_op_parallelism_threads(options.inter_op_threads);
  (*session_options.config.mutable_device_count())["GPU"] = 0;  // CPU wheel: skip probing CUDA
  // Gradient graphs are added to the live session later (Session::Extend).
  session_options.config.mutable_experimental()->set_disable_optimize_for_static_graph(true);
  tf::RunOptions run_options;
  auto bundle = std::make_unique<tf::SavedModelBundle>();
  Status s = tf::LoadSavedModel(session_options, run_options, dir, SplitTags(options.tag_set), bundle.get());
  if (!s.ok()) {
    return Status(s.code(), "loading SavedModel '" + dir + "': " + std::string(s.message()));
  }
  return std::unique_ptr<Model>(new TfModel(dir, std::move(bundle), *meta));
}

}  // namespace xai
