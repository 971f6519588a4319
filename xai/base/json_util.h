// JSON output in TensorFlow Serving's exact layout, and its number format.
#ifndef XAI_BASE_JSON_UTIL_H_
#define XAI_BASE_JSON_UTIL_H_

#include <string>
#include <string_view>
#include <vector>

#include "xai/base/status.h"

namespace xai {

// TF Serving's decimal text for a float: six significant digits when that
// round-trips, else max_digits10; ".0" appended to plain integers;
// NaN / Infinity / -Infinity as bare tokens.
std::string FormatFloat(float value);
std::string FormatDouble(double value);

std::string Base64Encode(std::string_view bytes);
// InvalidArgument when `text` is not valid base64 (standard or web-safe).
StatusOr<std::string> Base64Decode(std::string_view text);

// Streaming writer producing the layout of RapidJSON's PrettyWriter with a
// 4-space indent and, optionally, kFormatSingleLineArray (arrays on one line,
// objects inside them still broken over lines) — what TF Serving emits.
// Not thread-safe. Calls must form a well-nested document.
class PrettyJsonWriter {
 public:
  explicit PrettyJsonWriter(bool single_line_arrays = true) : single_line_arrays_(single_line_arrays) {}

  void StartObject();
  void EndObject();
  void StartArray();
  void EndArray();
  void Key(std::string_view key);
  void String(std::string_view value);  // escaped, bytes ≥ 0x80 passed through
  void Raw(std::string_view token);     // a number, true/false/null, as given

  const std::string& str() const { return out_; }

 private:
  struct Level {
    bool in_array;
    int value_count;
  };
  void Prefix();
  void Indent();

  bool single_line_arrays_;
  std::string out_;
  std::vector<Level> levels_;
};

// Replaces the bare tokens NaN, Infinity and -Infinity outside string
// literals by the strings "__xai_NaN__", "__xai_Infinity__",
// "__xai_-Infinity__", so a strict JSON parser accepts documents that TF
// Serving accepts. ParseNonFinite maps those strings back.
std::string QuoteNonFiniteTokens(std::string_view json);
bool ParseNonFinite(std::string_view text, double* value);

}  // namespace xai

#endif  // XAI_BASE_JSON_UTIL_H_
