#include "xai/hub/download.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "xai/hub/curl_api.h"
#include "xai/hub/fs.h"
#include "xai/hub/interrupt.h"

namespace xai::hub {
namespace {

// State of one HTTP attempt, shared with libcurl's callbacks.
struct Attempt {
  const CurlApi* curl = nullptr;
  CURL* easy = nullptr;
  FILE* file = nullptr;
  uint64_t offset = 0;   // bytes already in the file when the attempt began
  uint64_t written = 0;  // bytes this attempt appended
  uint64_t max_bytes = 0;
  bool decided = false;  // status of the final response seen
  long status = 0;
  bool too_big = false;
  bool bad_range = false;
  std::string content_range, etag, retry_after, error_body;
  Progress* progress = nullptr;
};

std::string HeaderValue(const std::string& line, const char* name) {
  size_t colon = line.find(':');
  if (colon == std::string::npos || !absl::EqualsIgnoreCase(line.substr(0, colon), name)) return "";
  return std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* a = static_cast<Attempt*>(user);
  std::string line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) a->content_range.clear();  // a new response (redirects)
  if (std::string v = HeaderValue(line, "Content-Range"); !v.empty()) a->content_range = v;
  if (std::string v = HeaderValue(line, "ETag"); !v.empty()) a->etag = v;
  if (std::string v = HeaderValue(line, "Retry-After"); !v.empty()) a->retry_after = v;
  return size * n;
}

// Called with the first body bytes: keep (206 from our offset), restart
// (200), or treat as an error body.
bool Decide(Attempt& a) {
  a.decided = true;
  a.curl->easy_getinfo(a.easy, CURLINFO_RESPONSE_CODE, &a.status);
  if (a.status == 206 && ContentRangeStart(a.content_range) != static_cast<long long>(a.offset)) {
    a.bad_range = true;
    return false;
  }
  if (a.status == 200 && a.offset > 0) {
    if (::ftruncate(::fileno(a.file), 0) != 0) return false;
    std::fseek(a.file, 0, SEEK_SET);
    a.offset = 0;
  }
  curl_off_t length = -1;
  a.curl->easy_getinfo(a.easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
  if ((a.status == 200 || a.status == 206) && length > 0 && a.offset + length > a.max_bytes) a.too_big = true;
  return !a.too_big;
}

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* a = static_cast<Attempt*>(user);
  size_t bytes = size * n;
  if (!a->decided && !Decide(*a)) return 0;
  if (a->status != 200 && a->status != 206) {
    if (a->error_body.size() < 200) a->error_body.append(data, std::min<size_t>(bytes, 200));
    return bytes;
  }
  if (a->offset + a->written + bytes > a->max_bytes) {
    a->too_big = true;
    return 0;
  }
  if (std::fwrite(data, 1, bytes, a->file) != bytes) return 0;
  a->written += bytes;
  return bytes;
}

int OnProgress(void* user, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
  auto* a = static_cast<Attempt*>(user);
  if (Interrupted()) return 1;
  if (a->status == 200 || a->status == 206 || !a->decided) {
    a->progress->Update(a->offset + now, total > 0 ? a->offset + total : 0);
  }
  return 0;
}

void SetOptions(Attempt& a, const std::string& url, const HubOptions& o, curl_slist* headers) {
  const CurlApi& c = *a.curl;
  c.easy_setopt(a.easy, CURLOPT_URL, url.c_str());
  c.easy_setopt(a.easy, CURLOPT_FOLLOWLOCATION, 1L);
  c.easy_setopt(a.easy, CURLOPT_MAXREDIRS, 10L);
  c.easy_setopt(a.easy, CURLOPT_PROTOCOLS_STR, "http,https");
  c.easy_setopt(a.easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  c.easy_setopt(a.easy, CURLOPT_NOSIGNAL, 1L);
  c.easy_setopt(a.easy, CURLOPT_USERAGENT, "xai-hub (libcurl)");
  c.easy_setopt(a.easy, CURLOPT_CONNECTTIMEOUT, o.connect_timeout_s);
  c.easy_setopt(a.easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
  c.easy_setopt(a.easy, CURLOPT_LOW_SPEED_TIME, o.stall_timeout_s);
  c.easy_setopt(a.easy, CURLOPT_SSL_VERIFYPEER, o.verify_tls ? 1L : 0L);
  c.easy_setopt(a.easy, CURLOPT_SSL_VERIFYHOST, o.verify_tls ? 2L : 0L);
  c.easy_setopt(a.easy, CURLOPT_HEADERFUNCTION, OnHeader);
  c.easy_setopt(a.easy, CURLOPT_HEADERDATA, &a);
  c.easy_setopt(a.easy, CURLOPT_WRITEFUNCTION, OnBody);
  c.easy_setopt(a.easy, CURLOPT_WRITEDATA, &a);
  c.easy_setopt(a.easy, CURLOPT_NOPROGRESS, 0L);
  c.easy_setopt(a.easy, CURLOPT_XFERINFOFUNCTION, OnProgress);
  c.easy_setopt(a.easy, CURLOPT_XFERINFODATA, &a);
  c.easy_setopt(a.easy, CURLOPT_HTTPHEADER, headers);
}

bool IsTransientCurlError(CURLcode rc) {
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST: case CURLE_COULDNT_CONNECT: case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR: case CURLE_SEND_ERROR: case CURLE_OPERATION_TIMEDOUT:
    case CURLE_GOT_NOTHING: case CURLE_HTTP2: case CURLE_HTTP2_STREAM: case CURLE_SSL_CONNECT_ERROR:
      return true;
    default:
      return false;
  }
}

// The outcome of one attempt: OK, a transient error (retry), or final.
struct Outcome {
  Status status;
  bool retry = false;
  double retry_after_s = 0;
};

Outcome Classify(const Attempt& a, CURLcode rc, const std::string& label, const HubOptions& o) {
  std::string who = "cannot download '" + label + "': ";
  if (Interrupted()) return {absl::CancelledError(who + "interrupted")};
  if (a.too_big) {
    return {absl::InvalidArgumentError(who + "the archive is larger than the limit of " +
                                       std::to_string(o.max_bytes) + " bytes")};
  }
  if (a.bad_range) return {absl::UnavailableError(who + "server answered a resumed request with Content-Range '" +
                                                  a.content_range + "'"), true};
  if (rc != CURLE_OK) {
    std::string text = who + a.curl->easy_strerror(rc);
    if (IsTransientCurlError(rc)) return {absl::UnavailableError(text), true};
    if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL) return {absl::InvalidArgumentError(text)};
    return {absl::UnavailableError(text)};
  }
  long status = a.status;
  if (!a.decided) a.curl->easy_getinfo(a.easy, CURLINFO_RESPONSE_CODE, &status);
  if (status == 200 || status == 206) return {absl::OkStatus()};
  std::string text = who + "server answered HTTP " + std::to_string(status);
  if (status == 404 || status == 410) return {absl::NotFoundError(text)};
  if (status == 416) return {absl::UnavailableError(text), true};
  if (IsTransientHttpStatus(status)) {
    double after = std::atof(a.retry_after.c_str());
    return {absl::UnavailableError(text), true, std::min(after, 60.0)};
  }
  return {absl::InvalidArgumentError(text)};
}

Outcome RunAttempt(const CurlApi* curl, const std::string& url, const std::string& label, FILE* file,
                   const HubOptions& o, Progress& progress, std::string& etag) {
  Attempt a;
  a.curl = curl;
  a.file = file;
  a.max_bytes = o.max_bytes;
  a.progress = &progress;
  std::fseek(file, 0, SEEK_END);
  a.offset = static_cast<uint64_t>(std::ftell(file));
  a.easy = curl->easy_init();
  if (a.easy == nullptr) return {absl::InternalError("curl_easy_init failed")};
  curl_slist* headers = curl->slist_append(nullptr, "Accept-Encoding: identity");
  // Resume by hand (not CURLOPT_RESUME_FROM, which fails on a 200): a 200
  // restarts the file. If-Range: a changed file comes back whole.
  if (a.offset > 0) headers = curl->slist_append(headers, ("Range: bytes=" + std::to_string(a.offset) + "-").c_str());
  if (a.offset > 0 && !etag.empty()) headers = curl->slist_append(headers, ("If-Range: " + etag).c_str());
  SetOptions(a, url, o, headers);
  CURLcode rc = curl->easy_perform(a.easy);
  std::fflush(file);
  Outcome outcome = Classify(a, rc, label, o);
  if (!a.etag.empty()) etag = a.etag;
  if (a.bad_range || (outcome.retry && a.status == 416)) {
    if (::ftruncate(::fileno(file), 0) != 0) outcome = {absl::InternalError("cannot truncate " + url)};
  }
  curl->easy_cleanup(a.easy);
  curl->slist_free_all(headers);
  return outcome;
}

void Backoff(double seconds) {
  auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < until && !Interrupted()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

bool IsTransientHttpStatus(long status) {
  return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

long long ContentRangeStart(const std::string& value) {
  long long start = -1;
  if (std::sscanf(value.c_str(), "bytes %lld-", &start) != 1) return -1;
  return start;
}

Status DownloadFile(const std::string& url, const std::string& label, const std::string& path,
                    const HubOptions& options, Progress& progress) {
  XAI_ASSIGN_OR_RETURN(const CurlApi* curl, Curl());
  FILE* file = std::fopen(path.c_str(), "a+b");
  if (file == nullptr) return absl::PermissionDeniedError("cannot create '" + path + "': " + ErrnoText());
  if (!options.verify_tls && options.notice) options.notice("TLS certificates are not checked (TFHUB_DISABLE_CERT_VALIDATION)");
  std::string etag;
  double wait = options.initial_backoff_s;
  Outcome outcome;
  for (int attempt = 1; attempt <= std::max(1, options.max_attempts); ++attempt) {
    outcome = RunAttempt(curl, url, label, file, options, progress, etag);
    if (!outcome.retry || attempt == options.max_attempts) break;
    double pause = std::max(wait, outcome.retry_after_s);
    progress.Abandon();
    if (options.notice) {
      char text[64];
      std::snprintf(text, sizeof(text), "; retrying in %.2g s (attempt %d of %d)", pause, attempt + 1,
                    options.max_attempts);
      options.notice(std::string(outcome.status.message()) + text);
    }
    Backoff(pause);
    wait = std::min(wait * 2, 10.0);
  }
  std::fclose(file);
  if (outcome.retry) {
    return absl::UnavailableError(std::string(outcome.status.message()) + " (gave up after " +
                                  std::to_string(options.max_attempts) + " attempts)");
  }
  return outcome.status;
}

}  // namespace xai::hub
