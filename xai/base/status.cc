#include "xai/base/status.h"

namespace xai {

Status Annotate(const Status& status, const std::string& context) {
  if (status.ok()) return status;
  return Status(status.code(), context + ": " + std::string(status.message()));
}

}  // namespace xai
