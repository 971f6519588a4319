// TFRecord files of tf.Example, read and written through TensorFlow's own
// record reader/writer and Example proto (in tfrecord.cc only; this header
// exposes xai types). CRCs are always checked.
#ifndef XAI_DATA_TFRECORD_H_
#define XAI_DATA_TFRECORD_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "xai/base/status.h"
#include "xai/data/example.h"

namespace xai::data {

// Expands a data location: a comma-separated list of paths or glob patterns
// (`*`, `?`, `[...]`), each expanded and sorted, duplicates dropped. NotFound
// names the pattern that matched no file; InvalidArgument for an empty location.
StatusOr<std::vector<std::string>> ExpandDataLocation(const std::string& location);

// Reads records from a list of files in order. GZIP files are recognised by
// their magic bytes (any name); others are read as uncompressed TFRecords.
// Memory stays bounded: one record and a fixed read buffer at a time.
// Not thread-safe; use from one thread.
class RecordStream {
 public:
  virtual ~RecordStream() = default;

  // InvalidArgument when `files` is empty; NotFound for a missing file.
  static StatusOr<std::unique_ptr<RecordStream>> Open(std::vector<std::string> files);

  // The next record into `*record` (and where it came from into `*origin`).
  // Returns false at the end of the last file. DataLoss names the file and the
  // byte offset of a corrupt or truncated record (CRC mismatch, bad length).
  virtual StatusOr<bool> Next(std::string* record, RecordOrigin* origin) = 0;

  // Total size in bytes of all files on disk, and bytes consumed so far
  // (compressed bytes for GZIP files; for progress reporting).
  virtual int64_t total_bytes() const = 0;
  virtual int64_t bytes_read() const = 0;

 protected:
  RecordStream() = default;
};

// Parses a serialized tf.Example. DataLoss names `origin` when the bytes are not
// an Example.
StatusOr<Example> ParseExample(const std::string& serialized, const RecordOrigin& origin);

// Serializes an Example (features sorted by name) — for tests and generators.
std::string SerializeExample(const Example& example);

// Writes `records` as a TFRecord file (GZIP-compressed when `gzip`): to a
// temporary file next to `path`, renamed into place when complete.
Status WriteTFRecordFile(const std::string& path, const std::vector<std::string>& records,
                         bool gzip = false);

}  // namespace xai::data

#endif  // XAI_DATA_TFRECORD_H_
