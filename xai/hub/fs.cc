#include "xai/hub/fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>

namespace xai::hub {

std::string ErrnoText() { return std::strerror(errno); }

bool PathExists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool IsNonEmptyDirectory(const std::string& path) {
  StatusOr<std::vector<std::string>> names = ListDirectory(path);
  return names.ok() && !names->empty();
}

Status MakeDirs(const std::string& path) {
  if (path.empty() || IsDirectory(path)) return absl::OkStatus();
  size_t slash = path.find_last_of('/');
  if (slash != std::string::npos && slash > 0) XAI_RETURN_IF_ERROR(MakeDirs(path.substr(0, slash)));
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
    return absl::PermissionDeniedError("cannot create directory '" + path + "': " + ErrnoText());
  }
  return absl::OkStatus();
}

StatusOr<std::vector<std::string>> ListDirectory(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return absl::NotFoundError("cannot list '" + path + "': " + ErrnoText());
  std::vector<std::string> names;
  while (struct dirent* e = ::readdir(dir)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(dir);
  return names;
}

Status RemoveRecursively(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return absl::OkStatus();
  if (S_ISDIR(st.st_mode)) {
    XAI_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDirectory(path));
    for (const std::string& name : names) XAI_RETURN_IF_ERROR(RemoveRecursively(path + "/" + name));
    if (::rmdir(path.c_str()) != 0 && errno != ENOENT) {
      return absl::PermissionDeniedError("cannot remove '" + path + "': " + ErrnoText());
    }
  } else if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return absl::PermissionDeniedError("cannot remove '" + path + "': " + ErrnoText());
  }
  return absl::OkStatus();
}

uint64_t TreeSize(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return 0;
  if (S_ISREG(st.st_mode)) return static_cast<uint64_t>(st.st_size);
  if (!S_ISDIR(st.st_mode)) return 0;
  uint64_t total = 0;
  StatusOr<std::vector<std::string>> names = ListDirectory(path);
  if (!names.ok()) return 0;
  for (const std::string& name : *names) total += TreeSize(path + "/" + name);
  return total;
}

StatusOr<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot read '" + path + "': " + ErrnoText());
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

namespace {

Status WriteNewFile(const std::string& path, const std::string& contents, int extra_flags) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | extra_flags, 0644);
  if (fd < 0) {
    if (errno == EEXIST) return absl::AlreadyExistsError("'" + path + "' exists");
    return absl::PermissionDeniedError("cannot create '" + path + "': " + ErrnoText());
  }
  bool ok = ::write(fd, contents.data(), contents.size()) == static_cast<ssize_t>(contents.size());
  ok = (::close(fd) == 0) && ok;
  if (!ok) {
    ::unlink(path.c_str());
    return absl::InternalError("cannot write '" + path + "'");
  }
  return absl::OkStatus();
}

}  // namespace

// A hard link is the atomic "rename without replacing" of POSIX: the lock
// appears whole or not at all, and EEXIST tells us someone holds it.
Status CreateFileNoReplace(const std::string& path, const std::string& contents,
                           const std::string& tmp_suffix) {
  std::string tmp = path + tmp_suffix;
  XAI_RETURN_IF_ERROR(WriteNewFile(tmp, contents, 0));
  int rc = ::link(tmp.c_str(), path.c_str());
  int err = errno;
  ::unlink(tmp.c_str());
  if (rc == 0) return absl::OkStatus();
  if (err == EEXIST) return absl::AlreadyExistsError("'" + path + "' exists");
  if (err == EPERM || err == ENOTSUP || err == EOPNOTSUPP) {
    return WriteNewFile(path, contents, O_EXCL);  // file systems without hard links
  }
  errno = err;
  return absl::PermissionDeniedError("cannot create '" + path + "': " + ErrnoText());
}

double AgeSeconds(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return -1;
  return std::difftime(std::time(nullptr), st.st_mtime);
}

namespace {
time_t NewestMtime(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return 0;
  time_t newest = st.st_mtime;
  if (!S_ISDIR(st.st_mode)) return newest;
  StatusOr<std::vector<std::string>> names = ListDirectory(path);
  if (!names.ok()) return newest;
  for (const std::string& name : *names) newest = std::max(newest, NewestMtime(path + "/" + name));
  return newest;
}
}  // namespace

double TreeAgeSeconds(const std::string& path) {
  if (!PathExists(path)) return -1;
  return std::difftime(std::time(nullptr), NewestMtime(path));
}

std::string AbsolutePath(const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  char buf[4096];
  if (::getcwd(buf, sizeof(buf)) == nullptr) return path;
  std::string cwd = buf;
  if (path.empty() || path == ".") return cwd;
  return cwd + "/" + (path.rfind("./", 0) == 0 ? path.substr(2) : path);
}

}  // namespace xai::hub
