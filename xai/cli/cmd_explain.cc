// xai explain: feature attributions with Vertex's :explain request and response.
#include <iostream>
#include <sstream>

#include "xai/base/file_util.h"
#include "xai/cli/commands.h"
#include "xai/cli/model_flags.h"
#include "xai/service/explain.h"

namespace xai {

CommandRunner AddExplainCommand(CLI::App& app) {
  struct Flags {
    ModelFlags model;
    std::string request, metadata, spec;
    ExplainOptions options;
    int64_t memory_budget_mb = 256;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("explain", "Feature attributions for instances (Vertex :explain body)");
  AddModelFlags(cmd, f->model);
  cmd->add_option("--request", f->request, ":explain request JSON file, or -")->required();
  cmd->add_option("--metadata", f->metadata, "explanation metadata (either form); default: as `metadata build`");
  cmd->add_option("--explanation_spec", f->spec, "ExplanationSpec JSON: {parameters, metadata}");
  cmd->add_option("--method", f->options.method, "integrated_gradients | sampled_shapley")
      ->check(CLI::IsMember({"integrated_gradients", "sampled_shapley"}));
  cmd->add_option("--step_count", f->options.step_count, "IG integration steps (1-100)")->capture_default_str();
  cmd->add_option("--path_count", f->options.path_count, "Shapley permutations (1-50), each with its reverse")
      ->capture_default_str();
  cmd->add_option("--quadrature", f->options.quadrature, "gauss_legendre | trapezoid | midpoint")
      ->check(CLI::IsMember({"gauss_legendre", "trapezoid", "midpoint"}));
  cmd->add_option("--top_k", f->options.top_k, "explain the k largest outputs of each instance");
  cmd->add_option("--output_indices", f->options.output_indices, "explain these output elements");
  cmd->add_option("--memory_budget", f->memory_budget_mb, "MiB of feeds and gradients per model run")
      ->capture_default_str();
  cmd->add_option("--seed", f->options.seed, "Shapley permutation seed")->capture_default_str();
  cmd->add_option("--signature_def", f->options.signature, "signature (default: as Vertex chooses)");
  return [f]() {
    StatusOr<std::string> body = ReadFileOrStdin(f->request);
    if (!body.ok()) return Fail(body.status());
    std::optional<ExplanationMetadata> metadata;
    if (!f->metadata.empty()) {
      StatusOr<std::string> text = ReadFileOrStdin(f->metadata);
      if (!text.ok()) return Fail(text.status());
      StatusOr<ExplanationMetadata> md = ParseMetadata(*text, DetectMetadataFormat(*text));
      if (!md.ok()) return Fail(md.status());
      metadata = std::move(*md);
    }
    f->options.memory_budget_bytes = f->memory_budget_mb << 20;
    if (!f->spec.empty()) {
      StatusOr<std::string> text = ReadFileOrStdin(f->spec);
      if (!text.ok()) return Fail(text.status());
      Json spec = Json::parse(*text, nullptr, false);
      if (spec.is_discarded()) return Fail(absl::InvalidArgumentError("--explanation_spec is not valid JSON"));
      Status s = ApplyExplanationSpec(spec, &f->options, &metadata);
      if (!s.ok()) return Fail(s);
    }
    StatusOr<std::unique_ptr<Model>> model = LoadModel(f->model);
    if (!model.ok()) return Fail(model.status());
    StatusOr<std::string> response = HandleExplain(**model, *body, std::move(metadata), f->options);
    if (!response.ok()) return Fail(response.status());
    std::cout << *response;
    return 0;
  };
}

}  // namespace xai
