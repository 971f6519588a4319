// absl::Status (inside the library) ⇄ api::Status (the public API).
#ifndef XAI_API_CONVERT_H_
#define XAI_API_CONVERT_H_

#include "xai/base/status.h"
#include "xai/model.h"
#include "xai/model/model.h"
#include "xai/status.h"

namespace xai {

inline api::Status ToApi(const Status& s) {
  return api::Status(static_cast<api::StatusCode>(s.code()), std::string(s.message()));
}
inline Status FromApi(const api::Status& s) {
  return Status(static_cast<absl::StatusCode>(s.code()), s.message());
}
inline api::LoadOptions ToApi(const LoadOptions& o) {
  api::LoadOptions out;
  out.tag_set = o.tag_set;
  out.intra_op_threads = o.intra_op_threads;
  out.inter_op_threads = o.inter_op_threads;
  return out;
}
inline LoadOptions FromApi(const api::LoadOptions& o) {
  LoadOptions out;
  out.tag_set = o.tag_set;
  out.intra_op_threads = o.intra_op_threads;
  out.inter_op_threads = o.inter_op_threads;
  return out;
}

template <typename T>
api::StatusOr<T> ToApi(StatusOr<T> s) {
  if (!s.ok()) return ToApi(s.status());
  return std::move(s).value();
}

}  // namespace xai

#endif  // XAI_API_CONVERT_H_
