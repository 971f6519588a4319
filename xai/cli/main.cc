// The xai command line: flags → options → library calls. No logic of its own.
#include <cstdlib>
#include <iostream>

#include "CLI/CLI.hpp"
#include "absl/log/globals.h"
#include "xai/base/file_util.h"
#include "xai/base/status.h"
#include "xai/model/model.h"
#include "xai/service/inspect.h"
#include "xai/service/predict.h"

namespace xai {
namespace {

int Fail(const Status& status) {
  std::cerr << "xai: error: " << status.message() << "\n";
  return ExitCodeFor(status);
}

struct InspectFlags {
  InspectOptions options;
  std::string format = "text";
};

void AddInspect(CLI::App& app, InspectFlags& f) {
  CLI::App* cmd = app.add_subcommand("inspect", "Show tag-sets, signatures and tensors (as saved_model_cli show)");
  cmd->add_option("--dir", f.options.dir, "SavedModel directory")->required();
  cmd->add_option("--tag_set", f.options.tag_set, "comma-separated tags of a MetaGraph");
  cmd->add_option("--signature_def", f.options.signature_def, "signature key to show (needs --tag_set)");
  cmd->add_flag("--all", f.options.all, "show every MetaGraph, signature, op and function");
  cmd->add_flag("--list_ops", f.options.list_ops, "list the ops of the MetaGraph");
  cmd->add_option("--format", f.format, "text (as saved_model_cli) or json")
      ->check(CLI::IsMember({"text", "json"}));
}

int RunInspect(CLI::App& app, InspectFlags& f) {
  CLI::App* cmd = app.get_subcommand("inspect");
  f.options.has_tag_set = cmd->count("--tag_set") > 0;
  f.options.has_signature_def = cmd->count("--signature_def") > 0;
  StatusOr<SavedModelInfo> info = ReadSavedModelInfo(f.options.dir);
  if (!info.ok()) return Fail(info.status());
  StatusOr<std::string> out = f.format == "json" ? InspectJson(*info, f.options) : InspectText(*info, f.options);
  if (!out.ok()) return Fail(out.status());
  std::cout << *out;
  return 0;
}

struct PredictFlags {
  std::string dir;
  std::string request = "-";
  std::string signature_def = "serving_default";
  LoadOptions load;
};

void AddModelFlags(CLI::App* cmd, std::string& dir, LoadOptions& load) {
  cmd->add_option("--dir", dir, "SavedModel directory")->required();
  cmd->add_option("--tag_set", load.tag_set, "tags of the MetaGraph to load")->capture_default_str();
  cmd->add_option("--intra_op_threads", load.intra_op_threads, "threads inside one op (0 = all cores)");
  cmd->add_option("--inter_op_threads", load.inter_op_threads,
                  "threads across ops (0 = TensorFlow's choice, -1 = caller thread)");
}

void AddPredict(CLI::App& app, PredictFlags& f) {
  CLI::App* cmd = app.add_subcommand("predict", "Run a signature on a TensorFlow Serving REST predict body");
  AddModelFlags(cmd, f.dir, f.load);
  cmd->add_option("--signature_def", f.signature_def, "signature when the body names none")->capture_default_str();
  cmd->add_option("--request", f.request, "request JSON file, or - for standard input")->required();
}

int RunPredict(PredictFlags& f) {
  StatusOr<std::string> body = ReadFileOrStdin(f.request);
  if (!body.ok()) return Fail(body.status());
  StatusOr<std::unique_ptr<Model>> model = Model::Load(f.dir, f.load);
  if (!model.ok()) return Fail(model.status());
  StatusOr<std::string> response = HandlePredict(**model, *body, f.signature_def);
  if (!response.ok()) return Fail(response.status());
  std::cout << *response;
  return 0;
}

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
  InspectFlags inspect;
  PredictFlags predict;
  AddInspect(app, inspect);
  AddPredict(app, predict);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  if (app.got_subcommand("inspect")) return RunInspect(app, inspect);
  if (app.got_subcommand("predict")) return RunPredict(predict);
  return 2;
}

}  // namespace
}  // namespace xai

// Entry point called by the launcher (launcher.cc) once this library is loaded.
extern "C" int xai_cli_main(int argc, char** argv) { return xai::Main(argc, argv); }
