// The xai command line: flags → options → library calls. Commands live in
// cmd_*.cc; this file wires them up and owns process-wide settings.
#include <cstdlib>
#include <iostream>
#include <vector>

#include "absl/log/globals.h"
#include "xai/cli/commands.h"
#include "xai/cli/model_flags.h"
#include "xai/hub/resolver.h"
#include "xai/rest/status_map.h"

namespace xai {

int Fail(const Status& status) {
  std::cerr << "xai: error: " << status.message() << "\n";
  return ExitCodeFor(status);
}

StatusOr<std::string> ResolveModelDir(const std::string& dir_or_handle) {
  return hub::ResolveHandle(dir_or_handle, hub::HubOptions::FromEnvironment());
}

void AddModelFlags(CLI::App* cmd, ModelFlags& flags) {
  cmd->add_option("--dir", flags.dir, "SavedModel directory")->required();
  cmd->add_option("--tag_set", flags.load.tag_set, "tags of the MetaGraph to load")->capture_default_str();
  cmd->add_option("--intra_op_threads", flags.load.intra_op_threads, "threads inside one op (0 = all cores)");
  cmd->add_option("--inter_op_threads", flags.load.inter_op_threads,
                  "threads across ops (0 = TensorFlow's choice, -1 = caller thread)");
}

StatusOr<std::shared_ptr<ServedModel>> LoadModel(const ModelFlags& flags) {
  return ModelRegistry::Default().Load(flags.dir, flags.load);
}

namespace {

// TensorFlow's INFO and WARNING chatter is hidden unless TF_CPP_MIN_LOG_LEVEL
// asks for it (0 = everything, 1 = warnings and up, 2 = errors, 3 = fatal).
void SetLogLevel() {
  const char* env = std::getenv("TF_CPP_MIN_LOG_LEVEL");
  int level = env ? std::atoi(env) : 2;
  absl::SetMinLogLevel(level <= 0   ? absl::LogSeverityAtLeast::kInfo
                       : level == 1 ? absl::LogSeverityAtLeast::kWarning
                       : level == 2 ? absl::LogSeverityAtLeast::kError
                                    : absl::LogSeverityAtLeast::kFatal);
}

int Main(int argc, char** argv) {
  SetLogLevel();
  CLI::App app{"xai: inspect, run and explain TensorFlow SavedModels"};
  app.require_subcommand(1);
  std::vector<std::pair<std::string, CommandRunner>> commands = {
      {"inspect", AddInspectCommand(app)},
      {"predict", AddPredictCommand(app)},
      {"hub", AddHubCommand(app)},
      {"metadata", AddMetadataCommand(app)},
      {"explain", AddExplainCommand(app)},
      {"validate", AddValidateCommand(app)},
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "xai: error: " << e.what() << " (see xai --help)\n";
    return 2;
  }
  for (auto& [name, run] : commands) {
    if (app.got_subcommand(name)) return run();
  }
  return 2;
}

}  // namespace
}  // namespace xai

// Entry point called by the launcher (launcher.cc) once this library is loaded.
extern "C" int xai_cli_main(int argc, char** argv) { return xai::Main(argc, argv); }
