// Each xai command lives in its own cmd_*.cc and registers itself here.
// A command adds its subcommand and flags to `app` and returns the function
// to run when that subcommand was given (its exit code: 0 ok, 1 a check that
// ran and failed, 2 bad input).
#ifndef XAI_CLI_COMMANDS_H_
#define XAI_CLI_COMMANDS_H_

#include <functional>
#include <string>

#include "CLI/CLI.hpp"
#include "xai/base/status.h"

namespace xai {

using CommandRunner = std::function<int()>;

CommandRunner AddInspectCommand(CLI::App& app);
CommandRunner AddPredictCommand(CLI::App& app);
CommandRunner AddHubCommand(CLI::App& app);
CommandRunner AddMetadataCommand(CLI::App& app);
CommandRunner AddExplainCommand(CLI::App& app);
CommandRunner AddValidateCommand(CLI::App& app);

// Prints "xai: error: <message>" on stderr; returns the exit code for it.
int Fail(const Status& status);

// Model locations given to --dir: a local path, a file:// URL or an http(s)://
// URL of a tar.gz, resolved through the tensorflow_hub cache (xai/hub).
StatusOr<std::string> ResolveModelDir(const std::string& dir_or_handle);

}  // namespace xai

#endif  // XAI_CLI_COMMANDS_H_
