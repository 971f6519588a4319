// xai explain: feature attributions with Vertex's :explain request and response.
#include <cstdlib>
#include <iostream>
#include <sstream>

#include "xai/base/file_util.h"
#include "xai/base/json_limits.h"
#include "xai/cli/commands.h"
#include "xai/cli/model_flags.h"
#include "xai/explain/explain.h"
#include "xai/rest/explain_handler.h"
#include "xai/rest/explain_spec.h"
#include "xai/visualize/explain_pictures.h"

namespace xai {
namespace {

struct Flags {
  ModelFlags model;
  std::string request, metadata, spec, visualize_dir;
  ExplainOptions options;
  int64_t memory_budget_mb = 256;
  double noise_sigma = 0.1, target_error = 0;
  std::string feature_noise_sigma;
  int noisy_sample_count = 3;
  CLI::Option *noise_sigma_flag = nullptr, *feature_noise_sigma_flag = nullptr, *noisy_sample_count_flag = nullptr,
              *target_error_flag = nullptr;
};

// --noise_sigma | --feature_noise_sigma name=sigma[,...], --noisy_sample_count: any of them turns SmoothGrad on.
Status SmoothGradFlags(Flags& f) {
  api::SmoothGradOptions& sg = f.options.smooth_grad;
  if (f.noise_sigma_flag->count() && f.feature_noise_sigma_flag->count()) {
    return absl::InvalidArgumentError(
        "--noise_sigma and --feature_noise_sigma are mutually exclusive (one sigma for all features, or per "
        "feature); got both");
  }
  if (!f.noise_sigma_flag->count() && !f.feature_noise_sigma_flag->count() && !f.noisy_sample_count_flag->count()) {
    return absl::OkStatus();
  }
  sg.enabled = true;
  sg.noise_sigma = f.noise_sigma;
  sg.noisy_sample_count = f.noisy_sample_count;
  std::stringstream items(f.feature_noise_sigma);
  std::string item;
  while (f.feature_noise_sigma_flag->count() && std::getline(items, item, ',')) {
    size_t eq = item.rfind('=');
    char* end = nullptr;
    double sigma = eq == std::string::npos ? 0 : std::strtod(item.c_str() + eq + 1, &end);
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size() || *end != '\0') {
      return absl::InvalidArgumentError("--feature_noise_sigma expects name=sigma[,name=sigma...], got '" + item +
                                        "' in '" + f.feature_noise_sigma + "'");
    }
    sg.feature_noise_sigma.emplace_back(item.substr(0, eq), sigma);
  }
  if (f.feature_noise_sigma_flag->count() && sg.feature_noise_sigma.empty()) {
    return absl::InvalidArgumentError("--feature_noise_sigma expects name=sigma[,name=sigma...], got ''");
  }
  return absl::OkStatus();
}

}  // namespace

CommandRunner AddExplainCommand(CLI::App& app) {
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("explain", "Feature attributions for instances (Vertex :explain body)");
  AddModelFlags(cmd, f->model);
  cmd->add_option("--request", f->request, ":explain request JSON file, or -")->required();
  cmd->add_option("--metadata", f->metadata, "explanation metadata (either form); default: as `metadata build`");
  cmd->add_option("--explanation_spec", f->spec, "ExplanationSpec JSON: {parameters, metadata}");
  cmd->add_option("--method", f->options.method, "integrated_gradients | sampled_shapley | xrai")
      ->check(CLI::IsMember({"integrated_gradients", "sampled_shapley", "xrai"}));
  cmd->add_option("--xrai_algorithm", f->options.xrai_algorithm, "xrai region ranking: full | fast")
      ->check(CLI::IsMember({"full", "fast"}))
      ->capture_default_str();
  cmd->add_option("--visualize", f->visualize_dir,
                  "write PNG overlays (images) and SVG bar charts (tabular) of the attributions into DIR");
  cmd->add_option("--step_count", f->options.step_count, "IG integration steps (1-100)")->capture_default_str();
  cmd->add_option("--path_count", f->options.path_count, "Shapley permutations (1-50), each with its reverse")
      ->capture_default_str();
  cmd->add_option("--quadrature", f->options.quadrature, "gauss_legendre | trapezoid | midpoint")
      ->check(CLI::IsMember({"gauss_legendre", "trapezoid", "midpoint"}));
  cmd->add_option("--top_k", f->options.top_k, "explain the k largest outputs of each instance (-1: all outputs)");
  cmd->add_option("--output_indices", f->options.output_indices, "explain these output elements");
  cmd->add_option("--memory_budget", f->memory_budget_mb, "MiB of feeds and gradients per model run")
      ->capture_default_str();
  f->noise_sigma_flag = cmd->add_option("--noise_sigma", f->noise_sigma,
                                        "SmoothGrad: noise sigma for every feature (default 0.1), in the units of "
                                        "the attributed tensor");
  f->feature_noise_sigma_flag =
      cmd->add_option("--feature_noise_sigma", f->feature_noise_sigma,
                      "SmoothGrad: name=sigma[,name=sigma...]; unlisted features get no noise");
  f->noisy_sample_count_flag = cmd->add_option("--noisy_sample_count", f->noisy_sample_count,
                                               "SmoothGrad: noisy samples per IG step (1-50, default 3)");
  cmd->add_option("--max_blur_sigma", f->options.max_blur_sigma,
                  "blur baseline: image features start from the instance blurred with this sigma (0: off)");
  f->target_error_flag = cmd->add_option("--target_error", f->target_error,
                                         "IG: double step_count (up to 100) until every approximationError <= this");
  cmd->add_option("--seed", f->options.seed, "Shapley permutation and SmoothGrad noise seed")->capture_default_str();
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
    Status s = SmoothGradFlags(*f);
    if (!s.ok()) return Fail(s);
    if (f->target_error_flag->count()) f->options.target_error = f->target_error;
    if (!f->spec.empty()) {
      StatusOr<std::string> text = ReadFileOrStdin(f->spec);
      if (!text.ok()) return Fail(text.status());
      s = CheckJsonDepth(*text, "--explanation_spec");
      if (!s.ok()) return Fail(s);
      Json spec = Json::parse(*text, nullptr, false);
      if (spec.is_discarded()) return Fail(absl::InvalidArgumentError("--explanation_spec is not valid JSON"));
      s = ApplyExplanationSpec(spec, &f->options, &metadata);
      if (!s.ok()) return Fail(s);
    }
    StatusOr<std::shared_ptr<ServedModel>> model = LoadModel(f->model);
    if (!model.ok()) return Fail(model.status());
    StatusOr<std::unique_ptr<ExplainExchange>> x = HandleExplain(**model, *body, f->options, std::move(metadata));
    if (!x.ok()) return Fail(x.status());
    if (!f->visualize_dir.empty()) {
      StatusOr<std::vector<std::string>> paths = WriteExplainPictures(f->visualize_dir, (*x)->run,
                                                                      (*x)->used->output_name, (*x)->options.method);
      if (!paths.ok()) return Fail(paths.status());
      for (const auto& path : *paths) std::cerr << "xai: wrote " << path << "\n";
    }
    for (const auto& note : (*x)->run.result.notes) std::cerr << "xai: " << note << "\n";
    std::cout << (*x)->response;
    return 0;
  };
}

}  // namespace xai
