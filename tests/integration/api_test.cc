// The public C++ API (include/xai/) in-process, on the generated fixtures:
// predict and explain on tensors against closed forms and TensorFlow's
// values (references.json), the tensor and JSON paths against each other,
// error statuses, and many threads on one model (run under ThreadSanitizer
// by scripts/sanitizers.sh). Links libxai.so and the public headers only.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <thread>
#include <vector>

#include "nlohmann/json.hpp"
#include "xai/xai.h"

namespace {

using json = nlohmann::json;
using xai::DType;
using xai::Tensor;
namespace api = xai::api;

const json& Manifest() {
  static const json m = [] {
    const char* dir = std::getenv("XAI_FIXTURES");
    std::ifstream in(std::string(dir ? dir : "") + "/manifest.json");
    return in ? json::parse(in) : json::object();
  }();
  return m;
}

std::string Dir(const std::string& fixture) { return Manifest().at(fixture).at("dir").get<std::string>(); }

Tensor Floats(const json& rows) {
  std::vector<float> v;
  for (const auto& row : rows) for (const auto& e : row) v.push_back(e.get<float>());
  return Tensor::FromFloats({static_cast<int64_t>(rows.size()), static_cast<int64_t>(rows[0].size())}, v);
}

api::Model LoadOrDie(const std::string& fixture) {
  auto m = api::Model::Load(Dir(fixture));
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  if (!m.ok()) std::abort();
  return *m;
}

TEST(Api, VersionMatchesHeaders) { EXPECT_STREQ(api::Version(), XAI_VERSION_STRING); }

TEST(Api, LoadErrorsNameThePath) {
  auto m = api::Model::Load("/nonexistent/model");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("/nonexistent/model"), std::string::npos) << m.status().message();
  EXPECT_EQ(m.status().code(), api::StatusCode::kNotFound) << m.status().ToString();
}

TEST(Api, SignaturesOfTheLinearModel) {
  api::Model model = LoadOrDie("linear");
  // As the manifest (TensorFlow's own signature listing) has them.
  const json& want = Manifest().at("linear").at("signatures");
  std::vector<api::SignatureDef> sigs;
  for (const auto& s : model.Signatures()) if (want.contains(s.key)) sigs.push_back(s);
  ASSERT_EQ(sigs.size(), 1u);
  EXPECT_EQ(sigs[0].key, "serving_default");
  EXPECT_EQ(sigs[0].method_name, want["serving_default"]["method_name"].get<std::string>());
  ASSERT_EQ(sigs[0].inputs.size(), 1u);
  EXPECT_EQ(sigs[0].inputs[0].key, "x");
  EXPECT_EQ(sigs[0].inputs[0].name, want["serving_default"]["inputs"]["x"]["name"].get<std::string>());
  EXPECT_EQ(sigs[0].inputs[0].dtype, DType::kFloat);
  EXPECT_EQ(sigs[0].inputs[0].shape, (std::vector<int64_t>{-1, 5}));
  EXPECT_EQ(sigs[0].outputs[0].key, "y");
}

// y = x·w + b (closed form from the fixture's weights).
TEST(Api, PredictOnTensorsIsTheLinearClosedForm) {
  const json& e = Manifest().at("linear");
  api::Model model = LoadOrDie("linear");
  const json& x = e["sample_inputs"]["serving_default"]["x"];
  auto out = model.Predict({{"x", Floats(x)}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const Tensor& y = out->at("y");
  ASSERT_EQ(y.shape(), (std::vector<int64_t>{static_cast<int64_t>(x.size()), 1}));
  for (size_t i = 0; i < x.size(); ++i) {
    double expected = e["b"][0].get<double>();
    for (size_t k = 0; k < 5; ++k) expected += x[i][k].get<double>() * e["w"][k][0].get<double>();
    EXPECT_NEAR(y.data<float>()[i], expected, 1e-5);
  }
}

TEST(Api, PredictErrorsAreInvalidArgument) {
  api::Model model = LoadOrDie("linear");
  auto bad = model.Predict({{"x", Tensor::FromFloats({1, 3}, {1, 2, 3})}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), api::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "input 'x' expects float32 [-1,5], got float32 [1,3]");
  auto unknown = model.Predict({{"x", Tensor::FromFloats({1, 5}, {1, 2, 3, 4, 5})}}, "nope");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), api::StatusCode::kNotFound);
}

