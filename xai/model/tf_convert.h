// Internal to model/: conversions between xai's types and TensorFlow's.
// Includes TensorFlow headers; never include it outside xai/model.
#ifndef XAI_MODEL_TF_CONVERT_H_
#define XAI_MODEL_TF_CONVERT_H_

#include <string>

#include "tensorflow/core/framework/tensor.h"
#include "tensorflow/core/protobuf/saved_model.pb.h"
#include "xai/base/status.h"
#include "xai/model/tensor.h"

namespace xai {

// TensorFlow Python's dtype name ("float32", "string", "resource", ...).
std::string PythonDTypeName(int tf_dtype);

// Copies (numeric) or converts (string) between the two tensor types.
// InvalidArgument for dtypes xai does not carry (variant, resource, complex).
StatusOr<tensorflow::Tensor> ToTfTensor(const Tensor& tensor);
StatusOr<Tensor> FromTfTensor(const tensorflow::Tensor& tensor);

// Reads and parses saved_model.pb(txt) of `dir` with clear errors.
StatusOr<tensorflow::SavedModel> ReadSavedModelProto(const std::string& dir);

}  // namespace xai

#endif  // XAI_MODEL_TF_CONVERT_H_
