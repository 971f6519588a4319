// SIGINT/SIGTERM during a download: instead of dying with a lock and a
// staging directory left behind, the download stops, cleans up, and the
// signal is raised again once the guard is gone.
#ifndef XAI_HUB_INTERRUPT_H_
#define XAI_HUB_INTERRUPT_H_

#include "xai/base/status.h"

namespace xai::hub {

// While alive, SIGINT and SIGTERM only set a flag. On destruction the
// previous handlers come back and a caught signal is re-raised. Not nestable
// across threads: one guard per process at a time.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
};

// Cancelled if a guarded signal arrived.
Status CheckNotInterrupted();
bool Interrupted();

}  // namespace xai::hub

#endif  // XAI_HUB_INTERRUPT_H_
