// xai_api_bench: the library warm, in-process — what a server or the Python
// binding sees. One JSON line per run; bench/run_api_bench.py puts it beside
// TensorFlow Python, shap and PAIR saliency in the same run.
//
//   xai_api_bench --dir MODEL --request REQ.json --workload W [--method M] [--steps 50] [--path_count 10]
//                 [--rows N] [--iters 10] [--warmup 3] [--threads 4] [--seconds 5] [--intra N] [--inter N]
//
// Workloads (instances from REQ.json, a Vertex :explain body):
//   explain      api::Model::Explain on tensors (metadata built by the library),
//                after --warmup calls of the same shape: the median call
//   vjp_limit    the model's own batched forward + backward of the rows IG runs
//                (steps × instances path points, zero baseline) through the
//                same runtime: one Model::Vjp call; the limit for IG
//   infer_limit  plain batched inference of --rows rows (the instances tiled):
//                the limit for Sampled Shapley
//   threads      --threads threads, each alternating explain and predict for
//                --seconds; calls per second, beside the same with one thread
//   plan_stall   a fresh load; predict latencies while another thread's first
//                explain builds its gradient plan, beside idle predicts
#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/log/globals.h"
#include "nlohmann/json.hpp"
#include "xai/base/file_util.h"
#include "xai/explain/explain.h"
#include "xai/api/convert.h"
#include "xai/model.h"
#include "xai/registry/registry.h"
#include "xai/rest/vertex_explain.h"

namespace xai {
namespace {

using Clock = std::chrono::steady_clock;

struct Flags {
  std::string dir, request, workload = "explain", method = "integrated_gradients", xrai_algorithm = "full";
  int steps = 50, path_count = 10, iters = 10, warmup = 3, threads = 4;
  int64_t rows = 0;
  double seconds = 5;
  LoadOptions load;
};

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

api::ExplainOptions Options(const Flags& f) {
  api::ExplainOptions o;
  o.method = f.method;
  o.step_count = f.steps;
  o.path_count = f.path_count;
  o.xrai_algorithm = f.xrai_algorithm;
  return o;
}

// The request's instances as tensors of the signature Explain takes.
StatusOr<std::map<std::string, Tensor>> Inputs(ServedModel& m, const Flags& f) {
  XAI_ASSIGN_OR_RETURN(std::string body, ReadFileOrStdin(f.request));
  XAI_ASSIGN_OR_RETURN(ExplainRequestBody req, ParseExplainRequest(body, Options(f), std::nullopt));
  XAI_ASSIGN_OR_RETURN(std::string sig, ExplainInputSignature(m.model().meta_graph(), req.options));
  return InstancesToTensors(req.instances, m.model().meta_graph(), sig);
}



template <typename F>
StatusOr<double> MedianMs(const Flags& f, F&& call) {
  for (int i = 0; i < f.warmup; ++i) XAI_RETURN_IF_ERROR(call());
  std::vector<double> ms;
  for (int i = 0; i < f.iters; ++i) {
    auto start = Clock::now();
    XAI_RETURN_IF_ERROR(call());
    ms.push_back(Ms(Clock::now() - start));
  }
  return Median(ms);
}

// Rows [count, ...] taking row rows[k] % n of t, scaled by scale[k].
Tensor Tile(const Tensor& t, int64_t count, const std::vector<float>& scale) {
  std::vector<int64_t> shape = t.shape();
  int64_t n = shape[0], per = t.row_size();
  shape[0] = count;
  Tensor out(t.dtype(), shape);
  for (int64_t k = 0; k < count; ++k) {
    const float* src = t.data<float>() + (k % n) * per;
    float* dst = out.data<float>() + k * per;
    for (int64_t e = 0; e < per; ++e) dst[e] = src[e] * (scale.empty() ? 1.0f : scale[k]);
  }
  return out;
}

// The model's own forward + backward of IG's rows: one Vjp call.
StatusOr<double> VjpLimit(ServedModel& m, const std::map<std::string, Tensor>& inputs, const Flags& f) {
  XAI_ASSIGN_OR_RETURN(const ExplanationMetadata* md, m.BuiltMetadata(""));
  XAI_ASSIGN_OR_RETURN(std::string sig, ExplainInputSignature(m.model().meta_graph(), api::ExplainOptions()));
  if (md->inputs.size() != 1 || inputs.size() != 1) {
    return absl::InvalidArgumentError("vjp_limit needs a model with one input feature");
  }
  const Tensor& x = inputs.begin()->second;
  const std::string input = md->inputs.begin()->second.input_tensor_name, output = md->output.output_tensor_name;
  XAI_ASSIGN_OR_RETURN(auto y, m.model().RunFlat(sig, {{inputs.begin()->first, x}}, {output}));
  int64_t n = x.shape()[0], count = n * f.steps, per = y[0].row_size();
  std::vector<float> alphas(count);
  for (int64_t k = 0; k < count; ++k) alphas[k] = (static_cast<float>(k / n) + 0.5f) / f.steps;
  VjpRequest request;
  request.signature = sig;
  request.x = input;
  request.y = output;
  request.feeds[input] = Tile(x, count, alphas);
  std::vector<int64_t> wshape = y[0].shape();
  wshape[0] = count;
  request.weights = Tensor(DType::kFloat, wshape);
  for (int64_t k = 0; k < count; ++k) request.weights.data<float>()[k * per] = 1;
  return MedianMs(f, [&]() { return m.model().Vjp(request).status(); });
}

StatusOr<double> InferLimit(ServedModel& m, const std::map<std::string, Tensor>& inputs, const Flags& f) {
  XAI_ASSIGN_OR_RETURN(std::string sig, ExplainInputSignature(m.model().meta_graph(), api::ExplainOptions()));
  std::map<std::string, Tensor> rows;
  for (const auto& [k, t] : inputs) rows[k] = Tile(t, f.rows, {});
  return MedianMs(f, [&]() { return m.model().RunSignature(sig, rows).status(); });
}

// Calls per second of `threads` threads alternating explain and predict.
StatusOr<double> Throughput(const api::Model& model, const std::map<std::string, Tensor>& inputs, const Flags& f,
                            int threads, const std::string& predict_sig) {
  std::atomic<int64_t> calls{0};
  std::atomic<bool> failed{false};
  auto end = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(f.seconds));
  std::vector<std::thread> pool;
  auto start = Clock::now();
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t]() {
      for (int64_t k = t; Clock::now() < end && !failed; ++k) {
        bool ok = k % 2 == 0 ? model.Explain(inputs, Options(f)).ok() : model.Predict(inputs, predict_sig).ok();
        if (!ok) failed = true;
        ++calls;
      }
    });
  }
  for (auto& th : pool) th.join();
  if (failed) return absl::InternalError("a call failed");
  return calls / std::chrono::duration<double>(Clock::now() - start).count();
}

