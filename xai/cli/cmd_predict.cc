#include "xai/base/file_util.h"
#include "xai/cli/commands.h"
#include "xai/cli/model_flags.h"
#include "xai/rest/predict_json.h"

namespace xai {

CommandRunner AddPredictCommand(CLI::App& app) {
  struct Flags {
    ModelFlags model;
    std::string request;
    std::string signature_def = "serving_default";
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("predict", "Run a signature on a TensorFlow Serving REST predict body");
  AddModelFlags(cmd, f->model);
  cmd->add_option("--signature_def", f->signature_def, "signature when the body names none")->capture_default_str();
  cmd->add_option("--request", f->request, "request JSON file, or - for standard input")->required();
  return [f]() {
    StatusOr<std::string> body = ReadFileOrStdin(f->request);
    if (!body.ok()) return Fail(body.status());
    StatusOr<std::shared_ptr<ServedModel>> model = LoadModel(f->model);
    if (!model.ok()) return Fail(model.status());
    StatusOr<std::string> response = HandlePredict((*model)->model(), *body, f->signature_def);
    if (!response.ok()) return Fail(response.status());
    std::cout << *response;
    return 0;
  };
}

}  // namespace xai
