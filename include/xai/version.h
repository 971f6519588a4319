// Version of the xai library. The macros are the headers' version; Version()
// is the loaded library's (they differ when a program runs against another build).
#ifndef XAI_VERSION_H_
#define XAI_VERSION_H_

#include "xai/export.h"

#define XAI_VERSION_MAJOR 0
#define XAI_VERSION_MINOR 3
#define XAI_VERSION_PATCH 0
#define XAI_VERSION_STRING "0.3.0"

namespace xai::api {

// "MAJOR.MINOR.PATCH" of the linked libxai.
XAI_EXPORT const char* Version();

}  // namespace xai::api

#endif  // XAI_VERSION_H_
