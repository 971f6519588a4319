// `BuildMetadata` against TensorFlow's own view of each fixture: tensor names
// TensorFlow reported when it built the graph (TF1), and for tensors inside
// TF2 functions the values TensorFlow or a closed form gives for them.
// Every built metadata must also pass `CheckMetadata`.
#include <cmath>

#include <gtest/gtest.h>

#include "nlohmann/json.hpp"
#include "tests/integration/fixtures.h"
#include "xai/metadata/builder.h"
#include "xai/metadata/checker.h"
#include "xai/rest/predict_json.h"

namespace xai {
namespace {

using namespace ::xai::testing;  // NOLINT: fixture helpers

Model& Loaded(const std::string& fixture) { return LoadedModel(fixture); }

ExplanationMetadata Build(const std::string& fixture, BuildOptions options = {}) {
  auto md = BuildMetadata(Loaded(fixture), options);
  EXPECT_TRUE(md.ok()) << fixture << ": " << md.status();
  return md.ok() ? *md : ExplanationMetadata{};
}

std::vector<std::pair<std::string, Tensor>> SampleFeeds(const std::string& fixture, const std::string& sig) {
  auto inputs = Inputs(Loaded(fixture), sig, Manifest()[fixture]["sample_inputs"][sig]);
  return {inputs.begin(), inputs.end()};
}

Tensor Fetch(const std::string& fixture, const std::string& sig, const std::string& tensor) {
  auto values = Loaded(fixture).RunFlat(sig, SampleFeeds(fixture, sig), {tensor});
  EXPECT_TRUE(values.ok()) << values.status();
  return values.ok() ? (*values)[0] : Tensor();
}

std::vector<double> PredictReference(const std::string& fixture, const std::string& sig, const std::string& key) {
  for (const auto& p : References()[fixture]["predict"]) {
    if (p["signature"] == sig) return p["outputs"][key]["values"].get<std::vector<double>>();
  }
  ADD_FAILURE() << "no reference for " << fixture << "/" << sig << "/" << key;
  return {};
}

TEST(BuildMetadata, Tf1ExampleNamesAreTheOnesTensorFlowReported) {
  const json& names = Manifest()["tf1_example"]["tf_tensor_names"];
  ExplanationMetadata md = Build("tf1_example");
  for (const char* key : {"x1", "x2", "x3"}) EXPECT_EQ(md.inputs.at(key).input_tensor_name, names[key]) << key;
  EXPECT_EQ(md.inputs.at("tags").input_tensor_name, names["tags"]["values"]);
  EXPECT_EQ(md.inputs.at("tags").indices_tensor_name, names["tags"]["indices"]);
  EXPECT_EQ(md.inputs.at("tags").dense_shape_tensor_name, names["tags"]["dense_shape"]);
  EXPECT_EQ(md.output.output_tensor_name, names["probabilities"]);
  BuildOptions logits;
  logits.output = OutputKind::kLogits;
  EXPECT_EQ(Build("tf1_example", logits).output.output_tensor_name, names["logits"]);
}

TEST(BuildMetadata, PlainInputsAreSignatureKeys) {
  for (const std::string fixture : {"seed", "tabular", "linear"}) {
    ExplanationMetadata md = Build(fixture);
    const SignatureInfo* sig = *Loaded(fixture).meta_graph().FindSignature("serving_default");
    ASSERT_EQ(md.inputs.size(), sig->inputs.size()) << fixture;
    for (const auto& in : sig->inputs) {
      EXPECT_EQ(md.inputs.at(in.key).input_tensor_name, in.key) << fixture;
      EXPECT_EQ(md.inputs.at(in.key).modality, "numeric") << fixture;
    }
  }
}

TEST(BuildMetadata, NormalizationInsideTheGraphGivesTheNormalizedTensor) {
  ExplanationMetadata md = Build("preprocessed");
  std::string tensor = md.inputs.at("raw").input_tensor_name;
  EXPECT_NE(tensor, "raw");
  Tensor value = Fetch("preprocessed", "serving_default", tensor);
  const json& m = Manifest()["preprocessed"];
  auto raw = m["sample_inputs"]["serving_default"]["raw"];
  ASSERT_EQ(value.num_elements(), static_cast<int64_t>(raw.size() * 3));
  for (size_t i = 0; i < raw.size(); ++i) {
    for (int j = 0; j < 3; ++j) {
      double expected = (raw[i][j].get<double>() - m["mean"][j].get<double>()) / m["std"][j].get<double>();
      EXPECT_NEAR(value.AsDouble(i * 3 + j), expected, 1e-5);
    }
  }
}

TEST(BuildMetadata, CategoricalInputGetsItsOneHotEncoding) {
  ExplanationMetadata md = Build("categorical");
  const InputMetadata& color = md.inputs.at("color");
  EXPECT_EQ(color.input_tensor_name, "color");
  EXPECT_EQ(color.encoding, "COMBINED_EMBEDDING");
  Tensor encoded = Fetch("categorical", "serving_default", color.encoded_tensor_name);
  const json& vocab = Manifest()["categorical"]["vocabulary"];
  std::vector<std::string> colors = {"red", "blue", "purple"};  // the manifest's sample, decoded
  ASSERT_EQ(encoded.shape(), (std::vector<int64_t>{3, 5}));
  for (size_t i = 0; i < colors.size(); ++i) {
    int hot = vocab.contains(colors[i]) ? vocab[colors[i]].get<int>() : vocab["<default>"].get<int>();
    for (int j = 0; j < 5; ++j) EXPECT_EQ(encoded.AsDouble(i * 5 + j), j == hot ? 1.0 : 0.0) << colors[i];
  }
  EXPECT_EQ(md.inputs.at("size").input_tensor_name, "size");
}

TEST(BuildMetadata, IntegerIdsGetTheirEmbeddingLookup) {
  ExplanationMetadata md = Build("embedding");
  const InputMetadata& ids = md.inputs.at("ids");
  EXPECT_EQ(ids.input_tensor_name, "ids");
  EXPECT_EQ(ids.encoding, "CONCAT_EMBEDDING");  // one vector per id: [N, 3] -> [N, 3, 4]
  Tensor encoded = Fetch("embedding", "serving_default", ids.encoded_tensor_name);
  const json& m = Manifest()["embedding"];
  const json& sample = m["sample_inputs"]["serving_default"]["ids"];
  ASSERT_EQ(encoded.shape(), (std::vector<int64_t>{3, 3, 4}));
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      int id = sample[i][j].get<int>();
      for (int k = 0; k < 4; ++k) {
        EXPECT_EQ(encoded.AsDouble((i * 3 + j) * 4 + k), m["table"][id][k].get<float>()) << i << "," << j;
      }
    }
  }
  CheckOptions options;
  auto report = CheckMetadata(Loaded("embedding"), md, options);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->problems.empty()) << FormatReport(*report);
}

