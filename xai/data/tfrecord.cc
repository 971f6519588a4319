// The one data/ translation unit that includes TensorFlow headers (the record
// reader/writer and the Example proto); everything else in data/ is TF-free.
#include "xai/data/tfrecord.h"

#include <glob.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tensorflow/core/example/example.pb.h"
#include "tensorflow/core/lib/io/record_reader.h"
#include "tensorflow/core/lib/io/record_writer.h"
#include "tensorflow/core/platform/env.h"

namespace xai::data {
namespace {

bool HasGlobChars(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

StatusOr<std::vector<std::string>> ExpandOne(const std::string& pattern) {
  if (!HasGlobChars(pattern)) {
    struct stat st;
    if (stat(pattern.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      return absl::NotFoundError(absl::StrCat("data file '", pattern, "' does not exist"));
    }
    return std::vector<std::string>{pattern};
  }
  glob_t g;
  int rc = glob(pattern.c_str(), 0, nullptr, &g);
  std::vector<std::string> out;
  if (rc == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  }
  globfree(&g);
  if (out.empty()) {
    return absl::NotFoundError(absl::StrCat("data location pattern '", pattern, "' matches no file"));
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool IsGzip(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char magic[2] = {0, 0};
  in.read(reinterpret_cast<char*>(magic), 2);
  return in.gcount() == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

int64_t FileSize(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
}

class TFRecordStream : public RecordStream {
 public:
  explicit TFRecordStream(std::vector<std::string> files) : files_(std::move(files)) {
    for (const std::string& f : files_) total_bytes_ += FileSize(f);
  }

  StatusOr<bool> Next(std::string* record, RecordOrigin* origin) override {
    while (true) {
      if (reader_ == nullptr) {
        if (next_file_ >= files_.size()) return false;
        XAI_RETURN_IF_ERROR(OpenFile(next_file_++));
      }
      tensorflow::tstring value;
      uint64_t start = offset_;
      Status s = reader_->ReadRecord(&offset_, &value);
      if (s.ok()) {
        record->assign(value.data(), value.size());
        origin->file = current_;
        origin->index = index_++;
        return true;
      }
      if (!absl::IsOutOfRange(s)) return CorruptError(start, s);
      done_bytes_ += FileSize(current_);
      reader_.reset();
      file_.reset();
    }
  }

  int64_t total_bytes() const override { return total_bytes_; }
  int64_t bytes_read() const override {
    // Uncompressed offsets overshoot GZIP file sizes; clamp to the file.
    int64_t in_file = reader_ ? std::min<int64_t>(offset_, FileSize(current_)) : 0;
    return done_bytes_ + in_file;
  }

 private:
  Status OpenFile(size_t i) {
    current_ = files_[i];
    Status s = tensorflow::Env::Default()->NewRandomAccessFile(current_, &file_);
    if (!s.ok()) return absl::NotFoundError(absl::StrCat("cannot open data file '", current_, "': ", s.message()));
    gzip_ = IsGzip(current_);
    tensorflow::io::RecordReaderOptions options =
        tensorflow::io::RecordReaderOptions::CreateRecordReaderOptions(gzip_ ? "GZIP" : "");
    options.buffer_size = 256 << 10;
    if (gzip_) options.zlib_options.input_buffer_size = 256 << 10;
    reader_ = std::make_unique<tensorflow::io::RecordReader>(file_.get(), options);
    offset_ = 0;
    index_ = 0;
    return absl::OkStatus();
  }

  Status CorruptError(uint64_t start, const Status& s) {
    return absl::DataLossError(absl::StrCat(
        "corrupt record ", index_, " at ", gzip_ ? "uncompressed " : "", "byte offset ", start, " of ", current_,
        " (", s.message(), ")"));
  }

  std::vector<std::string> files_;
  size_t next_file_ = 0;
  std::string current_;
  bool gzip_ = false;
  std::unique_ptr<tensorflow::RandomAccessFile> file_;
  std::unique_ptr<tensorflow::io::RecordReader> reader_;
  uint64_t offset_ = 0;
  int64_t index_ = 0;
  int64_t total_bytes_ = 0;
  int64_t done_bytes_ = 0;
};

Feature ToFeature(const tensorflow::Feature& f) {
  Feature out;
  switch (f.kind_case()) {
    case tensorflow::Feature::kBytesList:
      out.kind = Feature::Kind::kBytes;
      out.bytes_list.assign(f.bytes_list().value().begin(), f.bytes_list().value().end());
      break;
    case tensorflow::Feature::kFloatList:
      out.kind = Feature::Kind::kFloat;
      out.float_list.assign(f.float_list().value().begin(), f.float_list().value().end());
      break;
    case tensorflow::Feature::kInt64List:
      out.kind = Feature::Kind::kInt64;
      out.int64_list.assign(f.int64_list().value().begin(), f.int64_list().value().end());
      break;
    default:
      break;
  }
  return out;
}

}  // namespace

StatusOr<std::vector<std::string>> ExpandDataLocation(const std::string& location) {
  std::vector<std::string> files;
  std::set<std::string> seen;
  for (absl::string_view part : absl::StrSplit(location, ',')) {
    std::string pattern(absl::StripAsciiWhitespace(part));
    if (pattern.empty()) continue;
    XAI_ASSIGN_OR_RETURN(std::vector<std::string> matched, ExpandOne(pattern));
    for (std::string& m : matched) {
      if (seen.insert(m).second) files.push_back(std::move(m));
    }
  }
  if (files.empty()) return absl::InvalidArgumentError("--data_location is empty");
  return files;
}

StatusOr<std::unique_ptr<RecordStream>> RecordStream::Open(std::vector<std::string> files) {
  if (files.empty()) return absl::InvalidArgumentError("no data files to read");
  for (const std::string& f : files) {
    std::ifstream probe(f, std::ios::binary);
    if (!probe) return absl::NotFoundError(absl::StrCat("cannot open data file '", f, "'"));
  }
  return std::unique_ptr<RecordStream>(new TFRecordStream(std::move(files)));
}

StatusOr<Example> ParseExample(const std::string& serialized, const RecordOrigin& origin) {
  tensorflow::Example proto;
  if (!proto.ParseFromString(serialized)) {
    return absl::DataLossError(absl::StrCat("record ", origin.index, " of ", origin.file,
                                            " is not a serialized tf.Example"));
  }
  Example out;
  out.features.reserve(proto.features().feature().size());
  for (const auto& [name, feature] : proto.features().feature()) {
    out.features.emplace_back(name, ToFeature(feature));
  }
  std::sort(out.features.begin(), out.features.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

std::string SerializeExample(const Example& example) {
  tensorflow::Example proto;
  auto* map = proto.mutable_features()->mutable_feature();
  for (const auto& [name, f] : example.features) {
    tensorflow::Feature& out = (*map)[name];
    if (f.kind == Feature::Kind::kBytes) {
      for (const auto& v : f.bytes_list) out.mutable_bytes_list()->add_value(v);
    } else if (f.kind == Feature::Kind::kFloat) {
      for (float v : f.float_list) out.mutable_float_list()->add_value(v);
    } else if (f.kind == Feature::Kind::kInt64) {
      for (int64_t v : f.int64_list) out.mutable_int64_list()->add_value(v);
    }
  }
  std::string bytes;
  proto.SerializeToString(&bytes);
  return bytes;
}

Status WriteTFRecordFile(const std::string& path, const std::vector<std::string>& records, bool gzip) {
  std::string tmp = path + ".tmp";
  {
    std::unique_ptr<tensorflow::WritableFile> file;
    Status s = tensorflow::Env::Default()->NewWritableFile(tmp, &file);
    if (!s.ok()) return absl::InternalError(absl::StrCat("cannot write ", tmp, ": ", s.message()));
    tensorflow::io::RecordWriter writer(
        file.get(), tensorflow::io::RecordWriterOptions::CreateRecordWriterOptions(gzip ? "GZIP" : ""));
    for (const std::string& r : records) XAI_RETURN_IF_ERROR(writer.WriteRecord(r));
    XAI_RETURN_IF_ERROR(writer.Close());
    XAI_RETURN_IF_ERROR(file->Close());
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("cannot rename ", tmp, " to ", path));
  }
  return absl::OkStatus();
}

}  // namespace xai::data
