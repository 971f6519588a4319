// `xai validate`: TFMA-compatible model validation (see docs/validation.md).
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>

#include "xai/cli/commands.h"
#include "xai/validation/evaluate.h"

namespace xai {
namespace {

// One status line on stderr, redrawn in place: records, rate, time left.
void ShowProgress(const validation::Progress& p) {
  double rate = p.seconds > 0 ? p.records / p.seconds : 0;
  std::fprintf(stderr, "\r\033[Kvalidate: %lld records, %.0f examples/s", static_cast<long long>(p.records), rate);
  if (p.total_bytes > 0 && p.bytes_read > 0 && p.bytes_read <= p.total_bytes) {
    double left = p.seconds * (static_cast<double>(p.total_bytes) / p.bytes_read - 1.0);
    std::fprintf(stderr, ", %.0f%%, ~%.0f s left", 100.0 * p.bytes_read / p.total_bytes, std::max(0.0, left));
  }
  std::fflush(stderr);
}

}  // namespace

CommandRunner AddValidateCommand(CLI::App& app) {
  struct Flags {
    validation::ValidateOptions options;
    bool quiet = false;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand(
      "validate", "Validate a candidate model against TFMA EvalConfig thresholds (exit 0 pass, 1 fail, 2 error)");
  cmd->add_option("--eval_config", f->options.eval_config_path, "EvalConfig file (text proto or JSON)")->required();
  cmd->add_option("--data_location", f->options.data_location,
                  "TFRecord files of tf.Example: paths or globs, comma-separated; GZIP recognised")->required();
  cmd->add_option("--output_path", f->options.output_path, "directory for validations.tfrecord, metrics, BLESSED")
      ->required();
  cmd->add_option("--candidate", f->options.candidate_dir,
                  "candidate SavedModel (omit to read predictions from model_specs.prediction_key)");
  cmd->add_option("--baseline", f->options.baseline_dir, "baseline SavedModel (omit for a rubber stamp)");
  cmd->add_option("--tag_set", f->options.load.tag_set, "tags of the MetaGraph to load")->capture_default_str();
  cmd->add_option("--batch_size", f->options.batch_size, "examples per model call")->capture_default_str();
  cmd->add_option("--intra_op_threads", f->options.load.intra_op_threads, "threads inside one op (0 = all cores)");
  cmd->add_option("--inter_op_threads", f->options.load.inter_op_threads, "threads across ops");
  cmd->add_flag("--quiet", f->quiet, "no progress line");
  return [f]() {
    validation::ValidateOptions options = f->options;
    for (std::string* dir : {&options.candidate_dir, &options.baseline_dir}) {
      if (dir->empty()) continue;
      StatusOr<std::string> resolved = ResolveModelDir(*dir);
      if (!resolved.ok()) return Fail(resolved.status());
      *dir = *resolved;
    }
    bool tty = !f->quiet && isatty(STDERR_FILENO);
    if (tty) options.on_progress = ShowProgress;
    StatusOr<validation::ValidateOutcome> outcome = validation::RunValidation(options);
    if (tty) std::fprintf(stderr, "\r\033[K");
    if (!outcome.ok()) return Fail(outcome.status());
    for (const std::string& w : outcome->warnings) std::cerr << "xai: warning: " << w << "\n";
    std::cout << outcome->summary << "(" << outcome->examples << " examples; results in " << options.output_path
              << ")\n";
    return outcome->result.validation_ok ? 0 : 1;
  };
}

}  // namespace xai
