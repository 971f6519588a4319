// Row-wise tensor helpers shared by the attribution methods.
#include <cstring>

#include "xai/attribution/attribution.h"

namespace xai {

Tensor GatherRows(const Tensor& t, const std::vector<int64_t>& rows) {
  std::vector<int64_t> shape = t.shape();
  int64_t per_row = t.row_size();
  shape[0] = static_cast<int64_t>(rows.size());
  Tensor out(t.dtype(), shape);
  if (t.dtype() == DType::kString) {
    for (size_t k = 0; k < rows.size(); ++k) {
      for (int64_t e = 0; e < per_row; ++e) out.strings()[k * per_row + e] = t.strings()[rows[k] * per_row + e];
    }
    return out;
  }
  size_t bytes = per_row * DTypeSize(t.dtype());
  for (size_t k = 0; k < rows.size(); ++k) {
    std::memcpy(out.bytes().data() + k * bytes, t.bytes().data() + rows[k] * bytes, bytes);
  }
  return out;
}

}  // namespace xai
