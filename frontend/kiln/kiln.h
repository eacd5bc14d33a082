// Kiln's eager C++ front end in one include: tensors, ops, autodiff, variables.
#pragma once

#include "kiln/autodiff/functions.h"
#include "kiln/autodiff/gradient.h"
#include "kiln/autodiff/tape.h"
#include "kiln/dtype.h"
#include "kiln/error.h"
#include "kiln/ops/indexing.h"
#include "kiln/ops/linalg.h"
#include "kiln/ops/losses.h"
#include "kiln/ops/math.h"
#include "kiln/ops/nn.h"
#include "kiln/ops/reduce.h"
#include "kiln/ops/shape_ops.h"
#include "kiln/random.h"
#include "kiln/shape.h"
#include "kiln/tensor.h"
#include "kiln/variable.h"
