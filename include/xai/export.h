// XAI_EXPORT marks the symbols of libxai that make up its public API.
#ifndef XAI_EXPORT_H_
#define XAI_EXPORT_H_

#if defined(XAI_SHARED_LIBRARY) && defined(XAI_COMPILE_LIBRARY)
#define XAI_EXPORT __attribute__((visibility("default")))
#else
#define XAI_EXPORT
#endif

#endif  // XAI_EXPORT_H_