// IG and Sampled Shapley on a linear model are w·(x − b) exactly.
TEST(Api, ExplainOnTensorsIsTheLinearClosedForm) {
  const json& e = Manifest().at("linear");
  api::Model model = LoadOrDie("linear");
  const json& x = e["sample_inputs"]["serving_default"]["x"];
  const std::vector<double> b = {0.5, -1.0, 0.0, 2.0, 0.25};
  json md = {{"inputs", {{"x", {{"inputTensorName", "x"}, {"inputBaselines", {b}}}}}},
             {"outputs", {{"y", {{"outputTensorName", "y"}}}}}};
  for (const char* method : {"integrated_gradients", "sampled_shapley"}) {
    api::ExplainOptions options;
    options.method = method;
    auto r = model.Explain({{"x", Floats(x)}}, options, md.dump());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->explanations.size(), x.size());
    for (size_t i = 0; i < x.size(); ++i) {
      const api::OutputAttribution& a = r->explanations[i].attributions.at(0);
      EXPECT_EQ(a.output_index, 0);
      EXPECT_EQ(a.output_name, "y");
      ASSERT_EQ(a.features.size(), 1u);
      EXPECT_EQ(a.features[0].name, "x");
      double total = 0, fb = e["b"][0].get<double>(), fx = fb;
      for (size_t k = 0; k < 5; ++k) {
        double w = e["w"][k][0].get<double>(), want = w * (x[i][k].get<double>() - b[k]);
        total += want;
        fb += w * b[k];
        fx += w * x[i][k].get<double>();
        if (std::string(method) == "integrated_gradients") {
          ASSERT_EQ(a.features[0].values.shape(), (std::vector<int64_t>{5}));
          EXPECT_NEAR(a.features[0].values.data<double>()[k], want, 1e-5) << method;
        }
      }
      if (std::string(method) == "sampled_shapley") {
        ASSERT_EQ(a.features[0].values.shape(), std::vector<int64_t>{});  // one player: the whole tensor
        EXPECT_NEAR(a.features[0].values.data<double>()[0], total, 1e-5);
        EXPECT_EQ(a.standard_errors.size(), 1u);
      }
      EXPECT_NEAR(a.instance_output, fx, 1e-5);
      EXPECT_NEAR(a.baseline_output, fb, 1e-5);
      EXPECT_LT(a.approximation_error, 1e-5);
    }
    ASSERT_EQ(r->predictions.count("y"), 1u);
    EXPECT_TRUE(r->notes.empty());
  }
}

TEST(Api, ExplainErrorsAtTheBoundary) {
  api::Model model = LoadOrDie("linear");
  Tensor x = Tensor::FromFloats({1, 5}, {1, 2, 3, 4, 5});
  api::ExplainOptions options;
  options.step_count = 0;
  auto r = model.Explain({{"x", x}}, options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), api::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "step_count must be in [1, 100] as in Vertex, got 0");
  options = api::ExplainOptions();
  options.output_indices = {-1};
  r = model.Explain({{"x", x}}, options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "output index -1 is out of range: the output has 1 values per instance");
  options.output_indices = {1};
  r = model.Explain({{"x", x}}, options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "output index 1 is out of range: the output has 1 values per instance");
  options = api::ExplainOptions();
  options.memory_budget_bytes = 0;
  r = model.Explain({{"x", x}}, options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "memory budget must be > 0 bytes, got 0");
  r = model.Explain({{"x", x}}, api::ExplainOptions(), "{not json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), api::StatusCode::kInvalidArgument);
}

