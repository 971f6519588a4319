// The model runtime against TensorFlow Python on every generated fixture:
// predictions (loaded.signatures[k](...)) within 1e-6 relative and
// vector-Jacobian products (tf.GradientTape) within 1e-5 relative.
// References come from tests/reference/make_references.py.
#include <cmath>

#include <gtest/gtest.h>

#include "nlohmann/json.hpp"
#include "tests/integration/fixtures.h"
#include "xai/model/model.h"
#include "xai/rest/predict_json.h"

namespace xai {
namespace {

using namespace ::xai::testing;  // NOLINT: fixture helpers

// |a - b| <= rtol * (|b| + max|reference|): relative to the tensor's scale, so
// values near zero are not held to an impossible bound.
void ExpectClose(const Tensor& actual, const json& expected_values, const std::vector<int64_t>& shape, double rtol,
                 const std::string& what) {
  ASSERT_EQ(actual.shape(), shape) << what;
  double scale = 0;
  for (const auto& v : expected_values) scale = std::max(scale, std::fabs(v.get<double>()));
  int64_t bad = 0;
  for (int64_t i = 0; i < actual.num_elements(); ++i) {
    double a = actual.AsDouble(i), e = expected_values[i].get<double>();
    if (!(std::fabs(a - e) <= rtol * (std::fabs(e) + scale))) {
      if (++bad <= 3) ADD_FAILURE() << what << "[" << i << "]: xai " << a << " vs TensorFlow " << e;
    }
  }
  EXPECT_EQ(bad, 0) << what << ": " << bad << " of " << actual.num_elements() << " elements off";
}

class FixtureTest : public ::testing::TestWithParam<std::string> {};

TEST_P(FixtureTest, PredictionsMatchTensorFlow) {
  const std::string fixture = GetParam();
  Model& model = LoadedModel(fixture);
  for (const auto& ref : References()[fixture]["predict"]) {
    std::string sig = ref["signature"];
    auto outputs = model.RunSignature(sig, Inputs(model, sig, ref["inputs"]));
    ASSERT_TRUE(outputs.ok()) << outputs.status();
    for (const auto& [key, expected] : ref["outputs"].items()) {
      const Tensor& actual = outputs->at(key);
      auto shape = expected["shape"].get<std::vector<int64_t>>();
      if (expected["dtype"] == "string") {
        ASSERT_EQ(actual.num_elements(), static_cast<int64_t>(expected["values"].size()));
        continue;
      }
      ExpectClose(actual, expected["values"], shape, 1e-6, fixture + "/" + sig + "/" + key);
    }
  }
}

TEST_P(FixtureTest, GradientsMatchGradientTape) {
  const std::string fixture = GetParam();
  Model& model = LoadedModel(fixture);
  for (const auto& ref : References()[fixture]["vjp"]) {
    VjpRequest request;
    request.signature = ref["signature"];
    request.x = ref["x"];
    request.y = ref["y"];
    request.feeds = Inputs(model, request.signature, ref["inputs"]);
    auto wshape = ref["weights"]["shape"].get<std::vector<int64_t>>();
    request.weights = Tensor::FromFloats(wshape, ref["weights"]["values"].get<std::vector<float>>());
    auto result = model.Vjp(request);
    std::string what = fixture + " d" + request.y + "/d" + request.x;
    if (ref["gradient"].is_null()) {
      ASSERT_FALSE(result.ok()) << what << " should have no gradient";
      EXPECT_TRUE(absl::IsFailedPrecondition(result.status())) << result.status();
      EXPECT_NE(result.status().message().find(ref["blocking_op_type"].get<std::string>()), std::string::npos)
          << result.status();
      continue;
    }
    ASSERT_TRUE(result.ok()) << what << ": " << result.status();
    ExpectClose(result->y, ref["y_values"], wshape, 1e-6, what + " (y)");
    ExpectClose(result->gradients[0], ref["gradient"]["values"],
                ref["gradient"]["shape"].get<std::vector<int64_t>>(), 1e-5, what);
    // A second call reuses the cached gradient graph and gives the same answer.
    auto again = model.Vjp(request);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->gradients[0].bytes(), result->gradients[0].bytes());
    std::cout << "[ route    ] " << what << ": " << GradientRouteName(result->route) << "\n";
  }
}

// Route G2 (SymbolicGradient through the call op, no inlining) on the
// fixtures where TensorFlow's function-gradient registry covers every op:
// plain Dense/ReLU/Sigmoid Keras 3 and tf.Module exports.
TEST(SymbolicGradientRoute, MatchesGradientTapeOnFlatFunctions) {
  for (const std::string fixture : {"linear", "seed"}) {
    Model& model = LoadedModel(fixture);
    const json& ref = References()[fixture]["vjp"][0];
    VjpRequest request;
    request.signature = ref["signature"];
    request.x = ref["x"];
    request.y = ref["y"];
    request.route = VjpRequest::Route::kSymbolic;
    request.feeds = Inputs(model, request.signature, ref["inputs"]);
    auto wshape = ref["weights"]["shape"].get<std::vector<int64_t>>();
    request.weights = Tensor::FromFloats(wshape, ref["weights"]["values"].get<std::vector<float>>());
    auto result = model.Vjp(request);
    ASSERT_TRUE(result.ok()) << fixture << ": " << result.status();
    EXPECT_EQ(result->route, GradientRoute::kSymbolicGradient);
    ExpectClose(result->gradients[0], ref["gradient"]["values"], ref["gradient"]["shape"].get<std::vector<int64_t>>(),
                1e-5, fixture + " (G2)");
  }
}

TEST(NoGradient, NamesTheBlockingOp) {
  Model& model = LoadedModel("nograd");
  const json& ref = References()["nograd"]["vjp"][0];
  VjpRequest request;
  request.signature = ref["signature"];
  request.x = ref["x"];
  request.y = ref["y"];
  request.feeds = Inputs(model, request.signature, ref["inputs"]);
  request.weights = Tensor::FromFloats(ref["weights"]["shape"].get<std::vector<int64_t>>(),
                                       ref["weights"]["values"].get<std::vector<float>>());
  auto result = model.Vjp(request);
  ASSERT_FALSE(result.ok());
  std::string message(result.status().message());
  EXPECT_NE(message.find("of type Floor has no gradient"), std::string::npos) << message;
  EXPECT_NE(message.find("op '"), std::string::npos) << message;
  std::cout << "[ message  ] " << message << "\n";
}

std::vector<std::string> FixtureNames() {
  std::vector<std::string> names;
  for (const auto& [name, entry] : Manifest().items()) names.push_back(name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FixtureTest, ::testing::ValuesIn(FixtureNames()),
                         [](const auto& info) { return info.param; });

TEST(FixturesPresent, ManifestAndReferencesExist) {
  ASSERT_FALSE(FixturesDir().empty()) << "XAI_FIXTURES is not set";
  EXPECT_GE(Manifest().size(), 8u);
  EXPECT_EQ(References().size(), Manifest().size());
}

}  // namespace
}  // namespace xai
