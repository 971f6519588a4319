#include "xai/model/tensor.h"

#include <cmath>

namespace xai {

namespace {

// IEEE half → float (for AsDouble on float16 outputs).
float HalfToFloat(uint16_t h) {
  int sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  float value;
  if (exp == 0) {
    value = std::ldexp(static_cast<float>(mant), -24);
  } else if (exp == 31) {
    value = mant ? NAN : INFINITY;
  } else {
    value = std::ldexp(static_cast<float>(mant | 0x400), exp - 25);
  }
  return sign ? -value : value;
}

}  // namespace

std::string DTypeName(DType dtype) {
  switch (dtype) {
    case DType::kFloat: return "float32";
    case DType::kDouble: return "float64";
    case DType::kInt32: return "int32";
    case DType::kUInt8: return "uint8";
    case DType::kInt16: return "int16";
    case DType::kInt8: return "int8";
    case DType::kString: return "string";
    case DType::kInt64: return "int64";
    case DType::kBool: return "bool";
    case DType::kBFloat16: return "bfloat16";
    case DType::kUInt16: return "uint16";
    case DType::kHalf: return "float16";
    case DType::kResource: return "resource";
    case DType::kVariant: return "variant";
    case DType::kUInt32: return "uint32";
    case DType::kUInt64: return "uint64";
    case DType::kInvalid: return "invalid";
  }
  return "dtype(" + std::to_string(static_cast<int>(dtype)) + ")";
}

size_t DTypeSize(DType dtype) {
  switch (dtype) {
    case DType::kFloat: case DType::kInt32: case DType::kUInt32: return 4;
    case DType::kDouble: case DType::kInt64: case DType::kUInt64: return 8;
    case DType::kUInt8: case DType::kInt8: case DType::kBool: return 1;
    case DType::kInt16: case DType::kUInt16: case DType::kHalf: case DType::kBFloat16: return 2;
    default: return 0;
  }
}

int64_t NumElements(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string ShapeString(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) out += ",";
    out += std::to_string(shape[i]);
  }
  return out + "]";
}

bool IsFloatDType(DType d) {
  return d == DType::kFloat || d == DType::kDouble || d == DType::kHalf || d == DType::kBFloat16;
}

bool IsIntegerDType(DType d) {
  return d == DType::kInt32 || d == DType::kInt64 || d == DType::kInt16 || d == DType::kInt8 || d == DType::kUInt8 ||
         d == DType::kUInt16 || d == DType::kUInt32 || d == DType::kUInt64;
}

Tensor::Tensor(DType dtype, std::vector<int64_t> shape) : dtype_(dtype), shape_(std::move(shape)) {
  if (dtype_ == DType::kString) {
    strings_.resize(num_elements());
  } else {
    bytes_.assign(num_elements() * DTypeSize(dtype_), 0);
  }
}

Tensor Tensor::FromFloats(std::vector<int64_t> shape, const std::vector<float>& values) {
  Tensor t(DType::kFloat, std::move(shape));
  std::memcpy(t.bytes_.data(), values.data(), values.size() * sizeof(float));
  return t;
}

Tensor Tensor::FromStrings(std::vector<int64_t> shape, std::vector<std::string> values) {
  Tensor t(DType::kString, std::move(shape));
  t.strings_ = std::move(values);
  return t;
}

double Tensor::AsDouble(int64_t i) const {
  switch (dtype_) {
    case DType::kFloat: return data<float>()[i];
    case DType::kDouble: return data<double>()[i];
    case DType::kInt32: return data<int32_t>()[i];
    case DType::kUInt8: return data<uint8_t>()[i];
    case DType::kInt16: return data<int16_t>()[i];
    case DType::kInt8: return data<int8_t>()[i];
    case DType::kInt64: return static_cast<double>(data<int64_t>()[i]);
    case DType::kBool: return data<uint8_t>()[i] ? 1.0 : 0.0;
    case DType::kUInt16: return data<uint16_t>()[i];
    case DType::kUInt32: return data<uint32_t>()[i];
    case DType::kUInt64: return static_cast<double>(data<uint64_t>()[i]);
    case DType::kHalf: return HalfToFloat(data<uint16_t>()[i]);
    case DType::kBFloat16: {
      uint32_t bits = static_cast<uint32_t>(data<uint16_t>()[i]) << 16;
      float f;
      std::memcpy(&f, &bits, sizeof(f));
      return f;
    }
    default: return NAN;
  }
}

}  // namespace xai
