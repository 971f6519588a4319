// Model handles -> local directories, sharing tensorflow_hub's cache.
// A handle is a local path, a file:// URL, or an http(s):// URL of a tar
// archive (gzip/bzip2/xz compressed or not). Thread-compatible; processes
// (xai's and tensorflow_hub's) coordinate through the cache's lock files.
#ifndef XAI_HUB_RESOLVER_H_
#define XAI_HUB_RESOLVER_H_

#include <string>

#include "xai/base/status.h"
#include "xai/hub/options.h"

namespace xai::hub {

enum class HandleKind { kPath, kFileUrl, kHttp, kUnsupported };
HandleKind ClassifyHandle(const std::string& handle);

// The local directory for `handle`:
//  - a path: returned unchanged, not checked (loading reports a missing model);
//  - file://[localhost]/abs/path: the path, %XX escapes decoded;
//  - http(s)://: <cache>/<sha1(handle)>, downloaded and extracted first unless
//    already cached (tensorflow_hub's protocol: lock, staging directory,
//    descriptor, rename into place; see layout.h). Nothing is left in the
//    cache when the download or the extraction fails.
// Errors name the handle: InvalidArgument for an unsupported scheme, a bad
// archive or a --sha256 mismatch; NotFound for HTTP 404; Unavailable when
// transient failures outlast the retries; FailedPrecondition when --sha256 is
// asked of an entry whose archive digest xai never saw.
StatusOr<std::string> ResolveHandle(const std::string& handle, const HubOptions& options);

// The URL actually fetched for an http(s) handle: tensorflow_hub's
// "tf-hub-format=compressed" query parameter added (servers that serve plain
// files ignore it), and hub.tensorflow.google.cn handles rewritten to their
// GCS mirror as tensorflow_hub does.
std::string DownloadUrl(const std::string& handle);

// The path of a file:// URL; InvalidArgument for a remote host.
StatusOr<std::string> FileUrlPath(const std::string& url);

}  // namespace xai::hub

#endif  // XAI_HUB_RESOLVER_H_
