#include "xai/base/json_limits.h"

#include <gtest/gtest.h>

#include <string>

namespace xai {
namespace {

std::string Nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(CheckJsonDepth, AtTheLimitPassesOneMoreFails) {
  EXPECT_TRUE(CheckJsonDepth(Nested(64), "body").ok());
  Status s = CheckJsonDepth(Nested(65), "body");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "body nests arrays and objects more than 64 levels deep (the limit)");
  EXPECT_FALSE(CheckJsonDepth(std::string(100000, '['), "body").ok());  // no stack used, no crash
}

TEST(CheckJsonDepth, ObjectsCountAndStringsDoNot) {
  EXPECT_FALSE(CheckJsonDepth(R"({"a": {"b": [1]}})", "x", 2).ok());
  EXPECT_TRUE(CheckJsonDepth(R"({"a": "[[[[[[", "b": [1]})", "x", 2).ok());
  EXPECT_TRUE(CheckJsonDepth(R"({"a": "\"[[[[[[", "b": [1]})", "x", 2).ok());  // escaped quote stays in the string
  EXPECT_TRUE(CheckJsonDepth("", "x").ok());
}

}  // namespace
}  // namespace xai
