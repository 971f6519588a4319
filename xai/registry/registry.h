// Loaded models shared by everything in a process (CLI, server, Python):
// ServedModel is one loaded model with the state explanations reuse;
// ModelRegistry hands them out by handle, loading each once.
#ifndef XAI_REGISTRY_REGISTRY_H_
#define XAI_REGISTRY_REGISTRY_H_

#include <functional>
#include <memory>
#include <string>
#include <tuple>

#include "xai/base/build_once.h"
#include "xai/base/status.h"
#include "xai/metadata/metadata.h"
#include "xai/model/model.h"

namespace xai {

// A loaded model and its warm state: the model keeps flattened graphs,
// gradient plans and callables; this keeps the explanation metadata built
// for it. Thread-safe.
class ServedModel {
 public:
  ServedModel(std::string handle, std::string dir, std::unique_ptr<Model> model)
      : handle_(std::move(handle)), dir_(std::move(dir)), model_(std::move(model)) {}
  ServedModel(const ServedModel&) = delete;
  ServedModel& operator=(const ServedModel&) = delete;

  const std::string& handle() const { return handle_; }  // as given to Load
  const std::string& dir() const { return dir_; }        // the local SavedModel directory
  Model& model() const { return *model_; }

  // The metadata `xai metadata build --signature_def signature` writes (empty
  // signature: as Vertex chooses), built once per signature; valid as long
  // as this model.
  StatusOr<const ExplanationMetadata*> BuiltMetadata(const std::string& signature);

 private:
  const std::string handle_, dir_;
  const std::unique_ptr<Model> model_;
  BuildOnceMap<std::string, ExplanationMetadata> built_metadata_;
};

// Models by (handle, load options). Thread-safe. No lock is held while a
// model resolves, downloads or loads: concurrent loads of one key wait for
// a single load, other keys proceed.
class ModelRegistry {
 public:
  // Turns a handle (path, file:// or http(s) URL) into a local directory.
  using Resolver = std::function<StatusOr<std::string>(const std::string& handle)>;
  using Loader = std::function<StatusOr<std::unique_ptr<Model>>(const std::string& dir, const LoadOptions& options)>;

  // Defaults: the hub resolver (tensorflow_hub's cache, options from the
  // environment) and Model::Load.
  ModelRegistry();
  ModelRegistry(Resolver resolver, Loader loader);
  ModelRegistry(const ModelRegistry&) = delete;
  ModelRegistry& operator=(const ModelRegistry&) = delete;

  // The model at `handle` loaded with `options`, loading it on first use.
  // A failed load is returned to everyone waiting on it and not kept: the
  // next call tries again. The handle keeps the model alive after Unload.
  StatusOr<std::shared_ptr<ServedModel>> Load(const std::string& handle, const LoadOptions& options);

  // Forgets the model; handles already given out keep it. True when it was there.
  bool Unload(const std::string& handle, const LoadOptions& options);

  // Models loaded and kept.
  size_t size() { return models_.size(); }

  // The process-wide registry (constructed on first use, never destroyed).
  static ModelRegistry& Default();

 private:
  using Key = std::tuple<std::string, std::string, int, int>;  // handle, tag_set, intra, inter threads
  static Key KeyOf(const std::string& handle, const LoadOptions& options);

  const Resolver resolver_;
  const Loader loader_;
  BuildOnceMap<Key, ServedModel> models_;
};

}  // namespace xai

#endif  // XAI_REGISTRY_REGISTRY_H_
