// xai_bench: named end-to-end workloads (in the manner of LevelDB's db_bench).
// Prints one JSON line of per-call times in microseconds so a driver script can
// put them beside the competing tool's numbers from the same run.
//
//   xai_bench --dir MODEL --workload predict --batch 1 --iters 2000 [--signature serving_default]
//             [--intra N] [--inter N] [--json]
//
// Workloads:
//   predict        Model::RunSignature on a fixed random batch (library path)
//   predict_json   service::HandlePredict on a TF Serving row body (JSON in/out)
//   explain_json   service::HandleExplain on the same body as an :explain
//                  request (IG, --steps Gauss–Legendre steps, metadata built
//                  once by the first call's defaults): the explain work with
//                  the model loaded and warm, as a server would run it
//   infer_tfrecord plain batched inference over TFRecords of tf.Example (--data):
//                  read (data::RecordStream) → parse (data::ParseExample) → one
//                  tensor per signature input from the feature of the same name
//                  → Model::RunSignature per batch; nothing else. One pass over
//                  the data; prints examples, seconds and examples/s. The
//                  "limit" for `xai validate` (bench/run_validate_bench.py).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <random>

#include "CLI/CLI.hpp"
#include "absl/log/globals.h"
#include "nlohmann/json.hpp"
#include "xai/data/tfrecord.h"
#include "xai/model/model.h"
#include "xai/api/convert.h"
#include "xai/model.h"
#include "xai/rest/predict_json.h"