StatusOr<nlohmann::json> PlanStall(const Flags& f) {
  ModelRegistry registry;  // a fresh model: nothing built yet
  XAI_ASSIGN_OR_RETURN(std::shared_ptr<ServedModel> m, registry.Load(f.dir, f.load));
  XAI_ASSIGN_OR_RETURN(auto inputs, Inputs(*m, f));
  XAI_ASSIGN_OR_RETURN(std::string sig, ExplainInputSignature(m->model().meta_graph(), Options(f)));
  XAI_ASSIGN_OR_RETURN(const ExplanationMetadata* md, m->BuiltMetadata(""));
  auto predict = [&]() { return m->model().RunSignature(sig, inputs).status(); };
  std::vector<double> idle;
  for (int i = 0; i < 20 + f.warmup; ++i) {
    auto t0 = Clock::now();
    XAI_RETURN_IF_ERROR(predict());
    if (i >= f.warmup) idle.push_back(Ms(Clock::now() - t0));
  }
  std::atomic<bool> done{false};
  double explain_ms = 0;
  Status explain_status;
  auto e0 = Clock::now();
  std::thread first([&]() {
    explain_status = Explain(m->model(), inputs, *md, Options(f)).status();
    explain_ms = Ms(Clock::now() - e0);
    done = true;
  });
  std::vector<double> during;
  Status predict_status;
  while (!done && predict_status.ok()) {
    auto t0 = Clock::now();
    predict_status = predict();
    during.push_back(Ms(Clock::now() - t0));
  }
  first.join();  // before any return: a joinable thread must not be destroyed
  XAI_RETURN_IF_ERROR(predict_status);
  XAI_RETURN_IF_ERROR(explain_status);
  return nlohmann::json{{"first_explain_ms", explain_ms},
                        {"predicts_during", during.size()},
                        {"predict_during_median_ms", Median(during)},
                        {"predict_during_max_ms", during.empty() ? 0 : *std::max_element(during.begin(), during.end())},
                        {"predict_idle_median_ms", Median(idle)}};
}

