// A map whose values are built once per key, with no lock held while a value
// is built: concurrent callers of the same key wait for the one build,
// callers of other keys (and readers of finished keys) go on. A failed build
// is not kept: the next caller tries again.
#ifndef XAI_BASE_BUILD_ONCE_H_
#define XAI_BASE_BUILD_ONCE_H_

#include <cstddef>
#include <exception>
#include <string>
#include <functional>
#include <map>
#include <memory>
#include <utility>

#include "xai/base/mutex.h"
#include "xai/base/status.h"

namespace xai {

// Thread-safe. Values live as long as the map or until their key is erased:
// a pointer from Get is valid until then, so maps that are ever erased
// should be read with GetShared.
template <typename Key, typename Value>
class BuildOnceMap {
 public:
  // The value for `key`, calling `build` (without any lock held) when there
  // is none yet. `build`'s error is returned to every caller waiting on that
  // build and nothing is stored.
  StatusOr<Value*> Get(const Key& key, const std::function<StatusOr<std::unique_ptr<Value>>()>& build) {
    XAI_ASSIGN_OR_RETURN(std::shared_ptr<Value> value, GetShared(key, build));
    return value.get();
  }

  // The same, sharing ownership: the value outlives an Erase of its key.
  StatusOr<std::shared_ptr<Value>> GetShared(const Key& key,
                                             const std::function<StatusOr<std::unique_ptr<Value>>()>& build) {
    std::shared_ptr<Slot> slot;
    {
      MutexLock lock(&mu_);
      while (true) {
        auto it = slots_.find(key);
        if (it == slots_.end()) break;
        slot = it->second;
        if (slot->value) return slot->value;
        if (!slot->building) {  // its build failed: report that build's error to its waiters only
          slot.reset();
          break;
        }
        while (slot->building) done_.Wait(&mu_);
        if (slot->value) return slot->value;
        return slot->error;
      }
      slot = std::make_shared<Slot>();
      slots_[key] = slot;
    }
    StatusOr<std::unique_ptr<Value>> built = absl::InternalError("build did not finish");
    try {  // a throwing build must not leave its waiters blocked on `building`
      built = build();
    } catch (const std::exception& e) {
      built = absl::InternalError(std::string("building a cached value threw: ") + e.what());
    } catch (...) {
      built = absl::InternalError("building a cached value threw");
    }
    MutexLock lock(&mu_);
    slot->building = false;
    if (built.ok()) {
      slot->value = std::shared_ptr<Value>(std::move(built).value());
    } else {
      slot->error = built.status();
      auto it = slots_.find(key);
      if (it != slots_.end() && it->second == slot) slots_.erase(it);
    }
    done_.SignalAll();
    if (!slot->value) return slot->error;
    return slot->value;
  }

  // Forgets `key`'s value (holders of a GetShared pointer keep theirs); a
  // build in progress finishes for its waiters. True when there was one.
  bool Erase(const Key& key) {
    MutexLock lock(&mu_);
    return slots_.erase(key) > 0;
  }

  // Number of finished values (for tests and cache bounds).
  size_t size() {
    MutexLock lock(&mu_);
    size_t n = 0;
    for (const auto& [k, s] : slots_) n += s->value != nullptr;
    return n;
  }

 private:
  struct Slot {
    bool building = true;
    std::shared_ptr<Value> value;
    Status error;
  };
  Mutex mu_;
  CondVar done_;
  std::map<Key, std::shared_ptr<Slot>> slots_ ABSL_GUARDED_BY(mu_);
};

}  // namespace xai

#endif  // XAI_BASE_BUILD_ONCE_H_
