#include "xai/data/example.h"

#include <algorithm>
#include <cmath>

namespace xai::data {

size_t Feature::size() const {
  switch (kind) {
    case Kind::kBytes: return bytes_list.size();
    case Kind::kFloat: return float_list.size();
    case Kind::kInt64: return int64_list.size();
    default: return 0;
  }
}

double Feature::NumberAt(size_t i) const {
  if (kind == Kind::kFloat) return static_cast<double>(float_list[i]);
  if (kind == Kind::kInt64) return static_cast<double>(int64_list[i]);
  return std::nan("");
}

std::string Feature::Describe() const {
  switch (kind) {
    case Kind::kBytes: return "bytes_list[" + std::to_string(bytes_list.size()) + "]";
    case Kind::kFloat: return "float_list[" + std::to_string(float_list.size()) + "]";
    case Kind::kInt64: return "int64_list[" + std::to_string(int64_list.size()) + "]";
    default: return "no values";
  }
}

const Feature* Example::Find(const std::string& name) const {
  auto it = std::lower_bound(features.begin(), features.end(), name,
                             [](const auto& entry, const std::string& n) { return entry.first < n; });
  if (it == features.end() || it->first != name) return nullptr;
  return &it->second;
}

std::string Example::FeatureNames() const {
  std::string out;
  for (const auto& [name, f] : features) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out.empty() ? "(none)" : out;
}

}  // namespace xai::data
