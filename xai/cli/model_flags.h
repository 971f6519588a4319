// Flags shared by every command that loads a model.
#ifndef XAI_CLI_MODEL_FLAGS_H_
#define XAI_CLI_MODEL_FLAGS_H_

#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "xai/model/model.h"
#include "xai/registry/registry.h"

namespace xai {

struct ModelFlags {
  std::string dir;  // path or hub handle
  LoadOptions load;
};

void AddModelFlags(CLI::App* cmd, ModelFlags& flags);

// The model of flags.dir (a path or hub handle) from the process's registry.
StatusOr<std::shared_ptr<ServedModel>> LoadModel(const ModelFlags& flags);

}  // namespace xai

#endif  // XAI_CLI_MODEL_FLAGS_H_
