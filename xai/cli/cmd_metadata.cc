// xai metadata build | check | tensors
#include <iostream>

#include "absl/strings/str_join.h"

#include "xai/base/file_util.h"
#include "xai/cli/commands.h"
#include "xai/cli/model_flags.h"
#include "xai/metadata/builder.h"
#include "xai/metadata/checker.h"

namespace xai {
namespace {

struct Flags {
  ModelFlags model;
  std::string signature_def, output = "probabilities", format = "vertex", out_file, metadata, method;
};

int RunBuild(const Flags& f) {
  StatusOr<std::shared_ptr<ServedModel>> model = LoadModel(f.model);
  if (!model.ok()) return Fail(model.status());
  BuildOptions options;
  options.signature = f.signature_def;
  options.output = f.output == "logits" ? OutputKind::kLogits : OutputKind::kProbabilities;
  StatusOr<ExplanationMetadata> md = BuildMetadata((*model)->model(), options);
  if (!md.ok()) return Fail(md.status());
  std::string text = WriteMetadata(*md, f.format == "legacy" ? MetadataFormat::kLegacy : MetadataFormat::kVertex);
  if (f.out_file.empty()) {
    std::cout << text;
    return 0;
  }
  Status s = WriteFileAtomically(f.out_file, text);
  return s.ok() ? 0 : Fail(s);
}

int RunCheck(const Flags& f) {
  StatusOr<std::string> text = ReadFileOrStdin(f.metadata);
  if (!text.ok()) return Fail(text.status());
  if (std::optional<std::string> problem = ExtraOutputsProblem(*text)) {
    std::cout << "metadata check: 1 problem\n  - " << *problem << "\n";
    return 1;
  }
  StatusOr<ExplanationMetadata> md = ParseMetadata(*text, DetectMetadataFormat(*text));
  if (!md.ok()) return Fail(md.status());
  StatusOr<std::shared_ptr<ServedModel>> model = LoadModel(f.model);
  if (!model.ok()) return Fail(model.status());
  CheckOptions options;
  options.signature = f.signature_def;
  options.method = f.method;
  StatusOr<CheckReport> report = CheckMetadata((*model)->model(), *md, options);
  if (!report.ok()) return Fail(report.status());
  std::cout << FormatReport(*report);
  return report->problems.empty() ? 0 : 1;
}

int RunTensors(const Flags& f) {
  StatusOr<std::shared_ptr<ServedModel>> model = LoadModel(f.model);
  if (!model.ok()) return Fail(model.status());
  StatusOr<SignatureChoice> choice = ChooseSignature((*model)->model().meta_graph(), f.signature_def);
  if (!choice.ok()) return Fail(choice.status());
  StatusOr<const GraphView*> graph = (*model)->model().SignatureGraph(choice->model_signature);
  if (!graph.ok()) return Fail(graph.status());
  for (const GraphNode& n : (*graph)->nodes) {
    for (size_t i = 0; i < n.output_dtypes.size(); ++i) {
      std::string shape = "unknown";
      if (n.output_shapes[i]) shape = ShapeString(*n.output_shapes[i]);
      std::cout << n.name << ":" << i << "\t" << n.op << "\t" << DTypeName(n.output_dtypes[i]) << "\t" << shape
                << (n.has_gradient ? "" : "\tno-gradient") << "\n";
    }
  }
  return 0;
}

}  // namespace

CommandRunner AddMetadataCommand(CLI::App& app) {
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("metadata", "Build, check or explore explanation metadata");
  cmd->require_subcommand(1);
  CLI::App* build = cmd->add_subcommand("build", "Write the explanation metadata for a SavedModel");
  AddModelFlags(build, f->model);
  build->add_option("--signature_def", f->signature_def, "signature (default: as Vertex chooses)");
  build->add_option("--output", f->output, "explain probabilities or logits")
      ->check(CLI::IsMember({"probabilities", "logits"}));
  build->add_option("--format", f->format, "vertex (ExplanationMetadata JSON) or legacy (explanation_metadata.json)")
      ->check(CLI::IsMember({"vertex", "legacy"}));
  build->add_option("-o,--output_file", f->out_file, "write here (atomically) instead of stdout");
  CLI::App* check = cmd->add_subcommand("check", "Check explanation metadata against a SavedModel");
  AddModelFlags(check, f->model);
  check->add_option("--metadata", f->metadata, "metadata file (either form), or -")->required();
  check->add_option("--signature_def", f->signature_def, "signature (default: as Vertex chooses)");
  check->add_option("--method", f->method, "attribution method the metadata is for")
      ->check(CLI::IsMember({"integrated_gradients", "sampled_shapley", "xrai"}));
  CLI::App* tensors = cmd->add_subcommand("tensors", "List the tensors metadata can name (flattened graph)");
  AddModelFlags(tensors, f->model);
  tensors->add_option("--signature_def", f->signature_def, "signature (default: as Vertex chooses)");
  return [f, build, check]() {
    if (build->parsed()) return RunBuild(*f);
    if (check->parsed()) return RunCheck(*f);
    return RunTensors(*f);
  };
}

}  // namespace xai
