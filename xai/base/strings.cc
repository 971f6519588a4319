#include "xai/base/strings.h"

#include <algorithm>
#include <cctype>

namespace xai {

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::vector<std::string> ClosestMatches(const std::string& word, const std::vector<std::string>& candidates,
                                        size_t max) {
  std::vector<std::pair<size_t, size_t>> scored;  // (distance, index)
  for (size_t i = 0; i < candidates.size(); ++i) {
    size_t d = EditDistance(word, candidates[i]);
    size_t limit = std::max(word.size(), candidates[i].size()) / 3 + 2;
    if (d <= limit) scored.emplace_back(d, i);
  }
  std::stable_sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  for (size_t k = 0; k < scored.size() && out.size() < max; ++k) out.push_back(candidates[scored[k].second]);
  return out;
}

std::string DidYouMean(const std::string& word, const std::vector<std::string>& candidates) {
  std::vector<std::string> close = ClosestMatches(word, candidates);
  if (close.empty()) return "";
  // Only the nearest ones: a second-best guess is noise.
  size_t best = EditDistance(word, close[0]);
  while (close.size() > 1 && EditDistance(word, close.back()) > best) close.pop_back();
  std::string out = "; did you mean ";
  for (size_t i = 0; i < close.size(); ++i) {
    if (i) out += (i + 1 == close.size()) ? " or " : ", ";
    out += "'" + close[i] + "'";
  }
  return out + "?";
}

std::string ToUpper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string ToLower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace xai
