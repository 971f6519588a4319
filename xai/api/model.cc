// The public Model handle over the registry's ServedModel.
#include "xai/model.h"

#include "xai/api/convert.h"
#include "xai/explain/explain.h"
#include "xai/metadata/builder.h"
#include "xai/metadata/checker.h"
#include "xai/registry/registry.h"
#include "xai/rest/explain_handler.h"
#include "xai/rest/predict_json.h"
#include "xai/rest/vertex_explain.h"

namespace xai::api {

struct Model::Impl {
  std::shared_ptr<ServedModel> served;
};

namespace {

TensorInfo Info(const xai::TensorSpec& spec) {
  return TensorInfo{spec.key, spec.name, spec.dtype, spec.unknown_rank, spec.shape};
}

xai::StatusOr<std::optional<ExplanationMetadata>> ParseOptionalMetadata(const std::string& text) {
  if (text.empty()) return std::optional<ExplanationMetadata>();
  XAI_ASSIGN_OR_RETURN(ExplanationMetadata md, ParseMetadata(text, DetectMetadataFormat(text)));
  return std::optional<ExplanationMetadata>(std::move(md));
}

xai::StatusOr<ExplainResult> ExplainOn(ServedModel& served, const std::map<std::string, Tensor>& inputs,
                                       const ExplainOptions& options, const std::string& metadata_json) {
  XAI_ASSIGN_OR_RETURN(std::optional<ExplanationMetadata> given, ParseOptionalMetadata(metadata_json));
  XAI_RETURN_IF_ERROR(ValidateExplainOptions(options));
  const ExplanationMetadata* md = nullptr;
  if (given) {
    md = &*given;
  } else {
    XAI_ASSIGN_OR_RETURN(md, served.BuiltMetadata(options.signature));
  }
  XAI_ASSIGN_OR_RETURN(ExplainRun run, xai::Explain(served.model(), inputs, *md, options));
  return std::move(run.result);
}

}  // namespace

StatusOr<Model> Model::Load(const std::string& handle, const LoadOptions& options) {
  xai::StatusOr<std::shared_ptr<ServedModel>> served =
      ModelRegistry::Default().Load(handle, FromApi(options));
  if (!served.ok()) return ToApi(served.status());
  return Model(std::make_shared<Impl>(Impl{std::move(*served)}));
}

const std::string& Model::dir() const { return impl_->served->dir(); }

std::vector<SignatureDef> Model::Signatures() const {
  std::vector<SignatureDef> out;
  for (const auto& sig : impl_->served->model().meta_graph().signatures) {
    SignatureDef def{sig.key, sig.method_name, {}, {}};
    for (const auto& in : sig.inputs) def.inputs.push_back(Info(in));
    for (const auto& o : sig.outputs) def.outputs.push_back(Info(o));
    out.push_back(std::move(def));
  }
  return out;
}

StatusOr<std::map<std::string, Tensor>> Model::Predict(const std::map<std::string, Tensor>& inputs,
                                                       const std::string& signature) const {
  return ToApi(impl_->served->model().RunSignature(signature, inputs));
}

StatusOr<std::string> Model::ExplainInputSignature(const ExplainOptions& options) const {
  return ToApi(xai::ExplainInputSignature(impl_->served->model().meta_graph(), options));
}

StatusOr<ExplainResult> Model::Explain(const std::map<std::string, Tensor>& inputs, const ExplainOptions& options,
                                       const std::string& metadata_json) const {
  return ToApi(ExplainOn(*impl_->served, inputs, options, metadata_json));
}

StatusOr<std::string> Model::PredictJson(const std::string& body, const std::string& default_signature) const {
  return ToApi(HandlePredict(impl_->served->model(), body, default_signature));
}

StatusOr<std::string> Model::ExplainJson(const std::string& body, const ExplainOptions& options,
                                         const std::string& metadata_json) const {
  xai::StatusOr<std::optional<ExplanationMetadata>> md = ParseOptionalMetadata(metadata_json);
  if (!md.ok()) return ToApi(md.status());
  xai::StatusOr<std::unique_ptr<ExplainExchange>> x = HandleExplain(*impl_->served, body, options, std::move(*md));
  if (!x.ok()) return ToApi(x.status());
  return std::move((*x)->response);
}

StatusOr<std::string> Model::BuildMetadata(const MetadataBuildOptions& options) const {
  BuildOptions build;
  build.signature = options.signature;
  build.output = options.logits ? OutputKind::kLogits : OutputKind::kProbabilities;
  xai::StatusOr<ExplanationMetadata> md = xai::BuildMetadata(impl_->served->model(), build);
  if (!md.ok()) return ToApi(md.status());
  return WriteMetadata(*md, options.legacy_format ? MetadataFormat::kLegacy : MetadataFormat::kVertex);
}

StatusOr<MetadataCheckResult> Model::CheckMetadata(const std::string& metadata_json, const std::string& signature,
                                                   const std::string& method) const {
  if (std::optional<std::string> problem = ExtraOutputsProblem(metadata_json)) {
    return MetadataCheckResult{false, "metadata check: 1 problem\n  - " + *problem + "\n"};
  }
  xai::StatusOr<ExplanationMetadata> md = ParseMetadata(metadata_json, DetectMetadataFormat(metadata_json));
  if (!md.ok()) return ToApi(md.status());
  CheckOptions options;
  options.signature = signature;
  options.method = method;
  xai::StatusOr<CheckReport> report = xai::CheckMetadata(impl_->served->model(), *md, options);
  if (!report.ok()) return ToApi(report.status());
  return MetadataCheckResult{report->problems.empty(), FormatReport(*report)};
}

StatusOr<std::string> ExplainResponseJson(const ExplainResult& result) {
  return ToApi(FormatExplainResponse(result));
}

}  // namespace xai::api