namespace xai {
namespace {

struct Flags {
  std::string dir, workload = "predict", signature = "serving_default";
  std::string data;  // infer_tfrecord: data location (paths/globs, comma-separated)
  int batch = 1, iters = 1000, warmup = 50, steps = 50;
  LoadOptions load;
};

StatusOr<std::map<std::string, Tensor>> RandomInputs(const SignatureInfo& sig, int batch) {
  std::mt19937 rng(7);
  std::normal_distribution<float> normal;
  std::map<std::string, Tensor> inputs;
  for (const auto& in : sig.inputs) {
    if (in.dtype != DType::kFloat) return absl::InvalidArgumentError("benchmark inputs must be float32: " + in.key);
    std::vector<int64_t> shape = in.shape;
    if (shape.empty()) return absl::InvalidArgumentError("input needs a batch dimension: " + in.key);
    shape[0] = batch;
    std::vector<float> values(NumElements(shape));
    for (float& v : values) v = normal(rng);
    inputs[in.key] = Tensor::FromFloats(shape, values);
  }
  return inputs;
}

std::string RowBody(const std::map<std::string, Tensor>& inputs, int batch) {
  nlohmann::json instances = nlohmann::json::array();
  for (int b = 0; b < batch; ++b) {
    nlohmann::json item;
    for (const auto& [key, t] : inputs) {
      int64_t per = t.num_elements() / batch;
      std::vector<float> row(t.data<float>() + b * per, t.data<float>() + (b + 1) * per);
      item[key] = row;
    }
    instances.push_back(inputs.size() == 1 ? item.begin().value() : item);
  }
  return nlohmann::json{{"instances", instances}}.dump();
}

template <typename F>
StatusOr<std::vector<double>> Time(const Flags& f, F&& call) {
  for (int i = 0; i < f.warmup; ++i) XAI_RETURN_IF_ERROR(call());
  std::vector<double> micros;
  micros.reserve(f.iters);
  for (int i = 0; i < f.iters; ++i) {
    auto start = std::chrono::steady_clock::now();
    XAI_RETURN_IF_ERROR(call());
    micros.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
  }
  return micros;
}

// ---- infer_tfrecord ----------------------------------------------------------

// Copies feature `key` of every example into a float tensor [n] or [n, width].
StatusOr<Tensor> FloatFeatureTensor(const TensorSpec& spec, const std::vector<data::Example>& batch) {
  const data::Feature* first = batch[0].Find(spec.key);
  if (first == nullptr || first->kind != data::Feature::Kind::kFloat) {
    return absl::InvalidArgumentError("infer_tfrecord: input '" + spec.key + "' needs a float_list feature");
  }
  const size_t width = first->float_list.size();
  std::vector<int64_t> shape = {static_cast<int64_t>(batch.size())};
  if (spec.shape.size() > 1) shape.push_back(static_cast<int64_t>(width));
  Tensor t(DType::kFloat, shape);
  float* out = t.data<float>();
  for (const data::Example& e : batch) {
    const data::Feature* f = e.Find(spec.key);
    if (f == nullptr || f->float_list.size() != width) {
      return absl::InvalidArgumentError("infer_tfrecord: feature '" + spec.key + "' missing or ragged");
    }
    out = std::copy(f->float_list.begin(), f->float_list.end(), out);
  }
  return t;
}

int RunInferTFRecord(const Flags& f) {
  auto fail = [](const Status& s) {
    std::cerr << "xai_bench: " << s.message() << "\n";
    return 2;
  };
  auto start = std::chrono::steady_clock::now();
  auto model = Model::Load(f.dir, f.load);
  if (!model.ok()) return fail(model.status());
  auto sig = (*model)->meta_graph().FindSignature(f.signature);
  if (!sig.ok()) return fail(sig.status());
  auto files = data::ExpandDataLocation(f.data);
  if (!files.ok()) return fail(files.status());
  auto stream = data::RecordStream::Open(*files);
  if (!stream.ok()) return fail(stream.status());
  auto loaded = std::chrono::steady_clock::now();

  std::vector<data::Example> batch;
  batch.reserve(f.batch);
  std::string record;
  data::RecordOrigin origin;
  int64_t examples = 0;
  double checksum = 0;  // keeps the outputs observably used
  for (bool more = true; more;) {
    batch.clear();
    while (static_cast<int>(batch.size()) < f.batch) {
      StatusOr<bool> next = (*stream)->Next(&record, &origin);
      if (!next.ok()) return fail(next.status());
      if (!*next) {
        more = false;
        break;
      }
      StatusOr<data::Example> e = data::ParseExample(record, origin);
      if (!e.ok()) return fail(e.status());
      batch.push_back(std::move(*e));
    }
    if (batch.empty()) break;
    std::map<std::string, Tensor> inputs;
    for (const TensorSpec& in : (*sig)->inputs) {
      StatusOr<Tensor> t = FloatFeatureTensor(in, batch);
      if (!t.ok()) return fail(t.status());
      inputs[in.key] = std::move(*t);
    }
    auto outputs = (*model)->RunSignature(f.signature, inputs);
    if (!outputs.ok()) return fail(outputs.status());
    const Tensor& first = outputs->begin()->second;
    if (first.num_elements() > 0) checksum += first.AsDouble(0);
    examples += static_cast<int64_t>(batch.size());
  }
  auto end = std::chrono::steady_clock::now();
  double total = std::chrono::duration<double>(end - start).count();
  double pass = std::chrono::duration<double>(end - loaded).count();
  nlohmann::json out = {{"workload", f.workload}, {"batch", f.batch}, {"examples", examples},
                        {"seconds", total}, {"pass_seconds", pass},
                        {"examples_per_s", examples / total}, {"checksum", checksum}};
  std::cout << out.dump() << std::endl;
  return 0;
}

int Run(const Flags& f) {
  if (f.workload == "infer_tfrecord") return RunInferTFRecord(f);
  auto model = Model::Load(f.dir, f.load);
  if (!model.ok()) {
    std::cerr << "xai_bench: " << model.status().message() << "\n";
    return 2;
  }
  auto sig = (*model)->meta_graph().FindSignature(f.signature);
  if (!sig.ok()) {
    std::cerr << "xai_bench: " << sig.status().message() << "\n";
    return 2;
  }
  auto inputs = RandomInputs(**sig, f.batch);
  if (!inputs.ok()) {
    std::cerr << "xai_bench: " << inputs.status().message() << "\n";
    return 2;
  }
  std::string body = RowBody(*inputs, f.batch);
  StatusOr<std::vector<double>> micros = absl::InvalidArgumentError("unknown workload " + f.workload);
  if (f.workload == "predict") {
    micros = Time(f, [&]() { return (*model)->RunSignature(f.signature, *inputs).status(); });
  } else if (f.workload == "predict_json") {
    micros = Time(f, [&]() { return HandlePredict(**model, body, f.signature).status(); });
  } else if (f.workload == "explain_json") {
    auto api_model = api::Model::Load(f.dir, ToApi(f.load));
    if (!api_model.ok()) {
      std::cerr << "xai_bench: " << api_model.status().message() << "\n";
      return 2;
    }
    api::ExplainOptions options;
    options.step_count = f.steps;
    options.signature = f.signature;
    micros = Time(f, [&]() -> Status {
      auto r = api_model->ExplainJson(body, options);
      return r.ok() ? absl::OkStatus() : absl::InternalError(r.status().message());
    });
  }
  if (!micros.ok()) {
    std::cerr << "xai_bench: " << micros.status().message() << "\n";
    return 2;
  }
  std::sort(micros->begin(), micros->end());
  nlohmann::json out = {{"workload", f.workload}, {"batch", f.batch}, {"iters", f.iters},
                        {"median_us", (*micros)[micros->size() / 2]},
                        {"p90_us", (*micros)[micros->size() * 9 / 10]}};
  std::cout << out.dump() << std::endl;
  return 0;
}

}  // namespace
}  // namespace xai

int main(int argc, char** argv) {
  absl::SetMinLogLevel(absl::LogSeverityAtLeast::kError);
  xai::Flags f;
  CLI::App app{"xai_bench: end-to-end workloads"};
  app.add_option("--dir", f.dir, "SavedModel directory")->required();
  app.add_option("--workload", f.workload, "predict | predict_json | explain_json | infer_tfrecord");
  app.add_option("--data", f.data, "infer_tfrecord: TFRecord paths or globs, comma-separated");
  app.add_option("--signature", f.signature, "signature key");
  app.add_option("--batch", f.batch, "examples per call");
  app.add_option("--iters", f.iters, "timed calls");
  app.add_option("--warmup", f.warmup, "untimed calls first");
  app.add_option("--steps", f.steps, "explain_json: IG steps");
  app.add_option("--intra", f.load.intra_op_threads, "intra-op threads (0 = all cores)");
  app.add_option("--inter", f.load.inter_op_threads, "inter-op threads (0 = default, -1 = caller thread)");
  CLI11_PARSE(app, argc, argv);
  return xai::Run(f);
}
