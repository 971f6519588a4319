// A one-line download progress display on stderr, in tensorflow_hub's words
// ("Downloading <handle>: 1.50MB", "Downloaded <handle>, Total size: 3.00MB").
// Not thread-safe.
#ifndef XAI_HUB_PROGRESS_H_
#define XAI_HUB_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <string>

namespace xai::hub {

class Progress {
 public:
  // Prints nothing unless `enabled`.
  Progress(std::string label, bool enabled) : label_(std::move(label)), enabled_(enabled) {}
  ~Progress() { Abandon(); }

  // `total` 0 = unknown. At most ten redraws a second.
  void Update(uint64_t done, uint64_t total);
  // The final line, then a newline.
  void Finish(uint64_t total);
  // Ends a started line without a final message (after an error).
  void Abandon();

 private:
  void Draw(const std::string& text);
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  size_t width_ = 0;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace xai::hub

#endif  // XAI_HUB_PROGRESS_H_
