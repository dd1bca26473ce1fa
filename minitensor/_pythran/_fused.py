"""Fused elementwise kernels (Pythran source; also valid NumPy code).

Only ``minitensor/_kernels.py`` calls these: it validates shapes, dtypes and
layout, flattens the arrays to C-contiguous 1-D (2-D for ``add_row``) buffers of
native byte order and allocates ``out`` with NumPy. The kernels check nothing.

Every kernel splits its input into fixed blocks of ``BS`` elements (rows for
``add_row``) and evaluates one NumPy expression per block (xsimd vectorises it).
The serial path (``nt <= 1`` or a small input) runs the same blocks one after the
other, without entering an OpenMP region, so serial and parallel results are
bit-identical. Scalars are Python floats, so in NumPy (NEP 50) as in Pythran a
float32 block is computed in float32.
"""
import math

import numpy as np

BS = 16384          # elements per block
# Below these sizes the serial path is used (no OpenMP region). On the shared
# 2-vCPU dev VM a second thread never helped and a parallel region could cost
# 0.1-1 ms when the other core was busy, so the thresholds are high: compute-bound
# (exp/tanh) kernels from 2**17 elements, memory-bound ones from 2**20.
PAR_MIN_T = 131072
PAR_MIN = 1048576

# PyTorch's GELU(approximate='tanh') constants: sqrt(2/pi) and kappa
K_BETA = 0.7978845608028654
K_KAPPA = 0.044715


def _gelu_blk(x, out, s, e):
    xb = x[s:e]
    out[s:e] = 0.5 * xb * (1.0 + np.tanh(K_BETA * (xb + K_KAPPA * (xb * xb * xb))))


#pythran export gelu(float64[:], float64[:], int)
#pythran export gelu(float32[:], float32[:], int)
def gelu(x, out, nt):
    """out = 0.5*x*(1 + tanh(sqrt(2/pi)*(x + 0.044715*x**3)))"""
    n = x.shape[0]
    nb = (n + BS - 1) // BS
    if nt <= 1 or n < PAR_MIN_T:
        for b in range(nb):
            _gelu_blk(x, out, b * BS, min(n, (b + 1) * BS))
    else:
        #omp parallel for num_threads(nt)
        for b in range(nb):
            _gelu_blk(x, out, b * BS, min(n, (b + 1) * BS))


def _gelu_backward_blk(x, grad, out, s, e):
    xb = x[s:e]
    x_sq = xb * xb
    t = np.tanh(K_BETA * (xb + K_KAPPA * (x_sq * xb)))
    out[s:e] = grad[s:e] * (0.5 * (1.0 + t)
                            + (0.5 * xb) * (1.0 - t * t) * (K_BETA * (1.0 + 3.0 * K_KAPPA * x_sq)))


#pythran export gelu_backward(float64[:], float64[:], float64[:], int)
#pythran export gelu_backward(float32[:], float32[:], float32[:], int)
def gelu_backward(x, grad, out, nt):
    """out = grad * d gelu(x)/dx (tanh approximation, PyTorch's formula)"""
    n = x.shape[0]
    nb = (n + BS - 1) // BS
    if nt <= 1 or n < PAR_MIN_T:
        for b in range(nb):
            _gelu_backward_blk(x, grad, out, b * BS, min(n, (b + 1) * BS))
    else:
        #omp parallel for num_threads(nt)
        for b in range(nb):
            _gelu_backward_blk(x, grad, out, b * BS, min(n, (b + 1) * BS))


# the C library's erf / erfc (NumPy has neither): one element at a time
def _erf_blk(x, out, s, e):
    for k in range(s, e):
        out[k] = math.erf(x[k])


#pythran export erf(float64[:], float64[:], int)
#pythran export erf(float32[:], float32[:], int)
def erf(x, out, nt):
    """out = erf(x) = 2/sqrt(pi) * integral of exp(-t**2) from 0 to x"""
    n = x.shape[0]
    nb = (n + BS - 1) // BS
    if nt <= 1 or n < PAR_MIN_T:
        for b in range(nb):
            _erf_blk(x, out, b * BS, min(n, (b + 1) * BS))
    else:
        #omp parallel for num_threads(nt)
        for b in range(nb):
            _erf_blk(x, out, b * BS, min(n, (b + 1) * BS))