// The tensor path and the :explain JSON path give the same numbers (seed
// model, metadata built by the library).
TEST(Api, TensorAndJsonPathsAgree) {
  const json& e = Manifest().at("seed");
  api::Model model = LoadOrDie("seed");
  const json& rows = e["sample_inputs"]["serving_default"]["features"];
  auto sig = model.ExplainInputSignature();
  ASSERT_TRUE(sig.ok());
  auto inputs = model.Signatures();
  std::string key;
  for (const auto& s : inputs) if (s.key == *sig) key = s.inputs.at(0).key;
  auto r = model.Explain({{key, Floats(rows)}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto text = model.ExplainJson(json({{"instances", rows}}).dump());
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  json doc = json::parse(*text);
  ASSERT_EQ(doc["explanations"].size(), r->explanations.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& a = r->explanations[i].attributions[0];
    const json& j = doc["explanations"][i]["attributions"][0];
    EXPECT_EQ(j["outputIndex"][0].get<int64_t>(), a.output_index);
    EXPECT_EQ(j["instanceOutputValue"].get<double>(), a.instance_output);
    for (const auto& f : a.features) {
      const json& got = j["featureAttributions"][f.name];
      for (int64_t k = 0; k < f.values.num_elements(); ++k) EXPECT_EQ(got[k].get<double>(), f.values.data<double>()[k]);
    }
    // Completeness: Σ attributions ≈ F(x) − F(b) within the reported error.
    double total = 0;
    for (const auto& f : a.features) for (int64_t k = 0; k < f.values.num_elements(); ++k) total += f.values.data<double>()[k];
    double gap = a.instance_output - a.baseline_output;
    EXPECT_LE(std::fabs(total - gap), a.approximation_error * std::fabs(gap) + 1e-6);
  }
  auto again = api::ExplainResponseJson(*r);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *text);
}

// Many threads on one model: explains and predicts at once give what one
// thread gives.
TEST(Api, ThreadsExplainAndPredictOnOneModel) {
  const json& e = Manifest().at("seed");
  api::Model model = LoadOrDie("seed");
  Tensor rows = Floats(e["sample_inputs"]["serving_default"]["features"]);
  auto want_explain = model.Explain({{"features", rows}});
  auto want_predict = model.Predict({{"features", rows}});
  ASSERT_TRUE(want_explain.ok() && want_predict.ok());
  std::atomic<int> mismatches{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t]() {
      for (int k = 0; k < 4; ++k) {
        if (t % 2 == 0) {
          auto r = model.Explain({{"features", rows}});
          if (!r.ok()) { ++failures; continue; }
          const auto& got = r->explanations[0].attributions[0].features[0].values;
          const auto& want = want_explain->explanations[0].attributions[0].features[0].values;
          for (int64_t i = 0; i < got.num_elements(); ++i) {
            if (std::fabs(got.data<double>()[i] - want.data<double>()[i]) > 1e-6) { ++mismatches; break; }
          }
        } else {
          auto r = model.Predict({{"features", rows}});
          if (!r.ok()) { ++failures; continue; }
          if (r->at("output_0").bytes() != want_predict->at("output_0").bytes()) ++mismatches;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(mismatches.load(), 0);
}

// api::Validate on data with a closed-form AUC: labels 0/1 and predictions
// 0.25 + 0.5·label separate perfectly (AUC 1), written by TensorFlow Python.
class ApiValidate : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(::testing::TempDir() + "/api_validate");
    std::string script =
        "import tensorflow as tf\n"
        "def ex(label):\n"
        "    return tf.train.Example(features=tf.train.Features(feature={\n"
        "        'label': tf.train.Feature(float_list=tf.train.FloatList(value=[label])),\n"
        "        'pred': tf.train.Feature(float_list=tf.train.FloatList(value=[0.25 + 0.5 * label]))})).SerializeToString()\n"
        "import os; os.makedirs('" + *dir_ + "', exist_ok=True)\n"
        "with tf.io.TFRecordWriter('" + *dir_ + "/data.tfrecord') as w:\n"
        "    for i in range(20): w.write(ex(float(i % 2)))\n";
    std::ofstream(*dir_ + ".py") << script;
    std::string cmd = std::string("TF_CPP_MIN_LOG_LEVEL=3 ") + XAI_TEST_PYTHON + " " + *dir_ + ".py";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  static std::string Config(double lower_bound) {
    std::string path = *dir_ + "/config_" + std::to_string(static_cast<int>(lower_bound * 10)) + ".pbtxt";
    std::ofstream(path) << "model_specs { label_key: \"label\" prediction_key: \"pred\" }\n"
                        << "metrics_specs { metrics { class_name: \"AUC\" threshold { value_threshold { lower_bound "
                        << "{ value: " << lower_bound << " } } } } }\n";
    return path;
  }
  static api::ValidateOptions Options(double lower_bound, const std::string& out) {
    api::ValidateOptions o;
    o.eval_config_path = Config(lower_bound);
    o.data_location = *dir_ + "/data.tfrecord";
    o.output_path = *dir_ + "/" + out;
    return o;
  }
  static std::string* dir_;
};
std::string* ApiValidate::dir_ = nullptr;

TEST_F(ApiValidate, PassingThresholdBlesses) {
  auto r = api::Validate(Options(0.5, "pass"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->blessed);
  EXPECT_EQ(r->examples, 20);
  EXPECT_TRUE(std::ifstream(*dir_ + "/pass/BLESSED").good());
}

TEST_F(ApiValidate, FailingThresholdDoesNotBless) {
  auto r = api::Validate(Options(1.5, "fail"));  // AUC is 1: below 1.5
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->blessed);
  EXPECT_NE(r->summary.find("Validation FAILED"), std::string::npos) << r->summary;
  EXPECT_TRUE(std::ifstream(*dir_ + "/fail/NOT_BLESSED").good());
}

TEST_F(ApiValidate, MissingConfigIsAnError) {
  api::ValidateOptions o = Options(0.5, "missing");
  o.eval_config_path = *dir_ + "/no_such_config.pbtxt";
  auto r = api::Validate(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no_such_config.pbtxt"), std::string::npos) << r.status().message();
}

// Concurrent first loads of one handle: every thread gets the model.
TEST(Api, ConcurrentFirstLoads) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  api::LoadOptions options;
  options.inter_op_threads = -1;  // a key no other test loaded
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&]() {
      auto m = api::Model::Load(Dir("tabular"), options);
      if (m.ok() && m->dir() == Dir("tabular")) ++ok;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 6);
}

}  // namespace
