#include "xai/hub/progress.h"

#include <cstdio>

#include "xai/hub/layout.h"

namespace xai::hub {

void Progress::Draw(const std::string& text) {
  width_ = std::max(width_, text.size());
  std::fprintf(stderr, "\r%-*s", static_cast<int>(width_), text.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::Update(uint64_t done, uint64_t total) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  std::string text = "Downloading " + label_ + ": " + ReadableSize(done);
  if (total > 0) {
    text += " of " + ReadableSize(total) + " (" + std::to_string(done * 100 / total) + "%)";
  }
  Draw(text);
}

void Progress::Finish(uint64_t total) {
  if (!enabled_) return;
  Draw("Downloaded " + label_ + ", Total size: " + ReadableSize(total));
  std::fputc('\n', stderr);
  drawn_ = false;
}

void Progress::Abandon() {
  if (enabled_ && drawn_) std::fputc('\n', stderr);
  drawn_ = false;
}

}  // namespace xai::hub
