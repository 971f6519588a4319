// The one place that maps a Status to what a face reports: the process exit
// code (CLI) and the HTTP status (server). Codes by what the caller should
// do next (../shared/GUIDE.md §3.2).
#ifndef XAI_REST_STATUS_MAP_H_
#define XAI_REST_STATUS_MAP_H_

#include "xai/base/status.h"

namespace xai {

// 0 for OK, else 2 (bad input, missing model, unusable request). Exit code
// 1 is for checks that ran and failed, which commands report themselves.
int ExitCodeFor(const Status& status);

// TF Serving's mapping (OK 200, InvalidArgument/FailedPrecondition/
// OutOfRange 400, NotFound 404, ...), plus 413 for a body over the size
// limit (ResourceExhausted) and 503 for Unavailable.
int HttpStatusFor(const Status& status);

}  // namespace xai

#endif  // XAI_REST_STATUS_MAP_H_
