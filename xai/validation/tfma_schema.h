// TFMA's proto messages (EvalConfig, MetricsForSlice, ValidationResult and
// what they use), rebuilt at run time from field names and numbers written
// down in tfma_schema.cc (TFMA's protos are not in the TensorFlow wheel). The
// pool uses only the wheel's protobuf, so no second protobuf enters the process.
//
// Messages live in package `tensorflow_model_analysis`; nested types of TFMA
// (e.g. MetricsForSlice.MetricKeyAndValue) are top-level here: the names do
// not reach the wire or the text/JSON formats, only field names and numbers do.
#ifndef XAI_VALIDATION_TFMA_SCHEMA_H_
#define XAI_VALIDATION_TFMA_SCHEMA_H_

#include <memory>
#include <string>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "xai/base/status.h"

namespace xai::tfma {

// The pool holding every schema message (built once; thread-safe after that).
const google::protobuf::DescriptorPool& SchemaPool();

// A new, empty dynamic message of `name` (without the package prefix, e.g.
// "EvalConfig"). The name must exist in the schema (checked: aborts otherwise).
std::unique_ptr<google::protobuf::Message> NewMessage(const std::string& name);

// Field numbers of the alias accepted for the guide's misspelt
// `metrics_spec` (see eval_config.cc).
inline constexpr int kMetricsSpecAliasField = 1005;

}  // namespace xai::tfma

#endif  // XAI_VALIDATION_TFMA_SCHEMA_H_
