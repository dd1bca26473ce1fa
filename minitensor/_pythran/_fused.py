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


# ---------------------------------------------------------------------------
# log-gamma, digamma, polygamma and the normal quantile (minitensor.special).
# One element at a time in float64 (a float32 input is widened exactly and the
# result rounded once), with SciPy's values at the poles and at +-inf. Written
# with Python floats only (no ``**``, which raises OverflowError in Python, and
# no math.floor of an infinity), so the pure-Python mode runs the same code.

PI = 3.141592653589793
SQRT_2PI = 2.5066282746310002
HALF_LOG_2PI = 0.9189385332046728
INV_SQRT2 = 0.7071067811865476


def _integral(x):
    """x is a finite or infinite integer: every double of magnitude >= 2**52 is
    one (and the compiled math.floor may not take them: it goes through an int)."""
    return abs(x) >= 4503599627370496.0 or x == math.floor(x)


def _gammaln1(x):
    if x != x or x == np.inf:
        return x
    if x == -np.inf:
        return -np.inf                     # (SciPy's value)
    if x <= 0.0 and _integral(x):
        return np.inf                      # the poles 0, -1, -2, ...
    return math.lgamma(x)


def _digamma_pos(x):
    """psi(x) for 0 < x < inf: the recurrence psi(x) = psi(x + 1) - 1/x up to
    x >= 10, then the asymptotic series (Bernoulli numbers B2..B14)."""
    r = 0.0
    while x < 10.0:
        r -= 1.0 / x
        x += 1.0
    z = 1.0 / (x * x)
    s = z * (1.0 / 12.0 - z * (1.0 / 120.0 - z * (1.0 / 252.0 - z * (
        1.0 / 240.0 - z * (1.0 / 132.0 - z * (691.0 / 32760.0 - z / 12.0))))))
    return r + (math.log(x) - 0.5 / x - s)


def _cot_pi(x):
    """cot(pi x) for a finite non-integer x, reduced to r in [-1/2, 1/2] exactly;
    cos(pi r) as sin(pi (1/2 - |r|)), so that it is 0 at the half-integers."""
    r = x - math.floor(x + 0.5)
    a = abs(r)
    return math.copysign(math.sin(PI * (0.5 - a)) / math.sin(PI * a), r)


def _digamma1(x):
    if x != x:
        return x
    if x > 0.0:
        return x if x == np.inf else _digamma_pos(x)
    if x == 0.0:
        return np.inf if math.copysign(1.0, x) < 0.0 else -np.inf
    if x == -np.inf or _integral(x):
        return np.nan                      # the poles -1, -2, ... (SciPy's nan)
    # reflection: psi(x) = psi(1 - x) - pi cot(pi x)
    return _digamma_pos(1.0 - x) - PI * _cot_pi(x)


def _ipow(x, k):
    """x ** k for an integer k >= 1 by products (overflow gives inf, no exception)."""
    p = x
    for _ in range(k - 1):
        p = p * x
    return p


def _polygamma_pos(n, x, c):
    """psi^(n)(x) for n >= 1, 0 < x < inf: recurrence up to x >= 20 + n, then the
    asymptotic series with c[k] = B_2k (2k + n - 1)! / (2k)! (c[0] = (n - 1)!)."""
    s = 0.0
    lim = 20.0 + n
    while x < lim:
        p = _ipow(x, n + 1)
        s += np.inf if p == 0.0 else 1.0 / p
        x += 1.0
    z = 1.0 / x
    zz = z * z
    zn = _ipow(z, n)
    t = c[0] * zn + 0.5 * c[0] * n * zn * z       # (n-1)!/x^n + n!/(2 x^(n+1))
    zk = zn
    for k in range(1, c.shape[0]):
        zk = zk * zz
        t += c[k] * zk
    # psi^(n)(x) = (-1)^(n+1) (t + n! sum 1/(x+j)^(n+1))
    return t + c[0] * n * s


