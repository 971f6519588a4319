// TensorFlow Serving's REST predict API over a loaded model, transport-free:
// request JSON in, response JSON out.
#ifndef XAI_REST_PREDICT_JSON_H_
#define XAI_REST_PREDICT_JSON_H_

#include <map>
#include <string>

#include "nlohmann/json.hpp"

#include "xai/base/status.h"
#include "xai/model/model.h"

namespace xai {

enum class RequestFormat { kRow, kColumnar };

struct PredictRequest {
  std::string signature_name;  // from the body, else the default
  RequestFormat format = RequestFormat::kRow;
  std::map<std::string, Tensor> inputs;  // by input alias, batched
};

// Parses a TF Serving predict body against the signature it names
// (`default_signature` when the body has no "signature_name").
// InvalidArgument with TF Serving's message when the body does not fit.
StatusOr<PredictRequest> ParsePredictRequest(const std::string& body, const MetaGraphInfo& meta_graph,
                                             const std::string& default_signature);

// The same for a body already parsed (non-finite tokens quoted as
// QuoteNonFiniteTokens does): everything ParsePredictRequest checks after
// the text parse.
StatusOr<PredictRequest> ParsePredictDocument(const nlohmann::json& doc, const MetaGraphInfo& meta_graph,
                                              const std::string& default_signature);

// {"predictions": ...} for row requests, {"outputs": ...} for columnar ones,
// in TF Serving's layout and number format. Output keys are sorted.
StatusOr<std::string> FormatPredictResponse(RequestFormat format,
                                            const std::map<std::string, Tensor>& outputs);

// Parse → run → format.
StatusOr<std::string> HandlePredict(Model& model, const std::string& body,
                                    const std::string& default_signature);

}  // namespace xai

#endif  // XAI_REST_PREDICT_JSON_H_
