// Error currency of xai: absl::Status / absl::StatusOr (the versions TensorFlow's
// wheel ships), plus the two propagation macros every module uses.
#ifndef XAI_BASE_STATUS_H_
#define XAI_BASE_STATUS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace xai {

using absl::Status;
using absl::StatusOr;

// Returns `status` with `context + ": "` put in front of its message; OK stays OK.
Status Annotate(const Status& status, const std::string& context);

}  // namespace xai

#define XAI_CONCAT_INNER_(a, b) a##b
#define XAI_CONCAT_(a, b) XAI_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (a Status) is not OK.
#define XAI_RETURN_IF_ERROR(expr)                   \
  do {                                              \
    ::absl::Status xai_status_ = (expr);            \
    if (!xai_status_.ok()) return xai_status_;      \
  } while (0)

// `lhs = value of expr (a StatusOr)`, or return its error.
#define XAI_ASSIGN_OR_RETURN(lhs, expr) \
  XAI_ASSIGN_OR_RETURN_IMPL_(XAI_CONCAT_(xai_statusor_, __LINE__), lhs, expr)
#define XAI_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()

#endif  // XAI_BASE_STATUS_H_
