// HTTP(S) download of one file with libcurl: retries with exponential
// backoff on transient failures, resuming with Range requests.
#ifndef XAI_HUB_DOWNLOAD_H_
#define XAI_HUB_DOWNLOAD_H_

#include <string>

#include "xai/base/status.h"
#include "xai/hub/options.h"
#include "xai/hub/progress.h"

namespace xai::hub {

// Downloads `url` into `path` (created; partial content is resumed across
// attempts, and restarted if the server ignores Range). `label` names the
// download in messages (the user's handle). Errors: NotFound for 404/410,
// InvalidArgument for other 4xx and for exceeding options.max_bytes,
// Unavailable once transient failures used up options.max_attempts,
// Cancelled on SIGINT/SIGTERM under an InterruptGuard.
Status DownloadFile(const std::string& url, const std::string& label, const std::string& path,
                    const HubOptions& options, Progress& progress);

// True for HTTP statuses worth retrying: 408, 429, 500, 502, 503, 504.
bool IsTransientHttpStatus(long status);

// "bytes 100-199/200" -> 100; -1 if unparsable.
long long ContentRangeStart(const std::string& value);

}  // namespace xai::hub

#endif  // XAI_HUB_DOWNLOAD_H_
