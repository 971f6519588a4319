// Small string helpers shared across modules.
#ifndef XAI_BASE_STRINGS_H_
#define XAI_BASE_STRINGS_H_

#include <string>
#include <vector>

namespace xai {

// Levenshtein distance (byte-wise).
size_t EditDistance(const std::string& a, const std::string& b);

// Up to `max` candidates closest to `word` by edit distance (ties keep input
// order), only those within a third of the longer length plus two edits.
std::vector<std::string> ClosestMatches(const std::string& word, const std::vector<std::string>& candidates,
                                        size_t max = 3);

// "; did you mean 'a' or 'b'?" or "" when nothing is close.
std::string DidYouMean(const std::string& word, const std::vector<std::string>& candidates);

std::string ToUpper(std::string s);
std::string ToLower(std::string s);

}  // namespace xai

#endif  // XAI_BASE_STRINGS_H_
