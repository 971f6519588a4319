// The xai library: inspect, run, explain and validate TensorFlow SavedModels.
// Everything of the public API in one include. TensorFlow's headers are not
// needed to compile against it.
#ifndef XAI_XAI_H_
#define XAI_XAI_H_

#include "xai/explain.h"
#include "xai/export.h"
#include "xai/model.h"
#include "xai/status.h"
#include "xai/tensor.h"
#include "xai/validate.h"
#include "xai/version.h"

#endif  // XAI_XAI_H_
