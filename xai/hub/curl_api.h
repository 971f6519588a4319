// libcurl, loaded with RTLD_DEEPBIND. TensorFlow's libtensorflow_framework.so.2
// exports its own curl, BoringSSL and zlib symbols (curl_easy_init, SSL_new,
// EVP_*, inflate, ...) and is not linked -Bsymbolic; a normally linked Debian
// libcurl would then have its OpenSSL calls bound to BoringSSL. Deep binding
// makes libcurl and its dependencies use their own symbols first.
#ifndef XAI_HUB_CURL_API_H_
#define XAI_HUB_CURL_API_H_

#ifndef CURL_DISABLE_TYPECHECK
#define CURL_DISABLE_TYPECHECK
#endif
#include <curl/curl.h>

#include "xai/base/status.h"

namespace xai::hub {

struct CurlApi {
  CURL* (*easy_init)();
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_perform)(CURL*);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  void (*easy_cleanup)(CURL*);
  const char* (*easy_strerror)(CURLcode);
  curl_slist* (*slist_append)(curl_slist*, const char*);
  void (*slist_free_all)(curl_slist*);
  char* (*version)();
};

// The process-wide libcurl (loaded and globally initialised once; thread-safe).
// Unavailable-free: FailedPrecondition if libcurl.so.4 cannot be loaded.
StatusOr<const CurlApi*> Curl();

}  // namespace xai::hub

#endif  // XAI_HUB_CURL_API_H_
