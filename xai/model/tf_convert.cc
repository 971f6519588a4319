#include "xai/model/tf_convert.h"

#include <cstring>

#include "tensorflow/core/framework/types.h"

namespace xai {

std::string PythonDTypeName(int tf_dtype) {
  auto dtype = static_cast<tensorflow::DataType>(tf_dtype);
  switch (dtype) {
    case tensorflow::DT_FLOAT: return "float32";
    case tensorflow::DT_DOUBLE: return "float64";
    case tensorflow::DT_HALF: return "float16";
    case tensorflow::DT_BFLOAT16: return "bfloat16";
    case tensorflow::DT_COMPLEX64: return "complex64";
    case tensorflow::DT_COMPLEX128: return "complex128";
    default: return tensorflow::DataTypeString(dtype);  // int32, string, resource, ...
  }
}

StatusOr<tensorflow::Tensor> ToTfTensor(const Tensor& tensor) {
  auto dtype = static_cast<tensorflow::DataType>(tensor.dtype());
  tensorflow::TensorShape shape;
  for (int64_t d : tensor.shape()) {
    if (d < 0) return absl::InvalidArgumentError("negative dimension in shape " + ShapeString(tensor.shape()));
    shape.AddDim(d);
  }
  if (tensor.dtype() == DType::kString) {
    tensorflow::Tensor out(tensorflow::DT_STRING, shape);
    auto flat = out.flat<tensorflow::tstring>();
    for (int64_t i = 0; i < flat.size(); ++i) flat(i) = tensor.strings()[i];
    return out;
  }
  if (DTypeSize(tensor.dtype()) == 0) {
    return absl::InvalidArgumentError("cannot feed a tensor of dtype " + DTypeName(tensor.dtype()));
  }
  tensorflow::Tensor out(dtype, shape);
  size_t bytes = out.TotalBytes();
  if (bytes != tensor.bytes().size()) {
    return absl::InternalError("tensor buffer holds " + std::to_string(tensor.bytes().size()) +
                               " bytes, shape needs " + std::to_string(bytes));
  }
  if (bytes) std::memcpy(out.data(), tensor.bytes().data(), bytes);
  return out;
}

StatusOr<Tensor> FromTfTensor(const tensorflow::Tensor& tensor) {
  std::vector<int64_t> shape;
  for (int i = 0; i < tensor.dims(); ++i) shape.push_back(tensor.dim_size(i));
  DType dtype = static_cast<DType>(tensor.dtype());
  if (tensor.dtype() == tensorflow::DT_STRING) {
    auto flat = tensor.flat<tensorflow::tstring>();
    std::vector<std::string> values(flat.size());
    for (int64_t i = 0; i < flat.size(); ++i) values[i] = std::string(flat(i));
    return Tensor::FromStrings(std::move(shape), std::move(values));
  }
  if (DTypeSize(dtype) == 0) {
    return absl::UnimplementedError("cannot return a tensor of dtype " +
                                    PythonDTypeName(tensor.dtype()));
  }
  Tensor out(dtype, std::move(shape));
  if (!out.bytes().empty()) std::memcpy(out.bytes().data(), tensor.data(), out.bytes().size());
  return out;
}

}  // namespace xai
