// SHA-1 (cache entry names) and SHA-256 (archive checks), from GNU Nettle.
#ifndef XAI_HUB_HASH_H_
#define XAI_HUB_HASH_H_

#include <memory>
#include <string>

#include "xai/base/status.h"

namespace xai::hub {

// Lowercase hex SHA-1 of `data` (tensorflow_hub names cache entries so).
std::string Sha1Hex(const std::string& data);

// Lowercase hex SHA-256 of the file at `path`; NotFound if unreadable.
StatusOr<std::string> FileSha256Hex(const std::string& path);

// True iff `text` is exactly `digits` lowercase-or-uppercase hex digits.
bool IsHex(const std::string& text, size_t digits);

}  // namespace xai::hub

#endif  // XAI_HUB_HASH_H_
