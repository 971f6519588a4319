#include "xai/base/strings.h"

#include <gtest/gtest.h>

namespace xai {
namespace {

TEST(Strings, EditDistance) {
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(EditDistance("same", "same"), 0u);
}

TEST(Strings, DidYouMeanPicksClosest) {
  std::vector<std::string> keys = {"inputTensorName", "inputBaselines", "encoding"};
  EXPECT_EQ(DidYouMean("inputTensorNam", keys), "; did you mean 'inputTensorName'?");
  EXPECT_EQ(DidYouMean("zzzzzzzzzzzzzzzzzzzz", keys), "");
}

TEST(Strings, Case) {
  EXPECT_EQ(ToUpper("bag_of_features"), "BAG_OF_FEATURES");
  EXPECT_EQ(ToLower("IDENTITY"), "identity");
}

}  // namespace
}  // namespace xai
