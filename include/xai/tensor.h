// xai's own tensor value: what the public API and every module above model/
// exchange with the runtime. Dense, row-major, owning. A value type:
// thread-compatible (const use from many threads is safe). Strings are held one std::string per
// element; every other dtype as packed little-endian bytes.
#ifndef XAI_TENSOR_H_
#define XAI_TENSOR_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "xai/export.h"

namespace xai {

// Numeric values equal TensorFlow's DataType enum, so conversions are casts.
enum class DType : int {
  kInvalid = 0,
  kFloat = 1,
  kDouble = 2,
  kInt32 = 3,
  kUInt8 = 4,
  kInt16 = 5,
  kInt8 = 6,
  kString = 7,
  kInt64 = 9,
  kBool = 10,
  kBFloat16 = 14,
  kUInt16 = 17,
  kHalf = 19,
  kResource = 20,
  kVariant = 21,
  kUInt32 = 22,
  kUInt64 = 23,
};

// "float32", "string", ... (TensorFlow Python's names); "dtype(<n>)" when unknown.
XAI_EXPORT std::string DTypeName(DType dtype);

// Bytes per element for fixed-size dtypes; 0 for string and unsupported ones.
XAI_EXPORT size_t DTypeSize(DType dtype);

// Number of elements of a shape (1 for a scalar). Shape entries must be >= 0.
XAI_EXPORT int64_t NumElements(const std::vector<int64_t>& shape);

// "[2,3]" — used in error messages.
XAI_EXPORT std::string ShapeString(const std::vector<int64_t>& shape);

XAI_EXPORT bool IsFloatDType(DType dtype);    // float16/32/64, bfloat16
XAI_EXPORT bool IsIntegerDType(DType dtype);  // signed and unsigned integers

class XAI_EXPORT Tensor {
 public:
  Tensor() = default;
  // Zero-filled (or empty-string-filled) tensor of the given dtype and shape.
  Tensor(DType dtype, std::vector<int64_t> shape);

  // Builds a float32 tensor from values; values.size() must equal NumElements(shape).
  static Tensor FromFloats(std::vector<int64_t> shape, const std::vector<float>& values);
  static Tensor FromStrings(std::vector<int64_t> shape, std::vector<std::string> values);

  DType dtype() const { return dtype_; }
  const std::vector<int64_t>& shape() const { return shape_; }
  int64_t num_elements() const { return NumElements(shape_); }

  // Typed views over the numeric buffer; T must match dtype's element size.
  template <typename T>
  T* data() { return reinterpret_cast<T*>(bytes_.data()); }
  template <typename T>
  const T* data() const { return reinterpret_cast<const T*>(bytes_.data()); }

  std::vector<std::string>& strings() { return strings_; }
  const std::vector<std::string>& strings() const { return strings_; }

  // Raw numeric buffer (empty for strings).
  std::vector<char>& bytes() { return bytes_; }
  const std::vector<char>& bytes() const { return bytes_; }

  // Element i converted to double (numeric dtypes only; bool → 0/1).
  double AsDouble(int64_t i) const;

  // Elements per row of the first dimension (0 for scalars and empty batches).
  int64_t row_size() const { return shape_.empty() || shape_[0] == 0 ? 0 : num_elements() / shape_[0]; }

 private:
  DType dtype_ = DType::kInvalid;
  std::vector<int64_t> shape_;
  std::vector<char> bytes_;
  std::vector<std::string> strings_;
};

}  // namespace xai

#endif  // XAI_TENSOR_H_
