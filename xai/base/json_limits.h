// Limits applied to untrusted JSON before it is parsed (docs/limits.md):
// nlohmann's parser and every recursive walk over its values (dump(), deep
// copies, tensor fills) use stack in proportion to the nesting, so depth is
// checked first, in one linear scan that uses no stack.
#ifndef XAI_BASE_JSON_LIMITS_H_
#define XAI_BASE_JSON_LIMITS_H_

#include <string_view>

#include "xai/base/status.h"

namespace xai {

// Deepest nesting of arrays and objects a request, metadata or spec may
// have. A rank-8 tensor of objects needs 10; Vertex and TF Serving bodies
// need fewer than 12.
inline constexpr int kMaxJsonDepth = 64;

// InvalidArgument "<what> nests arrays and objects more than <max_depth>
// levels deep (the limit)" when `text` does; OK otherwise (also for text
// that is not JSON: the parser reports that). Brackets inside strings do
// not count.
Status CheckJsonDepth(std::string_view text, std::string_view what, int max_depth = kMaxJsonDepth);

}  // namespace xai

#endif  // XAI_BASE_JSON_LIMITS_H_
