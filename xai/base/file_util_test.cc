#include "xai/base/file_util.h"

#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

namespace xai {
namespace {

TEST(FileUtil, AtomicWriteThenRead) {
  std::string dir = ::testing::TempDir();
  std::string path = dir + "/xai_file_util_test.txt";
  ASSERT_TRUE(WriteFileAtomically(path, "first").ok());
  ASSERT_TRUE(WriteFileAtomically(path, "second").ok());
  auto text = ReadFileOrStdin(path);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "second");
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    EXPECT_EQ(entry.path().string().find("xai_file_util_test.txt.tmp"), std::string::npos);
  }
}

TEST(FileUtil, MissingFileIsNotFound) {
  auto text = ReadFileOrStdin("/nonexistent/xai.json");
  EXPECT_TRUE(absl::IsNotFound(text.status()));
  EXPECT_NE(text.status().message().find("/nonexistent/xai.json"), std::string::npos);
}

TEST(FileUtil, UnwritableDirectoryFails) {
  EXPECT_FALSE(WriteFileAtomically("/nonexistent/dir/out.json", "x").ok());
}

}  // namespace
}  // namespace xai
