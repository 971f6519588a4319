// The model runtime: the only part of xai that talks to TensorFlow. Everything
// above it sees these small types; TensorFlow's headers stay in model/*.cc.
#ifndef XAI_MODEL_MODEL_H_
#define XAI_MODEL_MODEL_H_

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "xai/base/status.h"
#include "xai/model/tensor.h"

namespace xai {

// One entry of a SignatureDef's inputs or outputs.
struct TensorSpec {
  std::string key;         // alias in the signature ("x", "output_0")
  std::string name;        // graph tensor name ("serving_default_x:0"); empty for composites
  std::string dtype_enum;  // TensorFlow's enum name, e.g. "DT_FLOAT"
  DType dtype = DType::kInvalid;
  bool unknown_rank = false;
  std::vector<int64_t> shape;  // -1 for unknown dimensions
};

struct SignatureInfo {
  std::string key;
  std::string method_name;
  std::vector<TensorSpec> inputs;   // sorted by key
  std::vector<TensorSpec> outputs;  // sorted by key

  const TensorSpec* FindInput(const std::string& key) const;
  const TensorSpec* FindOutput(const std::string& key) const;
};

// One argument of a concrete function as `saved_model_cli show --all` prints it.
struct FunctionArgument {
  bool named = false;              // keyword argument ("Named Argument #i")
  std::vector<std::string> lines;  // rendered without indent, e.g. "x: TensorSpec(...)" or "DType: int", "Value: 7"
};

struct ConcreteFunctionInfo {
  std::string name;                               // attribute name on the object graph, e.g. "serve"
  std::vector<std::vector<FunctionArgument>> options;  // one list of arguments per concrete function
};

struct MetaGraphInfo {
  std::vector<std::string> tags;             // in stored order
  std::vector<SignatureInfo> signatures;     // sorted by key
  std::set<std::string> op_types;            // every op used, function library included
  bool has_object_graph = false;             // TF2 SavedModel
  std::vector<ConcreteFunctionInfo> functions;  // sorted by name (TF2 only)

  // NotFound listing the available keys when absent.
  StatusOr<const SignatureInfo*> FindSignature(const std::string& key) const;
};

struct SavedModelInfo {
  std::vector<MetaGraphInfo> meta_graphs;

  // Matches a comma-separated tag set ("serve", "serve,gpu", "" = empty set)
  // against each MetaGraph's tags, as sets. NotFound lists the available tag-sets.
  StatusOr<const MetaGraphInfo*> FindMetaGraph(const std::string& tag_set) const;
};

// Reads `dir/saved_model.pb` (or .pbtxt) without creating a session.
// NotFound: no such directory or no SavedModel in it; DataLoss: unreadable proto.
StatusOr<SavedModelInfo> ReadSavedModelInfo(const std::string& dir);

struct LoadOptions {
  // Comma-separated tags of the MetaGraph to load (must match exactly, as sets).
  std::string tag_set = "serve";
  // Threads inside one kernel; 0 lets TensorFlow pick (all cores).
  int intra_op_threads = 0;
  // Threads running independent ops; 0 = TensorFlow's choice, negative = run
  // in the caller's thread (lowest latency for small models).
  int inter_op_threads = 0;
};

// Which gradient construction served a VJP (see docs/gradients.md).
enum class GradientRoute {
  kFlatGraph,        // G0: the graph had no function calls on the path
  kInlinedFunctions, // G1: function calls inlined, then differentiated
  kSymbolicGradient, // G2: differentiated through the call op at run time
};
std::string GradientRouteName(GradientRoute route);

// d(sum(weights * y)) / d(x), batched.
struct VjpRequest {
  std::string signature = "serving_default";
  // x and y: a signature input/output key, or a tensor name of the flattened
  // graph ("op_name:index"; see docs/gradients.md for the naming).
  std::string x;
  std::string y;
  // Several inputs at once (one gradient each, in this order); when set, `x`
  // is ignored.
  std::vector<std::string> xs;
  // Feeds: signature input keys or tensor names. Feeding x's tensor name
  // directly (an intermediate) is allowed.
  std::map<std::string, Tensor> feeds;
  Tensor weights;  // same shape and dtype as y's value
  // Route to build the gradient with. kAuto: inline function calls (G1, or G0
  // when there are none) and fall back to kSymbolicGradient (G2) when
  // inlining fails. Forcing a route is for tests and diagnosis.
  enum class Route { kAuto, kInlined, kSymbolic } route = Route::kAuto;
};

struct VjpResult {
  Tensor y;         // the value of y for these feeds
  std::vector<Tensor> gradients;  // one per x of the request, each shaped like its value
  GradientRoute route = GradientRoute::kFlatGraph;
};

// "op" → "op:0"; names that carry an output index are returned unchanged.
std::string CanonicalTensorName(const std::string& name);

// One node of a signature's flattened graph (function calls inlined, names as
// docs/gradients.md describes), as analysis code above model/ sees it.
struct GraphNode {
  std::string name;
  std::string op;
  std::vector<std::string> inputs;           // data inputs, "node:index"
  std::vector<DType> output_dtypes;
  // Inferred static shapes per output; nullopt = unknown rank, -1 = unknown dim.
  std::vector<std::optional<std::vector<int64_t>>> output_shapes;
  bool has_gradient = false;                 // a registered, non-zero gradient function
  std::vector<std::string> string_values;    // elements of a small string Const
  std::map<std::string, int64_t> int_attrs;  // integer attributes (e.g. num_sparse, axis)
  std::vector<std::string> called_functions; // functions referenced by attrs (While/If bodies, ...)
};

struct GraphView {
  std::vector<GraphNode> nodes;
  std::map<std::string, size_t> index;  // node name → position in nodes

