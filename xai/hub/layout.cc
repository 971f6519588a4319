#include "xai/hub/layout.h"

#include <signal.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>

#include "xai/hub/fs.h"
#include "xai/hub/hash.h"

namespace xai::hub {
namespace {

bool IsWritableDir(const char* path) {
  return path != nullptr && *path != '\0' && IsDirectory(path) && ::access(path, W_OK | X_OK) == 0;
}

std::string TempDir() {
  for (const char* var : {"TMPDIR", "TEMP", "TMP"}) {
    const char* value = std::getenv(var);
    if (IsWritableDir(value)) return value;
  }
  return "/tmp";
}

}  // namespace

std::string CacheRoot(const std::string& override_dir) {
  if (!override_dir.empty()) return AbsolutePath(override_dir);
  const char* env = std::getenv("TFHUB_CACHE_DIR");
  if (env != nullptr && *env != '\0') return AbsolutePath(env);
  return AbsolutePath(TempDir() + "/tfhub_modules");
}

EntryPaths EntryNamed(const std::string& root, const std::string& name) {
  EntryPaths p;
  p.root = root;
  p.name = name;
  p.dir = root + "/" + name;
  p.lock = p.dir + ".lock";
  p.descriptor = p.dir + ".descriptor.txt";
  p.sha256 = p.dir + ".sha256";
  return p;
}

EntryPaths EntryFor(const std::string& root, const std::string& handle) {
  return EntryNamed(root, Sha1Hex(handle));
}

std::string StagingOwnerFile(const std::string& staging) { return staging + "/xai-owner"; }

bool StagingAbandoned(const std::string& path, double idle_s) {
  StatusOr<std::string> owner = ReadSmallFile(StagingOwnerFile(path));
  if (owner.ok()) {
    LockOwner who = ParseLockContents(*owner);
    if (who.host == HostName()) return OwnerIsDeadHere(who);  // known: alive or dead
  }
  return TreeAgeSeconds(path) >= idle_s;
}

std::string NewTaskUid() {
  unsigned char bytes[16];
  if (::getrandom(bytes, sizeof(bytes), 0) != static_cast<ssize_t>(sizeof(bytes))) {
    std::random_device rd;
    for (unsigned char& b : bytes) b = static_cast<unsigned char>(rd());
  }
  static const char kDigits[] = "0123456789abcdef";
  std::string uid;
  for (unsigned char b : bytes) {
    uid += kDigits[b >> 4];
    uid += kDigits[b & 15];
  }
  return uid;
}

std::string HostName() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof(buf) - 1) != 0) return "localhost";
  return buf;
}

std::string LockContents(const std::string& uid) {
  return HostName() + "." + std::to_string(::getpid()) + "." + uid;
}

LockOwner ParseLockContents(const std::string& contents) {
  LockOwner owner;
  size_t last = contents.rfind('.');
  owner.uid = last == std::string::npos ? contents : contents.substr(last + 1);
  if (last == std::string::npos || last == 0) return owner;
  size_t prev = contents.rfind('.', last - 1);
  if (prev == std::string::npos) return owner;
  std::string pid = contents.substr(prev + 1, last - prev - 1);
  if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos || pid.size() > 9) return owner;
  owner.host = contents.substr(0, prev);
  owner.pid = std::stol(pid);
  return owner;
}

bool OwnerIsDeadHere(const LockOwner& owner) {
  if (owner.pid <= 0 || owner.host != HostName()) return false;
  return ::kill(static_cast<pid_t>(owner.pid), 0) != 0 && errno == ESRCH;
}

std::string DescriptorText(const std::string& handle) {
  struct timeval tv;
  ::gettimeofday(&tv, nullptr);
  struct tm local;
  ::localtime_r(&tv.tv_sec, &local);
  char time_text[64];
  std::strftime(time_text, sizeof(time_text), "%Y-%m-%d %H:%M:%S", &local);
  std::string when = time_text;
  if (tv.tv_usec != 0) {
    char micros[16];
    std::snprintf(micros, sizeof(micros), ".%06ld", static_cast<long>(tv.tv_usec));
    when += micros;
  }
  return "Module: " + handle + "\nDownload Time: " + when + "\nDownloader Hostname: " + HostName() +
         " (PID:" + std::to_string(::getpid()) + ")";
}

std::string DescriptorHandle(const std::string& text) {
  const std::string prefix = "Module: ";
  if (text.rfind(prefix, 0) != 0) return "";
  size_t end = text.find('\n');
  return text.substr(prefix.size(), end == std::string::npos ? std::string::npos : end - prefix.size());
}

std::string ReadableSize(uint64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + "B";
  const char* unit = bytes < (1ull << 20) ? "k" : bytes < (1ull << 30) ? "M" : "G";
  double scale = bytes < (1ull << 20) ? 1024.0 : bytes < (1ull << 30) ? 1048576.0 : 1073741824.0;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.2f%sB", bytes / scale, unit);
  return buf;
}

}  // namespace xai::hub
