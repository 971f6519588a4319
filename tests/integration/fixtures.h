// Shared access to the generated fixtures for integration tests: the
// manifest and TensorFlow references (scripts/fixtures.sh, $XAI_FIXTURES),
// models loaded once per test binary, and sample inputs as tensors.
#ifndef XAI_TESTS_INTEGRATION_FIXTURES_H_
#define XAI_TESTS_INTEGRATION_FIXTURES_H_

#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "nlohmann/json.hpp"
#include "xai/model/model.h"
#include "xai/rest/predict_json.h"

namespace xai::testing {

using json = nlohmann::json;

inline std::string FixturesDir() {
  const char* dir = std::getenv("XAI_FIXTURES");
  return dir ? dir : "";
}

inline json LoadJson(const std::string& path) {
  std::ifstream in(path);
  return in ? json::parse(in) : json();
}

inline const json& Manifest() {
  static const json m = LoadJson(FixturesDir() + "/manifest.json");
  return m;
}

inline const json& References() {
  static const json r = LoadJson(FixturesDir() + "/references.json");
  return r;
}

// The fixture's model, loaded once.
inline Model& LoadedModel(const std::string& fixture) {
  static std::map<std::string, std::unique_ptr<Model>> models;
  auto& slot = models[fixture];
  if (!slot) {
    auto loaded = Model::Load(Manifest()[fixture]["dir"].get<std::string>(), LoadOptions());
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    slot = std::move(*loaded);
  }
  return *slot;
}

// Inputs in the manifest's convention ({"b64": [...]} for strings) as tensors
// keyed by input alias, through the TF Serving columnar parser.
inline std::map<std::string, Tensor> Inputs(Model& model, const std::string& signature, const json& inputs) {
  json columns = json::object();
  for (const auto& [key, value] : inputs.items()) {
    if (value.is_object() && value.contains("b64")) {
      json list = json::array();
      for (const auto& s : value["b64"]) list.push_back({{"b64", s}});
      columns[key] = list;
    } else {
      columns[key] = value;
    }
  }
  json body = {{"signature_name", signature}, {"inputs", columns}};
  auto parsed = ParsePredictRequest(body.dump(), model.meta_graph(), signature);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? parsed->inputs : std::map<std::string, Tensor>{};
}

}  // namespace xai::testing

#endif  // XAI_TESTS_INTEGRATION_FIXTURES_H_
