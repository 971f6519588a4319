#include "xai/cli/commands.h"
#include "xai/model/model.h"
#include "xai/rest/inspect_text.h"

namespace xai {

CommandRunner AddInspectCommand(CLI::App& app) {
  struct Flags {
    InspectOptions options;
    std::string format = "text";
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("inspect", "Show tag-sets, signatures and tensors (as saved_model_cli show)");
  cmd->add_option("--dir", f->options.dir, "SavedModel directory")->required();
  cmd->add_option("--tag_set", f->options.tag_set, "comma-separated tags of a MetaGraph");
  cmd->add_option("--signature_def", f->options.signature_def, "signature key to show (needs --tag_set)");
  cmd->add_flag("--all", f->options.all, "show every MetaGraph, signature, op and function");
  cmd->add_flag("--list_ops", f->options.list_ops, "list the ops of the MetaGraph");
  cmd->add_option("--format", f->format, "text (as saved_model_cli) or json")->check(CLI::IsMember({"text", "json"}));
  return [f, cmd]() {
    f->options.has_tag_set = cmd->count("--tag_set") > 0;
    f->options.has_signature_def = cmd->count("--signature_def") > 0;
    StatusOr<std::string> dir = ResolveModelDir(f->options.dir);
    if (!dir.ok()) return Fail(dir.status());
    StatusOr<SavedModelInfo> info = ReadSavedModelInfo(*dir);
    if (!info.ok()) return Fail(info.status());
    StatusOr<std::string> out =
        f->format == "json" ? InspectJson(*info, f->options) : InspectText(*info, f->options);
    if (!out.ok()) return Fail(out.status());
    std::cout << *out;
    return 0;
  };
}

}  // namespace xai