def _erfc_blk(x, out, s, e):
    for k in range(s, e):
        out[k] = math.erfc(x[k])


#pythran export erfc(float64[:], float64[:], int)
#pythran export erfc(float32[:], float32[:], int)
def erfc(x, out, nt):
    """out = erfc(x) = 1 - erf(x), accurate where erf(x) is close to 1"""
    n = x.shape[0]
    nb = (n + BS - 1) // BS
    if nt <= 1 or n < PAR_MIN_T:
        for b in range(nb):
            _erfc_blk(x, out, b * BS, min(n, (b + 1) * BS))
    else:
        #omp parallel for num_threads(nt)
        for b in range(nb):
            _erfc_blk(x, out, b * BS, min(n, (b + 1) * BS))


# exp-based kernels evaluate exp(-x) into out first: nesting np.exp inside a
# division made Pythran/xsimd fall back to scalar code (float32: 8x slower).
def _sigmoid_blk(x, out, s, e):
    out[s:e] = np.exp(-x[s:e])
    out[s:e] = 1.0 / (1.0 + out[s:e])


#pythran export sigmoid(float64[:], float64[:], int)
#pythran export sigmoid(float32[:], float32[:], int)
def sigmoid(x, out, nt):
    """out = 1 / (1 + exp(-x))"""
    n = x.shape[0]
    nb = (n + BS - 1) // BS
    if nt <= 1 or n < PAR_MIN_T:
        for b in range(nb):
            _sigmoid_blk(x, out, b * BS, min(n, (b + 1) * BS))
    else:
        #omp parallel for num_threads(nt)
        for b in range(nb):
            _sigmoid_blk(x, out, b * BS, min(n, (b + 1) * BS))


def _sigmoid_backward_blk(y, grad, out, s, e):
    yb = y[s:e]
    out[s:e] = grad[s:e] * (1.0 - yb) * yb


#pythran export sigmoid_backward(float64[:], float64[:], float64[:], int)
#pythran export sigmoid_backward(float32[:], float32[:], float32[:], int)
def sigmoid_backward(y, grad, out, nt):
    """out = grad * (1 - y) * y, with y = sigmoid(x)"""
    n = y.shape[0]
    nb = (n + BS - 1) // BS
    if nt <= 1 or n < PAR_MIN:
        for b in range(nb):
            _sigmoid_backward_blk(y, grad, out, b * BS, min(n, (b + 1) * BS))
    else:
        #omp parallel for num_threads(nt)
        for b in range(nb):
            _sigmoid_backward_blk(y, grad, out, b * BS, min(n, (b + 1) * BS))


def _silu_blk(x, out, s, e):
    xb = x[s:e]
    out[s:e] = np.exp(-xb)
    out[s:e] = xb / (1.0 + out[s:e])


#pythran export silu(float64[:], float64[:], int)
#pythran export silu(float32[:], float32[:], int)
def silu(x, out, nt):
    """out = x / (1 + exp(-x))"""
    n = x.shape[0]
    nb = (n + BS - 1) // BS
    if nt <= 1 or n < PAR_MIN_T:
        for b in range(nb):
            _silu_blk(x, out, b * BS, min(n, (b + 1) * BS))
    else:
        #omp parallel for num_threads(nt)
        for b in range(nb):
            _silu_blk(x, out, b * BS, min(n, (b + 1) * BS))


def _silu_backward_blk(x, grad, out, s, e):
    xb = x[s:e]
    out[s:e] = np.exp(-xb)
    out[s:e] = 1.0 / (1.0 + out[s:e])   # sigmoid(x)
    sg = out[s:e]
    out[s:e] = grad[s:e] * sg * (1.0 + xb * (1.0 - sg))


