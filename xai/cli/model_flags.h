// Flags shared by every command that loads a model.
#ifndef XAI_CLI_MODEL_FLAGS_H_
#define XAI_CLI_MODEL_FLAGS_H_

#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "xai/model/model.h"

namespace xai {

struct ModelFlags {
  std::string dir;  // path or hub handle
  LoadOptions load;
};

void AddModelFlags(CLI::App* cmd, ModelFlags& flags);

// Resolves flags.dir (ResolveModelDir) and loads the model.
StatusOr<std::unique_ptr<Model>> LoadModel(const ModelFlags& flags);

}  // namespace xai

#endif  // XAI_CLI_MODEL_FLAGS_H_
