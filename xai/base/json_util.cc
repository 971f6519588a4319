#include "xai/base/json_util.h"

#include <cmath>
#include <cstdio>
#include <limits>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace xai {
namespace {

template <typename T>
bool ParseBack(const std::string& s, T* out);
template <>
bool ParseBack(const std::string& s, float* out) { return absl::SimpleAtof(s, out); }
template <>
bool ParseBack(const std::string& s, double* out) { return absl::SimpleAtod(s, out); }

template <typename T>
std::string FormatDecimal(T value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return std::signbit(value) ? "-Infinity" : "Infinity";
  std::string text = absl::StrCat(value);
  T back;
  if (!ParseBack(text, &back) || back != value) {
    text = absl::StrFormat("%.*g", std::numeric_limits<T>::max_digits10, value);
  }
  if (text.find('.') == std::string::npos && text.find('e') == std::string::npos) text += ".0";
  return text;
}

}  // namespace

std::string FormatFloat(float value) { return FormatDecimal(value); }
std::string FormatDouble(double value) { return FormatDecimal(value); }

std::string Base64Encode(std::string_view bytes) { return absl::Base64Escape(bytes); }

StatusOr<std::string> Base64Decode(std::string_view text) {
  std::string out;
  if (absl::Base64Unescape(text, &out) || absl::WebSafeBase64Unescape(text, &out)) return out;
  return absl::InvalidArgumentError("'" + std::string(text.substr(0, 40)) +
                                    (text.size() > 40 ? "...'" : "'") + " is not valid base64");
}

void PrettyJsonWriter::Indent() { out_.append(levels_.size() * 4, ' '); }

void PrettyJsonWriter::Prefix() {
  if (levels_.empty()) return;
  Level& level = levels_.back();
  if (level.in_array) {
    if (level.value_count > 0) {
      out_ += ',';
      if (single_line_arrays_) out_ += ' ';
    }
    if (!single_line_arrays_) {
      out_ += '\n';
      Indent();
    }
  } else {
    if (level.value_count > 0) {
      out_ += (level.value_count % 2 == 0) ? ",\n" : ": ";
    } else {
      out_ += '\n';
    }
    if (level.value_count % 2 == 0) Indent();
  }
  ++level.value_count;
}

void PrettyJsonWriter::StartObject() {
  Prefix();
  out_ += '{';
  levels_.push_back({false, 0});
}

void PrettyJsonWriter::EndObject() {
  bool empty = levels_.back().value_count == 0;
  levels_.pop_back();
  if (!empty) {
    out_ += '\n';
    Indent();
  }
  out_ += '}';
}

void PrettyJsonWriter::StartArray() {
  Prefix();
  out_ += '[';
  levels_.push_back({true, 0});
}

void PrettyJsonWriter::EndArray() {
  bool empty = levels_.back().value_count == 0;
  levels_.pop_back();
  if (!empty && !single_line_arrays_) {
    out_ += '\n';
    Indent();
  }
  out_ += ']';
}

void PrettyJsonWriter::Key(std::string_view key) { String(key); }

void PrettyJsonWriter::String(std::string_view value) {
  Prefix();
  out_ += '"';
  for (unsigned char c : value) {
    switch (c) {
      case '"': out_ += "\\\""; break;
      case '\\': out_ += "\\\\"; break;
      case '\b': out_ += "\\b"; break;
      case '\f': out_ += "\\f"; break;
      case '\n': out_ += "\\n"; break;
      case '\r': out_ += "\\r"; break;
      case '\t': out_ += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04X", c);
          out_ += buf;
        } else {
          out_ += static_cast<char>(c);
        }
    }
  }
  out_ += '"';
}

void PrettyJsonWriter::Raw(std::string_view token) {
  Prefix();
  out_ += token;
}

std::string QuoteNonFiniteTokens(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < json.size()) {
        out += json[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    bool replaced = false;
    for (std::string_view token : {"-Infinity", "Infinity", "NaN"}) {
      if (json.substr(i, token.size()) == token) {
        out += "\"__xai_" + std::string(token) + "__\"";
        i += token.size() - 1;
        replaced = true;
        break;
      }
    }
    if (!replaced) out += c;
  }
  return out;
}

bool ParseNonFinite(std::string_view text, double* value) {
  if (text == "__xai_NaN__") {
    *value = std::numeric_limits<double>::quiet_NaN();
  } else if (text == "__xai_Infinity__") {
    *value = std::numeric_limits<double>::infinity();
  } else if (text == "__xai_-Infinity__") {
    *value = -std::numeric_limits<double>::infinity();
  } else {
    return false;
  }
  return true;
}

}  // namespace xai
