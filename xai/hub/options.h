// Settings of handle resolution. Every field has a default that suits the
// command line; FromEnvironment() applies tensorflow_hub's variables.
#ifndef XAI_HUB_OPTIONS_H_
#define XAI_HUB_OPTIONS_H_

#include <cstdint>
#include <functional>
#include <string>

namespace xai::hub {

struct HubOptions {
  // Cache root; "" = $TFHUB_CACHE_DIR, else <tmp>/tfhub_modules (layout.h).
  std::string cache_dir;
  // Expected SHA-256 (hex) of the downloaded archive; "" = no check. A cached
  // entry is checked against the digest xai recorded when it downloaded it;
  // an entry another tool downloaded has no record and fails the check.
  std::string sha256;
  // Upper bound on the archive's size and, separately, on the total size of
  // the files it extracts to (guards against decompression bombs).
  uint64_t max_bytes = 64ull << 30;
  // HTTP attempts per download; transient failures (connection lost, 408,
  // 429, 5xx, timeouts) are retried, resuming with a Range request.
  int max_attempts = 6;
  // First wait between attempts; doubles each time, capped at 10 s. A
  // Retry-After header (seconds, at most 60) lengthens it.
  double initial_backoff_s = 0.5;
  // A lock whose staging directory and contents have not changed for this
  // long is taken over (tensorflow_hub: 600 s). A lock left by a dead process
  // on this host is taken over at once.
  double lock_timeout_s = 600;
  // Connection set-up bound, and the time a transfer may stall (< 1 byte/s)
  // before the attempt counts as a transient failure.
  long connect_timeout_s = 30;
  long stall_timeout_s = 60;
  // Progress bar on stderr: on a terminal, or when TFHUB_DOWNLOAD_PROGRESS is
  // non-empty (FromEnvironment). False = never.
  bool progress = false;
  // TLS certificate checks; FromEnvironment turns them off only for
  // TFHUB_DISABLE_CERT_VALIDATION=true, as tensorflow_hub does.
  bool verify_tls = true;
  // Where one-line notices go (waiting for a lock, retrying); default stderr.
  std::function<void(const std::string&)> notice;

  static HubOptions FromEnvironment();
};

}  // namespace xai::hub

#endif  // XAI_HUB_OPTIONS_H_
