#include "xai/base/json_util.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

namespace xai {
namespace {

// Expected texts follow TF Serving's documented WriteDecimal rules: six
// significant digits when they round-trip, else max_digits10; ".0" on integers.
TEST(FormatFloat, ShortestSixDigitsWhenExact) {
  EXPECT_EQ(FormatFloat(0.1f), "0.1");
  EXPECT_EQ(FormatFloat(2.0f), "2.0");
  EXPECT_EQ(FormatFloat(-3.5f), "-3.5");
  EXPECT_EQ(FormatFloat(0.0f), "0.0");
}

TEST(FormatFloat, FullPrecisionWhenSixDigitsDoNotRoundTrip) {
  float v = 0.123456789f;
  std::string text = FormatFloat(v);
  EXPECT_EQ(text, "0.123456791");
  EXPECT_EQ(std::stof(text), v);
}

TEST(FormatFloat, ScientificKeepsNoDotZero) {
  EXPECT_EQ(FormatFloat(1e6f), "1e+06");
  EXPECT_EQ(FormatFloat(3e-05f), "3e-05");
}

TEST(FormatFloat, NonFiniteTokens) {
  EXPECT_EQ(FormatFloat(std::numeric_limits<float>::quiet_NaN()), "NaN");
  EXPECT_EQ(FormatFloat(std::numeric_limits<float>::infinity()), "Infinity");
  EXPECT_EQ(FormatFloat(-std::numeric_limits<float>::infinity()), "-Infinity");
}

TEST(FormatDouble, SeventeenDigitsWhenNeeded) {
  EXPECT_EQ(FormatDouble(0.1), "0.1");
  EXPECT_EQ(FormatDouble(1.0 / 3.0), "0.33333333333333331");
}

TEST(Base64, RoundTripAndWebSafe) {
  std::string bytes("\x00\xff\xfe text", 8);
  auto back = Base64Decode(Base64Encode(bytes));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, bytes);
  auto web = Base64Decode("_-8");  // web-safe alphabet
  ASSERT_TRUE(web.ok());
  EXPECT_EQ(*web, "\xff\xef");
  EXPECT_FALSE(Base64Decode("not base64!").ok());
}

TEST(PrettyJsonWriter, RapidJsonSingleLineArrayLayout) {
  PrettyJsonWriter w;
  w.StartObject();
  w.Key("predictions");
  w.StartArray();
  w.StartObject();
  w.Key("a");
  w.StartArray();
  w.Raw("1.0");
  w.Raw("2.0");
  w.EndArray();
  w.Key("b");
  w.String("x\"y\n");
  w.EndObject();
  w.StartObject();
  w.Key("a");
  w.StartArray();
  w.EndArray();
  w.Key("b");
  w.Raw("3");
  w.EndObject();
  w.EndArray();
  w.EndObject();
  EXPECT_EQ(w.str(),
            "{\n"
            "    \"predictions\": [{\n"
            "            \"a\": [1.0, 2.0],\n"
            "            \"b\": \"x\\\"y\\n\"\n"
            "        }, {\n"
            "            \"a\": [],\n"
            "            \"b\": 3\n"
            "        }]\n"
            "}");
}

TEST(NonFiniteTokens, QuotedOutsideStringsOnly) {
  EXPECT_EQ(QuoteNonFiniteTokens(R"({"a": [NaN, -Infinity, Infinity], "s": "NaN"})"),
            R"({"a": ["__xai_NaN__", "__xai_-Infinity__", "__xai_Infinity__"], "s": "NaN"})");
  double v;
  ASSERT_TRUE(ParseNonFinite("__xai_-Infinity__", &v));
  EXPECT_TRUE(std::isinf(v) && v < 0);
  EXPECT_FALSE(ParseNonFinite("NaN", &v));
}

}  // namespace
}  // namespace xai
