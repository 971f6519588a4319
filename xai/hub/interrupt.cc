#include "xai/hub/interrupt.h"

#include <signal.h>

#include <atomic>

namespace xai::hub {
namespace {

std::atomic<int> g_signal{0};
std::atomic<int> g_depth{0};
struct sigaction g_old_int, g_old_term;

void OnSignal(int sig) { g_signal.store(sig); }

}  // namespace

InterruptGuard::InterruptGuard() {
  if (g_depth.fetch_add(1) != 0) return;
  struct sigaction action = {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, &g_old_int);
  ::sigaction(SIGTERM, &action, &g_old_term);
}

InterruptGuard::~InterruptGuard() {
  if (g_depth.fetch_sub(1) != 1) return;
  ::sigaction(SIGINT, &g_old_int, nullptr);
  ::sigaction(SIGTERM, &g_old_term, nullptr);
  int sig = g_signal.exchange(0);
  if (sig != 0) ::raise(sig);
}

bool Interrupted() { return g_signal.load() != 0; }

Status CheckNotInterrupted() {
  if (Interrupted()) return absl::CancelledError("interrupted");
  return absl::OkStatus();
}

}  // namespace xai::hub
