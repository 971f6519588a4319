// Request parsing and response layout against TF Serving's documented REST
// semantics (no model run: the signature is built by hand).
#include "xai/rest/predict_json.h"

#include <gtest/gtest.h>

namespace xai {
namespace {

TensorSpec Spec(const std::string& key, DType dtype, std::vector<int64_t> shape) {
  TensorSpec s;
  s.key = key;
  s.name = key + ":0";
  s.dtype = dtype;
  s.shape = std::move(shape);
  return s;
}

MetaGraphInfo Graph() {
  MetaGraphInfo mg;
  SignatureInfo one;
  one.key = "serving_default";
  one.inputs = {Spec("x", DType::kFloat, {-1, 2})};
  SignatureInfo two;
  two.key = "two";
  two.inputs = {Spec("a", DType::kFloat, {-1}), Spec("s", DType::kString, {-1})};
  mg.signatures = {one, two};
  return mg;
}

TEST(ParsePredict, RowFormatStacksInstances) {
  auto r = ParsePredictRequest(R"({"instances": [[1, 2], [3.5, NaN]]})", Graph(), "serving_default");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->format, RequestFormat::kRow);
  const Tensor& x = r->inputs.at("x");
  EXPECT_EQ(x.shape(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(x.data<float>()[2], 3.5f);
  EXPECT_TRUE(std::isnan(x.data<float>()[3]));
}

TEST(ParsePredict, NamedInstancesAndBase64) {
  auto r = ParsePredictRequest(
      R"({"signature_name": "two", "instances": [{"a": 1, "s": {"b64": "aGk="}}, {"a": 2, "s": "yo"}]})", Graph(),
      "serving_default");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->signature_name, "two");
  EXPECT_EQ(r->inputs.at("s").strings()[0], "hi");
  EXPECT_EQ(r->inputs.at("a").shape(), (std::vector<int64_t>{2}));
}

TEST(ParsePredict, ColumnarFormat) {
  auto r = ParsePredictRequest(R"({"inputs": {"a": [1, 2, 3], "s": ["p"]}, "signature_name": "two"})", Graph(),
                               "serving_default");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->format, RequestFormat::kColumnar);
  EXPECT_EQ(r->inputs.at("a").num_elements(), 3);
  EXPECT_EQ(r->inputs.at("s").num_elements(), 1);
}

void ExpectError(const std::string& body, const std::string& fragment) {
  auto r = ParsePredictRequest(body, Graph(), "serving_default");
  ASSERT_FALSE(r.ok()) << body;
  EXPECT_NE(r.status().message().find(fragment), std::string::npos) << r.status().message();
}

TEST(ParsePredict, TfServingErrors) {
  ExpectError("", "The document is empty");
  ExpectError("[1]", "Is not object");
  ExpectError(R"({"instances": [1], "inputs": [1]})", "expecting only one of 'inputs' or 'instances'");
  ExpectError(R"({"foo": 1})", "Missing 'inputs' or 'instances' key");
  ExpectError(R"({"instances": []})", "No values in 'instances' array");
  ExpectError(R"({"instances": [["a", 1]]})", "is not of expected type: float32");
  ExpectError(R"({"instances": [[1, 2], [1, 2, 3]]})", "Expecting shape [2] but got: [3]");
  ExpectError(R"({"instances": [[[1], 2]]})", "found at incorrect level");
  ExpectError(R"({"signature_name": "two", "instances": [1, 2]})", "plain list");
  ExpectError(R"({"signature_name": "two", "instances": [{"a": 1}]})", "must only have keys: a,s");
  ExpectError(R"({"signature_name": "two", "inputs": {"a": [1]}})", "Missing named input: s");
  ExpectError(R"({"signature_name": "nope", "inputs": [1]})", "unknown signature 'nope'; available: serving_default, two");
  ExpectError(R"({"instances": [[16777217, 0]]})", "without loss of precision");
}

TEST(FormatPredict, RowSingleOutput) {
  std::map<std::string, Tensor> out{{"y", Tensor::FromFloats({2, 1}, {0.1f, 2.0f})}};
  EXPECT_EQ(*FormatPredictResponse(RequestFormat::kRow, out), "{\n    \"predictions\": [[0.1], [2.0]]\n}\n");
}

TEST(FormatPredict, RowSeveralOutputsAndBytes) {
  std::map<std::string, Tensor> out{{"p", Tensor::FromFloats({1, 2}, {0.25f, 0.75f})},
                                    {"id_bytes", Tensor::FromStrings({1}, {"hi"})}};
  EXPECT_EQ(*FormatPredictResponse(RequestFormat::kRow, out),
            "{\n    \"predictions\": [{\n            \"id_bytes\": {\n                \"b64\": \"aGk=\"\n"
            "            },\n            \"p\": [0.25, 0.75]\n        }]\n}\n");
}

TEST(FormatPredict, ColumnarKeepsWholeTensors) {
  std::map<std::string, Tensor> out{{"a", Tensor::FromFloats({2}, {1, 2})}, {"b", Tensor::FromFloats({}, {3})}};
  EXPECT_EQ(*FormatPredictResponse(RequestFormat::kColumnar, out),
            "{\n    \"outputs\": {\n        \"a\": [1.0, 2.0],\n        \"b\": 3.0\n    }\n}\n");
}

TEST(FormatPredict, RowNeedsBatchDimension) {
  std::map<std::string, Tensor> out{{"s", Tensor::FromFloats({}, {1})}};
  EXPECT_FALSE(FormatPredictResponse(RequestFormat::kRow, out).ok());
}

}  // namespace
}  // namespace xai
