#include "xai/registry/registry.h"

#include "xai/hub/resolver.h"
#include "xai/metadata/builder.h"

namespace xai {

StatusOr<const ExplanationMetadata*> ServedModel::BuiltMetadata(const std::string& signature) {
  return built_metadata_.Get(signature, [&]() -> StatusOr<std::unique_ptr<ExplanationMetadata>> {
    BuildOptions build;
    build.signature = signature;
    XAI_ASSIGN_OR_RETURN(ExplanationMetadata md, BuildMetadata(*model_, build));
    return std::make_unique<ExplanationMetadata>(std::move(md));
  });
}

ModelRegistry::ModelRegistry()
    : ModelRegistry([](const std::string& handle) { return hub::ResolveHandle(handle, hub::HubOptions::FromEnvironment()); },
                    [](const std::string& dir, const LoadOptions& options) { return Model::Load(dir, options); }) {}

ModelRegistry::ModelRegistry(Resolver resolver, Loader loader)
    : resolver_(std::move(resolver)), loader_(std::move(loader)) {}

ModelRegistry::Key ModelRegistry::KeyOf(const std::string& handle, const LoadOptions& options) {
  return Key(handle, options.tag_set, options.intra_op_threads, options.inter_op_threads);
}

StatusOr<std::shared_ptr<ServedModel>> ModelRegistry::Load(const std::string& handle, const LoadOptions& options) {
  return models_.GetShared(KeyOf(handle, options), [&]() -> StatusOr<std::unique_ptr<ServedModel>> {
    XAI_ASSIGN_OR_RETURN(std::string dir, resolver_(handle));
    XAI_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, loader_(dir, options));
    return std::make_unique<ServedModel>(handle, dir, std::move(model));
  });
}

bool ModelRegistry::Unload(const std::string& handle, const LoadOptions& options) {
  return models_.Erase(KeyOf(handle, options));
}

ModelRegistry& ModelRegistry::Default() {
  static ModelRegistry* registry = new ModelRegistry();
  return *registry;
}

}  // namespace xai
