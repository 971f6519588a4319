#include "xai/model/tensor.h"

#include <gtest/gtest.h>

namespace xai {
namespace {

TEST(Tensor, FloatsAndShape) {
  Tensor t = Tensor::FromFloats({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(t.num_elements(), 6);
  EXPECT_EQ(t.data<float>()[4], 5.0f);
  EXPECT_EQ(t.AsDouble(5), 6.0);
  EXPECT_EQ(ShapeString(t.shape()), "[2,3]");
}

TEST(Tensor, ZeroFilledAndStrings) {
  Tensor z(DType::kInt64, {4});
  EXPECT_EQ(z.bytes().size(), 32u);
  EXPECT_EQ(z.AsDouble(3), 0.0);
  Tensor s = Tensor::FromStrings({2}, {"a", std::string("\0b", 2)});
  EXPECT_EQ(s.strings()[1].size(), 2u);
  EXPECT_EQ(DTypeName(s.dtype()), "string");
}

TEST(Tensor, HalfConversion) {
  Tensor h(DType::kHalf, {1});
  h.data<uint16_t>()[0] = 0x3c00;  // 1.0 in IEEE half
  EXPECT_EQ(h.AsDouble(0), 1.0);
}

TEST(Tensor, ScalarHasOneElement) { EXPECT_EQ(NumElements({}), 1); }

}  // namespace
}  // namespace xai
