// The tensor type is part of the public API (include/xai/tensor.h).
#ifndef XAI_MODEL_TENSOR_H_
#define XAI_MODEL_TENSOR_H_

#include "xai/tensor.h"

#endif  // XAI_MODEL_TENSOR_H_
