#include "xai/rest/explain_handler.h"

#include "xai/rest/vertex_explain.h"

namespace xai {

StatusOr<std::unique_ptr<ExplainExchange>> HandleExplain(ServedModel& model, const std::string& body,
                                                         const api::ExplainOptions& options,
                                                         std::optional<ExplanationMetadata> metadata) {
  XAI_ASSIGN_OR_RETURN(ExplainRequestBody request, ParseExplainRequest(body, options, std::move(metadata)));
  XAI_RETURN_IF_ERROR(ValidateExplainOptions(request.options));
  auto x = std::make_unique<ExplainExchange>();
  x->options = std::move(request.options);
  x->metadata = std::move(request.metadata);
  if (x->metadata) {
    x->used = &*x->metadata;
  } else {
    XAI_ASSIGN_OR_RETURN(x->used, model.BuiltMetadata(x->options.signature));
  }
  const MetaGraphInfo& mg = model.model().meta_graph();
  XAI_ASSIGN_OR_RETURN(std::string signature, ExplainInputSignature(mg, x->options));
  XAI_ASSIGN_OR_RETURN(auto inputs, InstancesToTensors(request.instances, mg, signature));
  XAI_ASSIGN_OR_RETURN(x->run, Explain(model.model(), inputs, *x->used, x->options));
  XAI_ASSIGN_OR_RETURN(x->response, FormatExplainResponse(x->run.result));
  return x;
}

}  // namespace xai
