#include "xai/hub/resolver.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <regex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "xai/base/file_util.h"
#include "xai/hub/download.h"
#include "xai/hub/extract.h"
#include "xai/hub/fs.h"
#include "xai/hub/hash.h"
#include "xai/hub/interrupt.h"
#include "xai/hub/layout.h"
#include "xai/hub/lock.h"
#include "xai/hub/progress.h"

namespace xai::hub {
namespace {

constexpr char kChinaHub[] = "https://hub.tensorflow.google.cn/";
constexpr char kChinaGcs[] = "https://gcs.tensorflow.google.cn/tfhub-modules/";

// A digest requested with --sha256 against what xai recorded at download.
Status CheckRecordedDigest(const EntryPaths& e, const HubOptions& o, const std::string& handle) {
  if (o.sha256.empty()) return absl::OkStatus();
  StatusOr<std::string> recorded = ReadSmallFile(e.sha256);
  if (!recorded.ok()) {
    return absl::FailedPreconditionError("'" + handle + "' is cached in " + e.dir +
                                         " without a record of its archive's SHA-256 (downloaded by another tool); "
                                         "run `xai hub rm " + handle + "` and resolve it again to check --sha256");
  }
  std::string got(absl::StripAsciiWhitespace(*recorded));
  if (got != absl::AsciiStrToLower(o.sha256)) {
    return absl::InvalidArgumentError("'" + handle + "' is cached from an archive with SHA-256 " + got +
                                      ", expected " + absl::AsciiStrToLower(o.sha256));
  }
  return absl::OkStatus();
}

// Staging directories of this entry whose owners are dead or idle. A live
// owner that lost its lock keeps its directory: its download still completes.
void RemoveAbandonedStaging(const EntryPaths& e, const std::string& my_uid, double idle_s) {
  StatusOr<std::vector<std::string>> names = ListDirectory(e.root);
  if (!names.ok()) return;
  const std::string prefix = e.name + ".";
  for (const std::string& name : *names) {
    if (name.size() != prefix.size() + 32 + 4 || name.rfind(prefix, 0) != 0 || !absl::EndsWith(name, ".tmp")) continue;
    std::string uid = name.substr(prefix.size(), 32);
    std::string path = e.root + "/" + name;
    if (IsHex(uid, 32) && uid != my_uid && StagingAbandoned(path, idle_s)) (void)RemoveRecursively(path);
  }
}

Status Publish(const std::string& model, const EntryPaths& e) {
  if (std::rename(model.c_str(), e.dir.c_str()) == 0) return absl::OkStatus();
  if ((errno == ENOTEMPTY || errno == EEXIST) && IsNonEmptyDirectory(e.dir)) return absl::OkStatus();
  return absl::InternalError("cannot move '" + model + "' to '" + e.dir + "': " + ErrnoText());
}

// Download -> check -> extract -> describe -> publish, all inside `staging`.
Status DownloadInto(const std::string& handle, const EntryPaths& e, const std::string& staging, const HubOptions& o,
                    const std::string& uid) {
  XAI_RETURN_IF_ERROR(MakeDirs(staging));
  XAI_RETURN_IF_ERROR(WriteFileAtomically(StagingOwnerFile(staging), LockContents(uid)));
  const std::string archive = staging + "/archive.download", model = staging + "/model";
  Progress progress(handle, o.progress);
  XAI_RETURN_IF_ERROR(DownloadFile(DownloadUrl(handle), handle, archive, o, progress));
  uint64_t size = TreeSize(archive);
  XAI_ASSIGN_OR_RETURN(std::string digest, FileSha256Hex(archive));
  if (!o.sha256.empty() && digest != absl::AsciiStrToLower(o.sha256)) {
    return absl::InvalidArgumentError("'" + handle + "': the archive's SHA-256 is " + digest + ", expected " +
                                      absl::AsciiStrToLower(o.sha256));
  }
  XAI_RETURN_IF_ERROR(MakeDirs(model));
  XAI_RETURN_IF_ERROR(ExtractModelArchive(archive, model, o.max_bytes, handle));
  progress.Finish(size);
  (void)RemoveRecursively(archive);
  XAI_RETURN_IF_ERROR(WriteFileAtomically(e.descriptor, DescriptorText(handle)));
  XAI_RETURN_IF_ERROR(WriteFileAtomically(e.sha256, digest + "\n"));
  return Publish(model, e);
}

StatusOr<std::string> ResolveHttp(const std::string& handle, const HubOptions& o) {
  const char* format = std::getenv("TFHUB_MODEL_LOAD_FORMAT");
  if (format != nullptr && std::string(format) == "UNCOMPRESSED") {
    return absl::InvalidArgumentError("cannot resolve '" + handle +
                                      "': TFHUB_MODEL_LOAD_FORMAT=UNCOMPRESSED (reading from gs://) is not "
                                      "supported; unset it or set COMPRESSED");
  }
  EntryPaths e = EntryFor(CacheRoot(o.cache_dir), handle);
  if (IsNonEmptyDirectory(e.dir)) {
    XAI_RETURN_IF_ERROR(CheckRecordedDigest(e, o, handle));
    return e.dir;
  }
  XAI_RETURN_IF_ERROR(MakeDirs(e.root));
  InterruptGuard guard;  // outlives the lock: cleanup runs before a re-raised signal
  XAI_ASSIGN_OR_RETURN(std::unique_ptr<EntryLock> lock, EntryLock::Acquire(e, o));
  if (lock == nullptr || IsNonEmptyDirectory(e.dir)) {
    XAI_RETURN_IF_ERROR(CheckRecordedDigest(e, o, handle));
    return e.dir;
  }
  XAI_RETURN_IF_ERROR(RemoveRecursively(e.dir));  // an empty leftover
  RemoveAbandonedStaging(e, lock->uid(), o.lock_timeout_s);
  const std::string staging = e.Staging(lock->uid());
  Status status = DownloadInto(handle, e, staging, o, lock->uid());
  (void)RemoveRecursively(staging);
  if (!status.ok()) return status;
  return e.dir;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = absl::ascii_tolower(c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

std::string PercentDecode(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 && HexValue(text[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

HandleKind ClassifyHandle(const std::string& handle) {
  static const std::regex kScheme("^[A-Za-z][A-Za-z0-9+.-]*://");
  if (absl::StartsWith(handle, "http://") || absl::StartsWith(handle, "https://")) return HandleKind::kHttp;
  if (absl::StartsWith(handle, "file://")) return HandleKind::kFileUrl;
  if (std::regex_search(handle, kScheme)) return HandleKind::kUnsupported;
  return HandleKind::kPath;
}

std::string DownloadUrl(const std::string& handle) {
  if (absl::StartsWith(handle, kChinaHub)) {
    return std::string(kChinaGcs) + handle.substr(sizeof(kChinaHub) - 1) + ".tar.gz";
  }
  size_t hash = handle.find('#');
  std::string base = handle.substr(0, hash);
  base += base.find('?') == std::string::npos ? "?" : "&";
  return base + "tf-hub-format=compressed";
}

StatusOr<std::string> FileUrlPath(const std::string& url) {
  std::string rest = url.substr(std::string("file://").size());
  if (absl::StartsWith(rest, "localhost/")) rest = rest.substr(std::string("localhost").size());
  if (rest.empty() || rest[0] != '/') {
    return absl::InvalidArgumentError("unsupported file URL '" + url +
                                      "': expected file:///absolute/path (no remote host)");
  }
  return PercentDecode(rest);
}

StatusOr<std::string> ResolveHandle(const std::string& handle, const HubOptions& options) {
  switch (ClassifyHandle(handle)) {
    case HandleKind::kPath:
      return handle;
    case HandleKind::kFileUrl:
      return FileUrlPath(handle);
    case HandleKind::kHttp:
      return ResolveHttp(handle, options);
    case HandleKind::kUnsupported:
      break;
  }
  return absl::InvalidArgumentError("unsupported handle '" + handle +
                                    "': expected a local path, a file:// URL or an http(s):// URL of a tar.gz archive");
}

HubOptions HubOptions::FromEnvironment() {
  HubOptions o;
  const char* progress = std::getenv("TFHUB_DOWNLOAD_PROGRESS");
  o.progress = ::isatty(2) || (progress != nullptr && *progress != '\0');
  const char* no_tls = std::getenv("TFHUB_DISABLE_CERT_VALIDATION");
  o.verify_tls = !(no_tls != nullptr && std::string(no_tls) == "true");
  o.notice = [](const std::string& text) { std::fprintf(stderr, "xai: %s\n", text.c_str()); };
  return o;
}

}  // namespace xai::hub
