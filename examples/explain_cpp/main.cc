// explain_cpp MODEL_DIR < request.json > response.json
//
// Reads a Vertex :explain request on stdin and writes the response on
// stdout, exactly as `xai explain --dir MODEL_DIR --request -` does, using
// only xai's public API (include/xai/, libxai.so).
#include <iostream>
#include <iterator>
#include <string>

#include "xai/xai.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: explain_cpp MODEL_DIR < request.json\n";
    return 2;
  }
  std::string body((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  xai::api::StatusOr<xai::api::Model> model = xai::api::Model::Load(argv[1]);
  if (!model.ok()) {
    std::cerr << "explain_cpp: error: " << model.status().message() << "\n";
    return 2;
  }
  xai::api::StatusOr<std::string> response = model->ExplainJson(body);
  if (!response.ok()) {
    std::cerr << "explain_cpp: error: " << response.status().message() << "\n";
    return 2;
  }
  std::cout << *response;
  std::cerr << "explain_cpp: xai " << xai::api::Version() << ", model " << model->dir() << ", "
            << model->Signatures().size() << " signatures\n";
  return 0;
}
