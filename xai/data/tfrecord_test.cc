#include "xai/data/tfrecord.h"

#include <cstdio>
#include <fstream>

#include "gtest/gtest.h"

namespace xai::data {
namespace {

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/xai_data_test_" + name;
}

Example MakeExample(float label, int64_t age, const std::string& country) {
  Example e;
  Feature l; l.kind = Feature::Kind::kFloat; l.float_list = {label};
  Feature a; a.kind = Feature::Kind::kInt64; a.int64_list = {age};
  Feature c; c.kind = Feature::Kind::kBytes; c.bytes_list = {country};
  e.features = {{"age", a}, {"country", c}, {"label", l}};
  return e;
}

std::vector<Example> ReadAll(const std::vector<std::string>& files, Status* status) {
  std::vector<Example> out;
  auto stream = RecordStream::Open(files);
  if (!stream.ok()) { *status = stream.status(); return out; }
  std::string record;
  RecordOrigin origin;
  while (true) {
    StatusOr<bool> more = (*stream)->Next(&record, &origin);
    if (!more.ok()) { *status = more.status(); return out; }
    if (!*more) break;
    StatusOr<Example> e = ParseExample(record, origin);
    if (!e.ok()) { *status = e.status(); return out; }
    out.push_back(*e);
  }
  *status = absl::OkStatus();
  return out;
}

TEST(TFRecordTest, RoundTripsPlainAndGzip) {
  for (bool gzip : {false, true}) {
    std::string path = TempPath(gzip ? "rt.tfrecord.gz" : "rt.tfrecord");
    std::vector<std::string> records;
    for (int i = 0; i < 100; ++i) records.push_back(SerializeExample(MakeExample(i % 2, 20 + i, "us")));
    ASSERT_TRUE(WriteTFRecordFile(path, records, gzip).ok());
    Status s;
    std::vector<Example> read = ReadAll({path}, &s);
    ASSERT_TRUE(s.ok()) << s;
    ASSERT_EQ(read.size(), 100u);
    EXPECT_EQ(read[7].Find("age")->int64_list[0], 27);
    EXPECT_EQ(read[7].Find("label")->float_list[0], 1.0f);
    EXPECT_EQ(read[7].Find("country")->bytes_list[0], "us");
    EXPECT_EQ(read[7].Find("missing"), nullptr);
    EXPECT_EQ(read[7].FeatureNames(), "age, country, label");
  }
}

TEST(TFRecordTest, CorruptRecordNamesFileAndOffset) {
  std::string path = TempPath("corrupt.tfrecord");
  std::vector<std::string> records(3, SerializeExample(MakeExample(1, 30, "de")));
  ASSERT_TRUE(WriteTFRecordFile(path, records).ok());
  size_t record_size = 12 + records[0].size() + 4;
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(record_size + 12 + 3);  // a payload byte of record 1
    f.put('\x7f');
  }
  Status s;
  std::vector<Example> read = ReadAll({path}, &s);
  EXPECT_EQ(read.size(), 1u);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("corrupt record 1 at byte offset " + std::to_string(record_size) + " of " + path),
            std::string::npos) << s;
}

TEST(TFRecordTest, TruncatedFileIsDataLoss) {
  std::string path = TempPath("truncated.tfrecord");
  std::vector<std::string> records(2, SerializeExample(MakeExample(0, 40, "fr")));
  ASSERT_TRUE(WriteTFRecordFile(path, records).ok());
  std::string bytes;
  { std::ifstream in(path, std::ios::binary); bytes.assign(std::istreambuf_iterator<char>(in), {}); }
  { std::ofstream out(path, std::ios::binary | std::ios::trunc); out << bytes.substr(0, bytes.size() - 5); }
  Status s;
  ReadAll({path}, &s);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
  EXPECT_NE(s.message().find(path), std::string::npos);
}

TEST(TFRecordTest, ExpandsGlobsAndLists) {
  std::string a = TempPath("glob-00000.tfrecord"), b = TempPath("glob-00001.tfrecord");
  ASSERT_TRUE(WriteTFRecordFile(a, {}).ok());
  ASSERT_TRUE(WriteTFRecordFile(b, {}).ok());
  auto files = ExpandDataLocation(TempPath("glob-*.tfrecord"));
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_EQ(*files, (std::vector<std::string>{a, b}));
  files = ExpandDataLocation(b + " , " + a + "," + b);
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(*files, (std::vector<std::string>{b, a}));
  auto missing = ExpandDataLocation(TempPath("nope-*.tfrecord"));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("nope-*.tfrecord"), std::string::npos);
  EXPECT_EQ(ExpandDataLocation(TempPath("absent.tfrecord")).status().code(), absl::StatusCode::kNotFound);
}

TEST(TFRecordTest, NonExampleRecordIsDataLoss) {
  RecordOrigin origin{"x.tfrecord", 4};
  auto e = ParseExample(std::string("\xff\xff\xff", 3), origin);
  EXPECT_EQ(e.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(e.status().message().find("record 4 of x.tfrecord"), std::string::npos);
}

}  // namespace
}  // namespace xai::data
