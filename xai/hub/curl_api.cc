#include "xai/hub/curl_api.h"

#include <dlfcn.h>

#include <mutex>
#include <string>

namespace xai::hub {
namespace {

template <typename F>
bool Bind(void* lib, const char* name, F& fn) {
  fn = reinterpret_cast<F>(::dlsym(lib, name));
  return fn != nullptr;
}

StatusOr<CurlApi> Load() {
  void* lib = ::dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
  if (lib == nullptr) {
    return absl::FailedPreconditionError(std::string("cannot load libcurl.so.4 (Debian libcurl4): ") + ::dlerror());
  }
  CurlApi api;
  CURLcode (*global_init)(long) = nullptr;
  bool ok = Bind(lib, "curl_global_init", global_init) && Bind(lib, "curl_easy_init", api.easy_init) &&
            Bind(lib, "curl_easy_setopt", api.easy_setopt) && Bind(lib, "curl_easy_perform", api.easy_perform) &&
            Bind(lib, "curl_easy_getinfo", api.easy_getinfo) && Bind(lib, "curl_easy_cleanup", api.easy_cleanup) &&
            Bind(lib, "curl_easy_strerror", api.easy_strerror) && Bind(lib, "curl_slist_append", api.slist_append) &&
            Bind(lib, "curl_slist_free_all", api.slist_free_all) && Bind(lib, "curl_version", api.version);
  if (!ok) return absl::FailedPreconditionError("libcurl.so.4 lacks an expected function");
  if (global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return absl::FailedPreconditionError("curl_global_init failed");
  return api;
}

}  // namespace

StatusOr<const CurlApi*> Curl() {
  static StatusOr<CurlApi>* api = nullptr;
  static std::once_flag once;
  std::call_once(once, [] { api = new StatusOr<CurlApi>(Load()); });
  if (!api->ok()) return api->status();
  return &api->value();
}

}  // namespace xai::hub
