#include "xai/base/status.h"

#include <gtest/gtest.h>

namespace xai {
namespace {

StatusOr<int> Half(int v) {
  if (v % 2) return absl::InvalidArgumentError("odd: " + std::to_string(v));
  return v / 2;
}

StatusOr<int> Quarter(int v) {
  XAI_ASSIGN_OR_RETURN(int half, Half(v));
  XAI_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

TEST(Status, MacrosPropagateFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().message(), "odd: 3");
}

TEST(Status, AnnotateKeepsCode) {
  Status s = Annotate(absl::NotFoundError("x"), "loading");
  EXPECT_TRUE(absl::IsNotFound(s));
  EXPECT_EQ(s.message(), "loading: x");
  EXPECT_TRUE(Annotate(absl::OkStatus(), "ctx").ok());
}

}  // namespace
}  // namespace xai