TEST(BuildMetadata, PreprocessChainUsesTheFloatImageOfXaiModel) {
  ExplanationMetadata md = Build("image_module");
  EXPECT_EQ(md.legacy_top["serving_sigdef_key"], "xai_model");
  EXPECT_EQ(md.inputs.at("image").input_tensor_name, "image");
  EXPECT_EQ(md.inputs.at("image").modality, "image");
  EXPECT_EQ(md.output.output_tensor_name, "probabilities");
}

TEST(BuildMetadata, JpegDecodedInTheGraphGivesTheDecodedImage) {
  BuildOptions options;
  options.signature = "serving_default";
  ExplanationMetadata md = Build("image_module", options);
  const InputMetadata& in = md.inputs.at("bytes_inputs");
  EXPECT_EQ(in.modality, "image");
  Tensor decoded = Fetch("image_module", "serving_default", in.input_tensor_name);
  std::vector<double> expected = PredictReference("image_module", "xai_preprocess", "image");
  ASSERT_EQ(decoded.num_elements(), static_cast<int64_t>(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i) ASSERT_NEAR(decoded.AsDouble(i), expected[i], 1e-6) << i;
}

// Logits: applying the activation to the named tensor gives TensorFlow's probabilities.
TEST(BuildMetadata, LogitsAreThePreActivation) {
  BuildOptions options;
  options.output = OutputKind::kLogits;
  {
    ExplanationMetadata md = Build("seed", options);  // sigmoid
    Tensor logits = Fetch("seed", "serving_default", md.output.output_tensor_name);
    std::vector<double> p = PredictReference("seed", "serving_default", "output_0");
    ASSERT_EQ(logits.num_elements(), static_cast<int64_t>(p.size()));
    for (size_t i = 0; i < p.size(); ++i) EXPECT_NEAR(1 / (1 + std::exp(-logits.AsDouble(i))), p[i], 1e-5);
  }
  {
    ExplanationMetadata md = Build("cnn", options);  // softmax over 4 classes
    Tensor logits = Fetch("cnn", "serving_default", md.output.output_tensor_name);
    std::vector<double> p = PredictReference("cnn", "serving_default", "output_0");
    ASSERT_EQ(logits.num_elements(), static_cast<int64_t>(p.size()));
    for (int64_t row = 0; row < logits.shape()[0]; ++row) {
      double sum = 0;
      for (int k = 0; k < 4; ++k) sum += std::exp(logits.AsDouble(row * 4 + k));
      for (int k = 0; k < 4; ++k) EXPECT_NEAR(std::exp(logits.AsDouble(row * 4 + k)) / sum, p[row * 4 + k], 1e-5);
    }
  }
}

TEST(CheckMetadata, PassesOnEverythingBuildWrote) {
  int checked = 0;
  for (const auto& [fixture, entry] : Manifest().items()) {
    if (!entry["differentiable"].get<bool>()) continue;
    ++checked;
    ExplanationMetadata md = Build(fixture);
    CheckOptions options;
    // The categorical input is differentiable through its encoding; tf.Example
    // sparse values feed SparseReduceSum, which has no C++ gradient.
    options.method = fixture == "tf1_example" ? "sampled_shapley" : "integrated_gradients";
    for (const std::string format : {"vertex", "legacy"}) {
      auto reparsed = ParseMetadata(WriteMetadata(md, format == "vertex" ? MetadataFormat::kVertex
                                                                         : MetadataFormat::kLegacy),
                                    format == "vertex" ? MetadataFormat::kVertex : MetadataFormat::kLegacy);
      ASSERT_TRUE(reparsed.ok()) << reparsed.status();
      auto report = CheckMetadata(Loaded(fixture), *reparsed, options);
      ASSERT_TRUE(report.ok()) << report.status();
      EXPECT_TRUE(report->problems.empty()) << fixture << " (" << format << "):\n" << FormatReport(*report);
    }
  }
  EXPECT_GE(checked, 9);
}

TEST(CheckMetadata, NoGradientNamesTheBlockingOp) {
  ExplanationMetadata md = Build("nograd");
  auto report = CheckMetadata(Loaded("nograd"), md, CheckOptions());
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->problems.size(), 1u) << FormatReport(*report);
  EXPECT_NE(report->problems[0].find("of type Floor has no gradient"), std::string::npos) << report->problems[0];
  EXPECT_NE(report->problems[0].find("sampled_shapley"), std::string::npos);
  CheckOptions shapley;
  shapley.method = "sampled_shapley";
  EXPECT_TRUE(CheckMetadata(Loaded("nograd"), md, shapley)->problems.empty());
}

