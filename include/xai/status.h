// The public API's error currency: Status (a code and a message) and
// StatusOr<T> (a value or a non-OK Status). No exceptions cross the API.
// Codes have the numbers of absl::StatusCode / google.rpc.Code. A Status is a
// value type: thread-compatible (const use from many threads is safe).
#ifndef XAI_STATUS_H_
#define XAI_STATUS_H_

#include <optional>
#include <string>
#include <utility>

#include "xai/export.h"

namespace xai::api {

enum class StatusCode : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,     // the request is wrong: fix it (HTTP 400, exit 2)
  kDeadlineExceeded = 4,
  kNotFound = 5,            // no such model, signature, file (HTTP 404, exit 2)
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,   // over a limit (HTTP 429 / 413)
  kFailedPrecondition = 9,  // the model can't do it, e.g. no gradient (HTTP 400)
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,        // transient: retry (HTTP 503)
  kDataLoss = 15,
  kUnauthenticated = 16,
};

// "INVALID_ARGUMENT", ... (google.rpc.Code names).
XAI_EXPORT const char* StatusCodeName(StatusCode code);

class XAI_EXPORT Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message)
      : code_(code), message_(code == StatusCode::kOk ? std::string() : std::move(message)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "OK" or "INVALID_ARGUMENT: message".
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

[[noreturn]] XAI_EXPORT void DieOnValueOfError(const Status& status);

// A T or the reason there is none. value() on an error is a programming
// error (it aborts); check ok() first.
template <typename T>
class StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT: implicit like absl::StatusOr
  StatusOr(Status status) : status_(std::move(status)) {  // NOLINT
    if (status_.ok()) status_ = Status(StatusCode::kInternal, "StatusOr made from an OK Status without a value");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *Checked(); }
  const T& value() const& { return *Checked(); }
  T&& value() && { return std::move(*Checked()); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::optional<T>& Checked() { if (!value_) Die(); return value_; }
  const std::optional<T>& Checked() const { if (!value_) Die(); return value_; }
  [[noreturn]] void Die() const { DieOnValueOfError(status_); }

  Status status_;
  std::optional<T> value_;
};

}  // namespace xai::api

#endif  // XAI_STATUS_H_