#pythran export silu_backward(float64[:], float64[:], float64[:], int)
#pythran export silu_backward(float32[:], float32[:], float32[:], int)
def silu_backward(x, grad, out, nt):
    """out = grad * s * (1 + x*(1 - s)), with s = sigmoid(x)"""
    n = x.shape[0]
    nb = (n + BS - 1) // BS
    if nt <= 1 or n < PAR_MIN_T:
        for b in range(nb):
            _silu_backward_blk(x, grad, out, b * BS, min(n, (b + 1) * BS))
    else:
        #omp parallel for num_threads(nt)
        for b in range(nb):
            _silu_backward_blk(x, grad, out, b * BS, min(n, (b + 1) * BS))


def _tanh_backward_blk(y, grad, out, s, e):
    yb = y[s:e]
    out[s:e] = grad[s:e] * (1.0 - yb * yb)


#pythran export tanh_backward(float64[:], float64[:], float64[:], int)
#pythran export tanh_backward(float32[:], float32[:], float32[:], int)
def tanh_backward(y, grad, out, nt):
    """out = grad * (1 - y*y), with y = tanh(x)"""
    n = y.shape[0]
    nb = (n + BS - 1) // BS
    if nt <= 1 or n < PAR_MIN:
        for b in range(nb):
            _tanh_backward_blk(y, grad, out, b * BS, min(n, (b + 1) * BS))
    else:
        #omp parallel for num_threads(nt)
        for b in range(nb):
            _tanh_backward_blk(y, grad, out, b * BS, min(n, (b + 1) * BS))


def _relu_backward_blk(x, grad, out, s, e):
    out[s:e] = np.where(x[s:e] <= 0.0, 0.0, grad[s:e])


#pythran export relu_backward(float64[:], float64[:], float64[:], int)
#pythran export relu_backward(float32[:], float32[:], float32[:], int)
def relu_backward(x, grad, out, nt):
    """out = 0 where x <= 0 else grad (PyTorch's threshold_backward: NaN x passes grad)"""
    n = x.shape[0]
    nb = (n + BS - 1) // BS
    if nt <= 1 or n < PAR_MIN:
        for b in range(nb):
            _relu_backward_blk(x, grad, out, b * BS, min(n, (b + 1) * BS))
    else:
        #omp parallel for num_threads(nt)
        for b in range(nb):
            _relu_backward_blk(x, grad, out, b * BS, min(n, (b + 1) * BS))


def _muladd_blk(x, y, z, out, s, e):
    out[s:e] = x[s:e] * y[s:e] + z[s:e]


#pythran export muladd(float64[:], float64[:], float64[:], float64[:], int)
#pythran export muladd(float32[:], float32[:], float32[:], float32[:], int)
def muladd(x, y, z, out, nt):
    """out = x*y + z (may be contracted to an FMA: within 1 ulp of NumPy's)"""
    n = x.shape[0]
    nb = (n + BS - 1) // BS
    if nt <= 1 or n < PAR_MIN:
        for b in range(nb):
            _muladd_blk(x, y, z, out, b * BS, min(n, (b + 1) * BS))
    else:
        #omp parallel for num_threads(nt)
        for b in range(nb):
            _muladd_blk(x, y, z, out, b * BS, min(n, (b + 1) * BS))


def _add_row_blk(x, row, out, r0, r1):
    for i in range(r0, r1):
        out[i] = x[i] + row


#pythran export add_row(float64[:,:] order(C), float64[:], float64[:,:] order(C), int)
#pythran export add_row(float32[:,:] order(C), float32[:], float32[:,:] order(C), int)
def add_row(x, row, out, nt):
    """out[i, :] = x[i, :] + row  (x, out: (m, n); row: (n,))"""
    m = x.shape[0]
    n = x.shape[1]
    rb = max(1, BS // max(1, n))   # rows per block
    nb = (m + rb - 1) // rb
    if nt <= 1 or m * n < PAR_MIN or nb < 2:
        _add_row_blk(x, row, out, 0, m)
    else:
        #omp parallel for num_threads(nt)
        for b in range(nb):
            _add_row_blk(x, row, out, b * rb, min(m, (b + 1) * rb))