TEST(CheckMetadata, SeededMistakesAreNamed) {
  ExplanationMetadata md = Build("tabular");
  md.inputs["age"].input_tensor_name = "agee";
  md.inputs["income"].input_baselines = Json::array({Json::array({1, 2, 3})});
  md.inputs["hours"].encoding = "BAG_OF_FEATURES";
  auto report = CheckMetadata(Loaded("tabular"), md, CheckOptions());
  ASSERT_TRUE(report.ok());
  std::string text = FormatReport(*report);
  EXPECT_EQ(report->problems.size(), 3u) << text;
  EXPECT_NE(text.find("'agee' is neither an input of signature 'serving_default' nor a tensor of its graph; did you "
                      "mean 'age'?"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("inputs['income'].input_baselines[0] has shape [3], which does not broadcast to the tensor's "
                      "per-instance shape [1]"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("inputs['hours'] has encoding BAG_OF_FEATURES but no index_feature_mapping"), std::string::npos)
      << text;
}

TEST(CheckMetadata, StringInputWithoutEncodingNeedsOneForGradients) {
  ExplanationMetadata md = Build("categorical");
  md.inputs["color"].encoded_tensor_name.clear();
  md.inputs["color"].encoding.clear();
  auto report = CheckMetadata(Loaded("categorical"), md, CheckOptions());
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->problems.size(), 1u) << FormatReport(*report);
  EXPECT_NE(report->problems[0].find("is string; integrated_gradients needs a float tensor: set encoded_tensor_name"),
            std::string::npos)
      << report->problems[0];
  md.inputs["color"].encoded_tensor_name = "size";  // exists, but is not computed from color
  report = CheckMetadata(Loaded("categorical"), md, CheckOptions());
  EXPECT_NE(FormatReport(*report).find("is not computed from its input 'color'"), std::string::npos)
      << FormatReport(*report);
}

}  // namespace
}  // namespace xai
