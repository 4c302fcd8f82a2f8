"""Scalar tanh and sigmoid for the recurrent kernels: fast in float32, exact in float64.

A recurrent cell applies tanh and sigmoid to every gate of every step, so these
two functions sit in the hottest loop of the LSTM. Inside Numba, ``math.tanh``
and ``math.exp`` are calls into the C maths library, one number at a time, and
they stop the loop from using SIMD instructions. A rational function does not:

    tanh(x) ~ x * P(x^2) / Q(x^2)      for |x| <= 7.9, and +-1 beyond,

with P of degree 6 and Q of degree 3 in x^2 (the coefficients are Eigen's
float32 fit). It is only additions, multiplications and one division, so the
compiler vectorises the loop; its error is below 4e-7, about 3 float32 ulps at 1 (tested).
The sigmoid follows from the identity sigmoid(x) = 1 / (1 + e^-x) = (1 + tanh(x / 2)) / 2.

Float64 keeps the exact library functions: gradcheck compares against central
differences at a precision a float32 approximation cannot reach. ``tanh`` and
``sigmoid`` below choose by the argument's type, both in plain Python (used by
NUMBA_DISABLE_JIT=1) and when Numba compiles a kernel that calls them.
Read next: tinygrad_edu/recurrent/rnn.py.
"""
import math

import numpy as np
from numba import njit, types
from numba.extending import overload

# Beyond this |x|, float32 tanh(x) rounds to +-1 exactly. The constants are
# float32 so that float32 arithmetic stays float32 (and vectorises).
F32 = np.float32
TANH_CLAMP = F32(7.90531110763549805)
ALPHA_1 = F32(4.89352455891786e-03)
ALPHA_3 = F32(6.37261928875436e-04)
ALPHA_5 = F32(1.48572235717979e-05)
ALPHA_7 = F32(5.12229709037114e-08)
ALPHA_9 = F32(-8.60467152213735e-11)
ALPHA_11 = F32(2.00018790482477e-13)
ALPHA_13 = F32(-2.76076847742355e-16)
BETA_0 = F32(4.89352518554385e-03)
BETA_2 = F32(2.26843463243900e-03)
BETA_4 = F32(1.18534705686654e-04)
BETA_6 = F32(1.19825839466702e-06)
HALF = F32(0.5)

# The options of every recurrent kernel. error_model="numpy": Python's error
# model checks every division for zero, and that branch alone stops
# vectorisation. fastmath: allow fused multiply-adds ("contract"), division by
# multiplying with a reciprocal ("arcp") and ignoring the sign of zero ("nsz");
# but NOT fastmath=True, whose "no NaNs" promise would let LLVM drop the
# NaN-keeping term in tanh_rational.
FAST = dict(cache=True, fastmath={"contract", "arcp", "nsz"}, error_model="numpy")


@njit(**FAST)
def tanh_rational(x):
    """float32 tanh(x) as x * P(x^2) / Q(x^2); |x| is clamped to 7.9 first.

    A NaN (or infinite) x gives NaN: the vectorised clamp alone would turn it
    into +-1 and hide it from detect_anomaly, so "+ (x - x)" puts it back
    (x - x is exactly 0 for every finite x).
    """
    original = x
    x = TANH_CLAMP if x > TANH_CLAMP else x
    x = -TANH_CLAMP if x < -TANH_CLAMP else x
    x2 = x * x
    p = x2 * ALPHA_13 + ALPHA_11
    p = x2 * p + ALPHA_9
    p = x2 * p + ALPHA_7
    p = x2 * p + ALPHA_5
    p = x2 * p + ALPHA_3
    p = x2 * p + ALPHA_1
    q = x2 * BETA_6 + BETA_4
    q = x2 * q + BETA_2
    q = x2 * q + BETA_0
    return x * p / q + (original - original)


def _tanh_python(x):
    if isinstance(x, np.float32):
        return F32(tanh_rational(x))
    return math.tanh(x)


def _sigmoid_python(x):
    if isinstance(x, np.float32):
        return HALF + HALF * F32(tanh_rational(HALF * x))
    return exact_sigmoid(x)


def exact_sigmoid(x):
    """1 / (1 + e^-x), written so that e^(...) never overflows."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def tanh(x):
    """tanh for one number: the rational approximation for float32, math.tanh otherwise."""
    return _tanh_python(x)


def sigmoid(x):
    """sigmoid for one number: via the rational tanh for float32, exact otherwise."""
    return _sigmoid_python(x)


# Inside compiled code the choice is made once, at compile time, from the type.
@overload(tanh, inline="always")
def _tanh_overload(x):
    if x == types.float32:
        return lambda x: tanh_rational(x)
    return lambda x: math.tanh(x)


@overload(sigmoid, inline="always")
def _sigmoid_overload(x):
    if x == types.float32:
        return lambda x: HALF + HALF * tanh_rational(HALF * x)
    return exact_sigmoid  # Numba compiles the plain function above, inlined like the lambdas
