// Small POSIX file-system helpers for the hub cache. Paths are local paths;
// nothing here follows a symbolic link it did not get as an argument.
#ifndef XAI_HUB_FS_H_
#define XAI_HUB_FS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "xai/base/status.h"

namespace xai::hub {

bool PathExists(const std::string& path);
bool IsDirectory(const std::string& path);

// True iff `path` is a directory with at least one entry (tensorflow_hub's
// definition of "cached").
bool IsNonEmptyDirectory(const std::string& path);

// `mkdir -p`; OK if the directory already exists.
Status MakeDirs(const std::string& path);

// Removes a file, or a directory tree without following symbolic links.
// OK when `path` does not exist.
Status RemoveRecursively(const std::string& path);

// Sum of the sizes of the regular files under `path` (0 if it is missing).
uint64_t TreeSize(const std::string& path);

// Names (not paths) in directory `path`; NotFound if it cannot be opened.
StatusOr<std::vector<std::string>> ListDirectory(const std::string& path);

// Whole content of a small file; NotFound if absent.
StatusOr<std::string> ReadSmallFile(const std::string& path);

// Creates `path` holding `contents` only if nothing is there yet, atomically:
// readers see no file or the whole contents. AlreadyExists if `path` exists.
// `tmp_suffix` names the temporary sibling (tensorflow_hub uses
// ".tmp<uuid hex>").
Status CreateFileNoReplace(const std::string& path, const std::string& contents,
                           const std::string& tmp_suffix);

// Seconds since `path` was last modified; -1 if it does not exist.
double AgeSeconds(const std::string& path);

// Seconds since anything under `path` (itself included) was last modified;
// -1 if it does not exist.
double TreeAgeSeconds(const std::string& path);

// `path` made absolute against the working directory (no symlink resolution).
std::string AbsolutePath(const std::string& path);

// A human-readable "strerror(errno)" for the last failed call.
std::string ErrnoText();

}  // namespace xai::hub

#endif  // XAI_HUB_FS_H_
