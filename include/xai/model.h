// A loaded SavedModel: signatures, predict, explain, explanation metadata.
// Models come from a process-wide registry: loading the same handle with the
// same options twice gives the same warm model (concurrent first loads are
// merged into one load; a failed load is not kept).
#ifndef XAI_MODEL_H_
#define XAI_MODEL_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "xai/explain.h"
#include "xai/export.h"
#include "xai/status.h"
#include "xai/tensor.h"

namespace xai::api {

struct LoadOptions {
  std::string tag_set = "serve";  // comma-separated tags of the MetaGraph (matched as a set)
  int intra_op_threads = 0;       // threads inside one kernel; 0: TensorFlow's choice (all cores)
  int inter_op_threads = 0;       // threads across ops; 0: TensorFlow's choice; < 0: the caller's thread
};

struct TensorInfo {
  std::string key;    // alias in the signature
  std::string name;   // graph tensor name
  DType dtype = DType::kInvalid;
  bool unknown_rank = false;
  std::vector<int64_t> shape;  // -1: unknown dimension
};

struct SignatureDef {
  std::string key;
  std::string method_name;
  std::vector<TensorInfo> inputs;   // sorted by key
  std::vector<TensorInfo> outputs;  // sorted by key
};

struct MetadataBuildOptions {
  std::string signature;        // empty: as Vertex chooses
  bool logits = false;          // explain the logits rather than the probabilities
  bool legacy_format = false;   // AI Platform's explanation_metadata.json rather than Vertex's
};

struct MetadataCheckResult {
  bool ok = false;     // no problems found
  std::string report;  // what `xai metadata check` prints
};

// A handle to a loaded model. Thread-safe: every method may be called from
// many threads at once. Copies are cheap and share the model; it stays
// loaded while any handle exists.
class XAI_EXPORT Model {
 public:
  // `handle`: a SavedModel directory, file:// URL or http(s) URL of a
  // .tar.gz (cached as tensorflow_hub caches). NotFound / InvalidArgument
  // naming what is wrong.
  static StatusOr<Model> Load(const std::string& handle, const LoadOptions& options = LoadOptions());

  const std::string& dir() const;  // the local SavedModel directory
  std::vector<SignatureDef> Signatures() const;

  // Runs `signature` on batched inputs keyed by input alias; outputs by alias.
  StatusOr<std::map<std::string, Tensor>> Predict(const std::map<std::string, Tensor>& inputs,
                                                  const std::string& signature = "serving_default") const;

  // The signature whose inputs Explain takes for these options (xai_preprocess
  // when it is chained before xai_model).
  StatusOr<std::string> ExplainInputSignature(const ExplainOptions& options = ExplainOptions()) const;

  // Explains batched inputs (keyed by ExplainInputSignature's input aliases).
  // `metadata_json`: explanation metadata in either form; empty: what
  // BuildMetadata gives (built once per model and signature).
  StatusOr<ExplainResult> Explain(const std::map<std::string, Tensor>& inputs,
                                  const ExplainOptions& options = ExplainOptions(),
                                  const std::string& metadata_json = "") const;

  // Wire formats, exactly as the CLI and the server: a TF Serving REST
  // predict body → its response; a Vertex :explain body → its response.
  StatusOr<std::string> PredictJson(const std::string& body,
                                    const std::string& default_signature = "serving_default") const;
  StatusOr<std::string> ExplainJson(const std::string& body, const ExplainOptions& options = ExplainOptions(),
                                    const std::string& metadata_json = "") const;

  // Explanation metadata as `xai metadata build` writes it / checks it.
  StatusOr<std::string> BuildMetadata(const MetadataBuildOptions& options = MetadataBuildOptions()) const;
  StatusOr<MetadataCheckResult> CheckMetadata(const std::string& metadata_json, const std::string& signature = "",
                                              const std::string& method = "") const;

  struct Impl;  // library-internal

 private:
  explicit Model(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

// Vertex's :explain response JSON for a result (what ExplainJson returns).
XAI_EXPORT StatusOr<std::string> ExplainResponseJson(const ExplainResult& result);

}  // namespace xai::api

#endif  // XAI_MODEL_H_
