#include "xai/hub/extract.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "xai/hub/fs.h"
#include "xai/hub/interrupt.h"

namespace xai::hub {
namespace {

using ArchivePtr = std::unique_ptr<struct archive, int (*)(struct archive*)>;

const char* KindOf(mode_t type) {
  switch (type) {
    case AE_IFLNK: return "a symbolic link";
    case AE_IFCHR: return "a character device";
    case AE_IFBLK: return "a block device";
    case AE_IFIFO: return "a FIFO";
    case AE_IFSOCK: return "a socket";
    default: return "an unsupported entry type";
  }
}

// Rejects every entry that is not a plain file or directory.
Status CheckEntryType(struct archive_entry* entry, const std::string& name) {
  mode_t type = archive_entry_filetype(entry);
  if (archive_entry_hardlink(entry) != nullptr) {
    return absl::InvalidArgumentError("entry '" + name + "' is a hard link to '" +
                                      archive_entry_hardlink(entry) + "'; only files and directories are allowed");
  }
  if (type == AE_IFREG || type == AE_IFDIR) return absl::OkStatus();
  std::string text = "entry '" + name + "' is " + KindOf(type);
  if (type == AE_IFLNK && archive_entry_symlink(entry) != nullptr) {
    text += std::string(" to '") + archive_entry_symlink(entry) + "'";
  }
  return absl::InvalidArgumentError(text + "; only files and directories are allowed");
}

class Extractor {
 public:
  Extractor(std::string dest, uint64_t max_bytes) : dest_(std::move(dest)), max_bytes_(max_bytes) {}
  Status Run(struct archive* in);

 private:
  Status Entry(struct archive* in, struct archive_entry* entry);
  Status WriteFile(struct archive* in, const std::string& path, const std::string& name);
  std::string dest_;
  uint64_t max_bytes_;
  uint64_t total_ = 0;
  int files_ = 0;
};

Status Extractor::Run(struct archive* in) {
  while (true) {
    XAI_RETURN_IF_ERROR(CheckNotInterrupted());
    struct archive_entry* entry = nullptr;
    int rc = archive_read_next_header(in, &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) {
      return absl::InvalidArgumentError(std::string("cannot read the archive (") + archive_error_string(in) + ")");
    }
    XAI_RETURN_IF_ERROR(Entry(in, entry));
  }
  if (files_ == 0) return absl::InvalidArgumentError("the archive contains no files");
  return absl::OkStatus();
}

Status Extractor::Entry(struct archive* in, struct archive_entry* entry) {
  const char* raw = archive_entry_pathname(entry);
  std::string name = raw == nullptr ? "" : raw;
  XAI_ASSIGN_OR_RETURN(std::string rel, SafeRelativePath(name));
  XAI_RETURN_IF_ERROR(CheckEntryType(entry, name));
  std::string path = rel.empty() ? dest_ : dest_ + "/" + rel;
  if (archive_entry_filetype(entry) == AE_IFDIR) return MakeDirs(path);
  if (rel.empty()) return absl::InvalidArgumentError("entry '" + name + "' is a file at the archive root");
  XAI_RETURN_IF_ERROR(MakeDirs(path.substr(0, path.rfind('/'))));
  return WriteFile(in, path, name);
}

Status Extractor::WriteFile(struct archive* in, const std::string& path, const std::string& name) {
  if (IsDirectory(path)) return absl::InvalidArgumentError("entry '" + name + "' replaces a directory");
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) return absl::PermissionDeniedError("cannot create '" + path + "': " + ErrnoText());
  ++files_;
  Status status;
  const void* buf = nullptr;
  size_t size = 0;
  la_int64_t offset = 0;
  int rc;
  while ((rc = archive_read_data_block(in, &buf, &size, &offset)) == ARCHIVE_OK) {
    total_ += size;
    if (total_ > max_bytes_) {
      status = absl::InvalidArgumentError("extracted contents exceed the limit of " + std::to_string(max_bytes_) +
                                          " bytes (at entry '" + name + "')");
      break;
    }
    if (::pwrite(fd, buf, size, offset) != static_cast<ssize_t>(size)) {
      status = absl::InternalError("cannot write '" + path + "': " + ErrnoText());
      break;
    }
  }
  if (status.ok() && rc != ARCHIVE_EOF && rc != ARCHIVE_OK) {
    status = absl::InvalidArgumentError("cannot read entry '" + name + "': " + archive_error_string(in));
  }
  // Sparse files end in a hole: the size comes from the header.
  if (status.ok() && ::ftruncate(fd, ::lseek(fd, 0, SEEK_END)) != 0) status = absl::InternalError("truncate");
  ::close(fd);
  return status;
}

}  // namespace

StatusOr<std::string> SafeRelativePath(const std::string& name) {
  if (name.empty()) return absl::InvalidArgumentError("an entry has an empty name");
  if (name[0] == '/') return absl::InvalidArgumentError("entry '" + name + "' has an absolute path");
  std::vector<std::string> parts;
  for (absl::string_view part : absl::StrSplit(name, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") return absl::InvalidArgumentError("entry '" + name + "' contains '..'");
    parts.emplace_back(part);
  }
  return absl::StrJoin(parts, "/");
}

Status ExtractModelArchive(const std::string& archive_path, const std::string& dest, uint64_t max_bytes,
                           const std::string& label) {
  ArchivePtr in(archive_read_new(), archive_read_free);
  archive_read_support_filter_gzip(in.get());
  archive_read_support_filter_bzip2(in.get());
  archive_read_support_filter_xz(in.get());
  archive_read_support_format_tar(in.get());
  archive_read_support_format_gnutar(in.get());
  std::string prefix = "'" + label + "' does not appear to be a valid module: ";
  if (archive_read_open_filename(in.get(), archive_path.c_str(), 1 << 16) != ARCHIVE_OK) {
    std::string why = archive_error_string(in.get());
    bool foreign = why.find("Unrecognized archive format") != std::string::npos;
    return absl::InvalidArgumentError(prefix + (foreign ? "not a tar archive (" : "cannot read the archive (") + why +
                                      ")");
  }
  Status status = Extractor(dest, max_bytes).Run(in.get());
  if (!status.ok()) return Status(status.code(), prefix + std::string(status.message()));
  return absl::OkStatus();
}

}  // namespace xai::hub