StatusOr<nlohmann::json> Run(const Flags& f) {
  nlohmann::json out = {{"workload", f.workload}, {"method", f.method}, {"steps", f.steps}};
  if (f.workload == "plan_stall") {
    XAI_ASSIGN_OR_RETURN(nlohmann::json r, PlanStall(f));
    out.update(r);
    return out;
  }
  XAI_ASSIGN_OR_RETURN(std::shared_ptr<ServedModel> served, ModelRegistry::Default().Load(f.dir, f.load));
  XAI_ASSIGN_OR_RETURN(auto inputs, Inputs(*served, f));
  out["instances"] = inputs.begin()->second.shape()[0];
  api::StatusOr<api::Model> model = api::Model::Load(f.dir, ToApi(f.load));  // the same registry entry
  if (!model.ok()) return FromApi(model.status());
  if (f.workload == "explain") {
    XAI_ASSIGN_OR_RETURN(double ms, MedianMs(f, [&]() -> Status {
      auto r = model->Explain(inputs, Options(f));
      return r.ok() ? absl::OkStatus() : FromApi(r.status());
    }));
    out["median_ms"] = ms;
  } else if (f.workload == "vjp_limit") {
    XAI_ASSIGN_OR_RETURN(double ms, VjpLimit(*served, inputs, f));
    out["median_ms"] = ms;
  } else if (f.workload == "infer_limit") {
    XAI_ASSIGN_OR_RETURN(double ms, InferLimit(*served, inputs, f));
    out["median_ms"] = ms;
    out["rows"] = f.rows;
  } else if (f.workload == "threads") {
    XAI_ASSIGN_OR_RETURN(std::string sig, ExplainInputSignature(served->model().meta_graph(), Options(f)));
    auto warm = model->Explain(inputs, Options(f));  // plans built before timing
    if (!warm.ok()) return FromApi(warm.status());
    XAI_ASSIGN_OR_RETURN(double one, Throughput(*model, inputs, f, 1, sig));
    XAI_ASSIGN_OR_RETURN(double many, Throughput(*model, inputs, f, f.threads, sig));
    out.update({{"threads", f.threads}, {"calls_per_s_1", one}, {"calls_per_s_n", many}, {"speedup", many / one}});
  } else {
    return absl::InvalidArgumentError("unknown workload '" + f.workload + "'");
  }
  return out;
}

}  // namespace
}  // namespace xai

int main(int argc, char** argv) {
  absl::SetMinLogLevel(absl::LogSeverityAtLeast::kError);
  xai::Flags f;
  CLI::App app{"xai_api_bench: the library, warm, in-process"};
  app.add_option("--dir", f.dir, "SavedModel directory")->required();
  app.add_option("--request", f.request, ":explain request JSON (instances)")->required();
  app.add_option("--workload", f.workload, "explain | vjp_limit | infer_limit | threads | plan_stall");
  app.add_option("--method", f.method, "integrated_gradients | sampled_shapley | xrai");
  app.add_option("--xrai_algorithm", f.xrai_algorithm, "full | fast");
  app.add_option("--steps", f.steps, "IG / XRAI steps");
  app.add_option("--path_count", f.path_count, "Shapley paths");
  app.add_option("--rows", f.rows, "infer_limit: rows per run");
  app.add_option("--iters", f.iters, "timed calls");
  app.add_option("--warmup", f.warmup, "untimed calls first");
  app.add_option("--threads", f.threads, "threads: how many");
  app.add_option("--seconds", f.seconds, "threads: seconds per measurement");
  app.add_option("--intra", f.load.intra_op_threads, "intra-op threads (0 = all cores)");
  app.add_option("--inter", f.load.inter_op_threads, "inter-op threads (0 = default, -1 = caller thread)");
  CLI11_PARSE(app, argc, argv);
  xai::StatusOr<nlohmann::json> out = xai::Run(f);
  if (!out.ok()) {
    std::cerr << "xai_api_bench: " << out.status().message() << "\n";
    return 2;
  }
  std::cout << out->dump() << std::endl;
  return 0;
}