def _polygamma1(n, x, c, pcot):
    sgn = -1.0 if n % 2 == 0 else 1.0      # (-1)^(n+1)
    if x != x:
        return x
    if x == np.inf:
        return sgn * 0.0
    if x > 0.0:
        return sgn * _polygamma_pos(n, x, c)
    if x == -np.inf or _integral(x):
        return sgn * np.inf                # the poles 0, -1, ... and -inf (SciPy's values)
    # reflection, the n-th derivative of psi(1 - x) - psi(x) = pi cot(pi x):
    # psi^(n)(x) = (-1)^n psi^(n)(1 - x) - pi^(n+1) P_n(cot(pi x))
    ct = _cot_pi(x)
    pv = 0.0
    for j in range(pcot.shape[0] - 1, -1, -1):
        pv = pv * ct + pcot[j]
    return -sgn * sgn * _polygamma_pos(n, 1.0 - x, c) - _ipow(PI, n + 1) * pv


def _polygamma_tables(n):
    """(c, pcot): the asymptotic coefficients of _polygamma_pos and the
    coefficients of P_n (P_0(c) = c, P_(k+1) = -(1 + c^2) P_k'(c))."""
    b2k = np.array([1.0 / 6.0, -1.0 / 30.0, 1.0 / 42.0, -1.0 / 30.0, 5.0 / 66.0,
                    -691.0 / 2730.0, 7.0 / 6.0, -3617.0 / 510.0, 43867.0 / 798.0,
                    -174611.0 / 330.0])
    c = np.empty(11)
    f = 1.0
    for j in range(2, n):
        f *= j
    c[0] = f                               # (n - 1)!
    for k in range(1, 11):
        r = 1.0                            # (2k + n - 1)! / (2k)!
        for j in range(2 * k + 1, 2 * k + n):
            r *= j
        c[k] = b2k[k - 1] * r
    pcot = np.zeros(n + 2)
    pcot[1] = 1.0
    for _ in range(n):
        d = np.zeros(n + 2)                # -(1 + c^2) P'(c)
        for j in range(1, n + 2):
            d[j - 1] -= j * pcot[j]
            if j + 1 < n + 2:
                d[j + 1] -= j * pcot[j]
        pcot = d
    return c, pcot


def _ndtri_tail(q):
    """x < 0 with Phi(x) = q, 0 < q < 1/4: Abramowitz-Stegun 26.2.23, then Halley
    steps on Phi(x) - q divided by phi(x) (Mills' ratio series below x = -30,
    where phi(x) is no longer a normal float)."""
    t = math.sqrt(-2.0 * math.log(q))
    x = -(t - (2.515517 + t * (0.802853 + t * 0.010328)) /
          (1.0 + t * (1.432788 + t * (0.189269 + t * 0.001308))))
    for _ in range(40):
        if x > -30.0:
            r = (0.5 * math.erfc(-x * INV_SQRT2) - q) * SQRT_2PI * math.exp(0.5 * x * x)
        else:
            z = 1.0 / (x * x)
            mills = (1.0 - z * (1.0 - z * (3.0 - z * (15.0 - z * (105.0 - z * (
                945.0 - z * 10395.0)))))) / -x
            r = mills - math.exp(math.log(q) + 0.5 * x * x + HALF_LOG_2PI)
        dx = r / (1.0 + 0.5 * x * r)
        x -= dx
        if abs(dx) <= 1e-16 * abs(x):
            break
    return x


def _ndtri_mid(d):
    """x with Phi(x) - 1/2 = d, |d| <= 1/4 (d exact): Halley steps on
    erf(x/sqrt2)/2 - d, which keep the relative precision of tiny x."""
    x = SQRT_2PI * d
    for _ in range(40):
        r = (0.5 * math.erf(x * INV_SQRT2) - d) * SQRT_2PI * math.exp(0.5 * x * x)
        dx = r / (1.0 + 0.5 * x * r)
        x -= dx
        if abs(dx) <= 1e-16 * abs(x):
            break
    return x