  const GraphNode* Find(const std::string& node_name) const;
  // Producer of a tensor name ("node:idx" or "node"); nullptr when absent.
  const GraphNode* Producer(const std::string& tensor) const;
  // (consumer node, input position) pairs reading `tensor`; needs IndexConsumers().
  std::vector<std::pair<const GraphNode*, int>> Consumers(const std::string& tensor) const;
  // Builds the tensor → consumers index once `nodes` is complete (graph
  // walks ask for consumers at every step).
  void IndexConsumers();
  std::map<std::string, std::vector<std::pair<size_t, int>>> consumers;  // tensor → (node position, input)
  // Library function → every op in its body, nested calls included (for
  // function-valued attrs that stay un-inlined, such as While/If bodies).
  std::map<std::string, std::set<std::string>> function_ops;
};

// A loaded SavedModel with a live session. Thread-safe: every method may be
// called concurrently (the session is; the caches build each entry once,
// holding no lock while they build, so a first Vjp does not stall Run).
class Model {
 public:
  virtual ~Model() = default;
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  // Loads the MetaGraph `options.tag_set` of `dir` and restores its variables.
  static StatusOr<std::unique_ptr<Model>> Load(const std::string& dir, const LoadOptions& options);

  virtual const std::string& dir() const = 0;
  virtual const MetaGraphInfo& meta_graph() const = 0;

  // Runs signature `key`: `inputs` keyed by input alias (all required),
  // returns the outputs keyed by alias (`output_keys` empty = all of them).
  // InvalidArgument names the input and expected vs actual dtype/shape.
  virtual StatusOr<std::map<std::string, Tensor>> RunSignature(
      const std::string& key, const std::map<std::string, Tensor>& inputs,
      const std::vector<std::string>& output_keys = {}) = 0;

  // OK when `inputs` (keyed by input alias) are exactly signature `key`'s
  // inputs with fitting dtypes and shapes; the InvalidArgument RunSignature
  // would give otherwise. Runs nothing.
  // Checked against meta_graph() alone.
  Status CheckInputs(const std::string& key, const std::map<std::string, Tensor>& inputs) const;

  // Runs the session on tensor names. Feed/fetch sets are cached as callables.
  virtual StatusOr<std::vector<Tensor>> Run(const std::vector<std::pair<std::string, Tensor>>& feeds,
                                            const std::vector<std::string>& fetches) = 0;

  // Vector-Jacobian product; the gradient graph for each (signature, x, y) is
  // built once and reused. FailedPrecondition names the op (name and type)
  // that has no gradient when x does not reach y differentiably.
  virtual StatusOr<VjpResult> Vjp(const VjpRequest& request) = 0;

  // The graph that computes signature `key`'s outputs with every function call
  // inlined (the naming Vjp accepts for intermediate tensors), with static
  // shapes. Built once per signature and cached.
  virtual StatusOr<const GraphView*> SignatureGraph(const std::string& key) = 0;

  // OK when `y` is reachable from `x` through differentiable ops (same names
  // as Vjp); FailedPrecondition naming the blocking ops otherwise. Builds
  // nothing in the session.
  virtual Status CheckGradientPath(const std::string& signature, const std::string& x, const std::string& y) = 0;

  // Runs tensors of SignatureGraph(signature) (flat names or signature keys):
  // feeds and fetches may be intermediate tensors. The flat graph is added to
  // the session once per signature.
  virtual StatusOr<std::vector<Tensor>> RunFlat(const std::string& signature,
                                                const std::vector<std::pair<std::string, Tensor>>& feeds,
                                                const std::vector<std::string>& fetches) = 0;

 protected:
  Model() = default;
};

}  // namespace xai

#endif  // XAI_MODEL_MODEL_H_