def _ndtri1(p):
    if not (p >= 0.0 and p <= 1.0):
        return np.nan                      # (NaN too)
    if p == 0.0:
        return -np.inf
    if p == 1.0:
        return np.inf
    if p == 0.5:
        return 0.0
    if p >= 0.25 and p <= 0.75:
        return _ndtri_mid(p - 0.5)         # (exact: Sterbenz)
    if p < 0.5:
        return _ndtri_tail(p)
    return -_ndtri_tail(1.0 - p)           # (exact for p >= 1/2)


def _gammaln_blk(x, out, s, e):
    for k in range(s, e):
        out[k] = _gammaln1(float(x[k]))


#pythran export gammaln(float64[:], float64[:], int)
#pythran export gammaln(float32[:], float32[:], int)
def gammaln(x, out, nt):
    """out = log|Gamma(x)| (the C library's lgamma; inf at the poles)"""
    n = x.shape[0]
    nb = (n + BS - 1) // BS
    if nt <= 1 or n < PAR_MIN_T:
        for b in range(nb):
            _gammaln_blk(x, out, b * BS, min(n, (b + 1) * BS))
    else:
        #omp parallel for num_threads(nt)
        for b in range(nb):
            _gammaln_blk(x, out, b * BS, min(n, (b + 1) * BS))


def _digamma_blk(x, out, s, e):
    for k in range(s, e):
        out[k] = _digamma1(float(x[k]))


#pythran export digamma(float64[:], float64[:], int)
#pythran export digamma(float32[:], float32[:], int)
def digamma(x, out, nt):
    """out = psi(x) = d/dx log Gamma(x)"""
    n = x.shape[0]
    nb = (n + BS - 1) // BS
    if nt <= 1 or n < PAR_MIN_T:
        for b in range(nb):
            _digamma_blk(x, out, b * BS, min(n, (b + 1) * BS))
    else:
        #omp parallel for num_threads(nt)
        for b in range(nb):
            _digamma_blk(x, out, b * BS, min(n, (b + 1) * BS))


def _polygamma_blk(m, x, out, s, e, c, pcot):
    for k in range(s, e):
        out[k] = _polygamma1(m, float(x[k]), c, pcot)


#pythran export polygamma(int, float64[:], float64[:], int)
#pythran export polygamma(int, float32[:], float32[:], int)
def polygamma(m, x, out, nt):
    """out = psi^(m)(x), the m-th derivative of digamma (m >= 1)"""
    c, pcot = _polygamma_tables(m)
    n = x.shape[0]
    nb = (n + BS - 1) // BS
    if nt <= 1 or n < PAR_MIN_T:
        for b in range(nb):
            _polygamma_blk(m, x, out, b * BS, min(n, (b + 1) * BS), c, pcot)
    else:
        #omp parallel for num_threads(nt)
        for b in range(nb):
            _polygamma_blk(m, x, out, b * BS, min(n, (b + 1) * BS), c, pcot)


def _ndtri_blk(x, out, s, e):
    for k in range(s, e):
        out[k] = _ndtri1(float(x[k]))


#pythran export ndtri(float64[:], float64[:], int)
#pythran export ndtri(float32[:], float32[:], int)
def ndtri(x, out, nt):
    """out = the x-quantile of the standard normal distribution (Phi^-1(x))"""
    n = x.shape[0]
    nb = (n + BS - 1) // BS
    if nt <= 1 or n < PAR_MIN_T:
        for b in range(nb):
            _ndtri_blk(x, out, b * BS, min(n, (b + 1) * BS))
    else:
        #omp parallel for num_threads(nt)
        for b in range(nb):
            _ndtri_blk(x, out, b * BS, min(n, (b + 1) * BS))
