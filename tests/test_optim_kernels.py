"""Tests of the RMSprop, Adagrad, Adamax and NAdam kernels (minitensor/_pythran/_optim.py)
and their glue (minitensor/_kernels.py), against float64 NumPy references written
independently from PyTorch's formulas; same style as tests/test_kernels.py."""
import numpy as np
import pytest

from minitensor import _kernels as K

DTYPES = [np.float32, np.float64]
TOL = {np.float32: dict(rtol=2e-5, atol=2e-6), np.float64: dict(rtol=1e-12, atol=1e-14)}
# empty, tiny, odd, not a multiple of the block size (8192), above the parallel threshold (2**17)
SIZES = [0, 1, 37, 16387, 2 ** 17 + 4097]
STEPS = 3


def rand(n, dtype, seed=0, scale=1.0):
    return (scale * np.random.default_rng(seed).standard_normal(n)).astype(dtype)


def grad(n, dtype, seed):
    """Gradients with 0.5 <= |g| <= 2.5: the adaptive updates divide by |g|-sized
    quantities, so float32 results of gradients near 0 are ill-conditioned."""
    u = np.random.default_rng(seed).standard_normal(n)
    return (np.sign(u) * (0.5 + np.minimum(np.abs(u), 2.0))).astype(dtype)


def _close(got, ref, dtype):
    np.testing.assert_allclose(got.astype(np.float64), ref, **TOL[dtype])


# ---------------------------------------------------------------------------
# float64 references (one step)

def _grad(p, g, wd, maximize):
    d = -g if maximize else g
    return d + wd * p if wd else d


def _rmsprop_ref(p, g, sq, ga, buf, lr, alpha, eps, wd, momentum, centered, maximize):
    d = _grad(p, g, wd, maximize)
    sq = alpha * sq + (1 - alpha) * d * d
    if centered:
        ga = alpha * ga + (1 - alpha) * d
        avg = np.sqrt(sq - ga * ga) + eps
    else:
        avg = np.sqrt(sq) + eps
    if momentum > 0:
        buf = momentum * buf + d / avg
        p = p - lr * buf
    else:
        p = p - lr * d / avg
    return p, sq, ga, buf


def _adagrad_ref(p, g, s, step, lr, lr_decay, eps, wd, maximize):
    d = _grad(p, g, wd, maximize)
    s = s + d * d
    return p - lr / (1 + (step - 1) * lr_decay) * d / (np.sqrt(s) + eps), s


def _adamax_ref(p, g, m, u, step, lr, b1, b2, eps, wd, maximize):
    d = _grad(p, g, wd, maximize)
    m = b1 * m + (1 - b1) * d
    u = np.maximum(b2 * u, np.abs(d) + eps)
    return p - lr / (1 - b1 ** step) * m / u, m, u


def _nadam_coefs(step, lr, b1, psi, mu_prod):
    mu = b1 * (1 - 0.5 * 0.96 ** (step * psi))
    mu_next = b1 * (1 - 0.5 * 0.96 ** ((step + 1) * psi))
    mu_prod = mu_prod * mu
    return mu, mu_next, mu_prod


def _nadam_ref(p, g, m, v, step, lr, b1, b2, eps, wd, decoupled, maximize, psi, mu_prod):
    d = -g if maximize else g
    if wd:
        if decoupled:
            p = p * (1 - lr * wd)
        else:
            d = d + wd * p
    mu, mu_next, mu_prod2 = _nadam_coefs(step, lr, b1, psi, mu_prod)
    m = b1 * m + (1 - b1) * d
    v = b2 * v + (1 - b2) * d * d
    denom = np.sqrt(v / (1 - b2 ** step)) + eps
    p = p - lr * (1 - mu) / (1 - mu_prod2) * d / denom \
        - lr * mu_next / (1 - mu_prod2 * mu_next) * m / denom
    return p, m, v, mu_prod2


# ---------------------------------------------------------------------------
# glue vs references

RMSPROP_KW = [
    dict(),
    dict(weight_decay=0.1, maximize=True),
    dict(centered=True),
    dict(momentum=0.9, centered=True, weight_decay=0.01),
    dict(momentum=0.5),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("kw", RMSPROP_KW, ids=str)
def test_rmsprop(kw, n, dtype):
    full = dict(weight_decay=0.0, momentum=0.0, centered=False, maximize=False) | kw
    p = rand(n, dtype, 1, 0.5)
    sq, ga, buf = np.zeros(n, dtype), np.zeros(n, dtype), np.zeros(n, dtype)
    r = [a.astype(np.float64) for a in (p, sq, ga, buf)]
    for step in range(STEPS):
        g = grad(n, dtype, 10 + step)
        K.rmsprop_step(p, g, sq, lr=0.01, alpha=0.9, eps=1e-8,
                       grad_avg=ga if full["centered"] else None,
                       momentum_buffer=buf if full["momentum"] > 0 else None, **kw)
        r = _rmsprop_ref(r[0], g.astype(np.float64), *r[1:], 0.01, 0.9, 1e-8,
                         full["weight_decay"], full["momentum"], full["centered"],
                         full["maximize"])
    for got, ref in zip((p, sq, ga, buf), r):
        assert got.dtype == dtype
        _close(got, ref, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("kw", [dict(), dict(weight_decay=0.1, maximize=True)], ids=str)
def test_adagrad(kw, n, dtype):
    full = dict(weight_decay=0.0, maximize=False) | kw
    p, s = rand(n, dtype, 1, 0.5), np.full(n, 0.1, dtype)
    rp, rs = p.astype(np.float64), s.astype(np.float64)
    for step in range(1, STEPS + 1):
        g = grad(n, dtype, 10 + step)
        K.adagrad_step(p, g, s, clr=0.1 / (1 + (step - 1) * 0.01), eps=1e-10, **kw)
        rp, rs = _adagrad_ref(rp, g.astype(np.float64), rs, step, 0.1, 0.01, 1e-10,
                              full["weight_decay"], full["maximize"])
    _close(p, rp, dtype)
    _close(s, rs, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("kw", [dict(), dict(weight_decay=0.1, maximize=True)], ids=str)
def test_adamax(kw, n, dtype):
    full = dict(weight_decay=0.0, maximize=False) | kw
    p, m, u = rand(n, dtype, 1, 0.5), np.zeros(n, dtype), np.zeros(n, dtype)
    r = (p.astype(np.float64), m.astype(np.float64), u.astype(np.float64))
    for step in range(1, STEPS + 1):
        g = grad(n, dtype, 10 + step)
        K.adamax_step(p, g, m, u, clr=0.01 / (1 - 0.9 ** step), beta1=0.9, beta2=0.999,
                      eps=1e-8, **kw)
        r = _adamax_ref(r[0], g.astype(np.float64), r[1], r[2], step, 0.01, 0.9, 0.999, 1e-8,
                        full["weight_decay"], full["maximize"])
    for got, ref in zip((p, m, u), r):
        _close(got, ref, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("kw", [dict(), dict(weight_decay=0.1),
                                dict(weight_decay=0.1, decoupled_weight_decay=True, maximize=True)],
                         ids=str)
def test_nadam(kw, n, dtype):
    full = dict(weight_decay=0.0, decoupled_weight_decay=False, maximize=False) | kw
    p, m, v = rand(n, dtype, 1, 0.5), np.zeros(n, dtype), np.zeros(n, dtype)
    r = (p.astype(np.float64), m.astype(np.float64), v.astype(np.float64))
    mu_prod = rmu_prod = 1.0
    lr, b1, b2, psi = 0.01, 0.9, 0.999, 4e-3
    for step in range(1, STEPS + 1):
        g = grad(n, dtype, 10 + step)
        mu, mu_next, mu_prod = _nadam_coefs(step, lr, b1, psi, mu_prod)
        K.nadam_step(p, g, m, v, lr=lr, beta1=b1, beta2=b2, eps=1e-8,
                     bias_correction2=1 - b2 ** step,
                     coef_grad=-lr * (1 - mu) / (1 - mu_prod),
                     coef_avg=-lr * mu_next / (1 - mu_prod * mu_next), **kw)
        *r, rmu_prod = _nadam_ref(r[0], g.astype(np.float64), r[1], r[2], step, lr, b1, b2,
                                  1e-8, full["weight_decay"], full["decoupled_weight_decay"],
                                  full["maximize"], psi, rmu_prod)
    for got, ref in zip((p, m, v), r):
        _close(got, ref, dtype)


def _all_steps(p, g, bufs):
    K.rmsprop_step(p[0], g, bufs[0], lr=0.01, alpha=0.9, eps=1e-8, momentum=0.9, centered=True,
                   grad_avg=bufs[1], momentum_buffer=bufs[2])
    K.adagrad_step(p[1], g, bufs[3], clr=0.01, eps=1e-10, weight_decay=0.1)
    K.adamax_step(p[2], g, bufs[4], bufs[5], clr=0.01, beta1=0.9, beta2=0.99, eps=1e-8)
    K.nadam_step(p[3], g, bufs[6], bufs[7], lr=0.01, beta1=0.9, beta2=0.99, eps=1e-8,
                 bias_correction2=0.01, coef_grad=-0.001, coef_avg=-0.002, weight_decay=0.1)


@pytest.mark.parametrize("dtype", DTYPES)
def test_threads_bit_identical(dtype, threads):
    n = 2 ** 17 + 4097
    results = []
    for nt in (1, 2):
        threads(nt)
        p = [rand(n, dtype, i) for i in range(4)]
        bufs = [np.zeros(n, dtype) for _ in range(8)]
        for step in range(2):
            _all_steps(p, grad(n, dtype, 20 + step), bufs)
        results.append(p + bufs)
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", [np.float16, np.longdouble])
def test_other_float_dtypes_use_the_source(dtype):
    n = 11
    p = [rand(n, dtype, i) for i in range(4)]
    bufs = [np.zeros(n, dtype) for _ in range(8)]
    p64 = [a.astype(np.float64) for a in p]
    bufs64 = [np.zeros(n) for _ in range(8)]
    g = grad(n, dtype, 9)
    _all_steps(p, g, bufs)
    _all_steps(p64, g.astype(np.float64), bufs64)
    for a, b in zip(p + bufs, p64 + bufs64):
        assert a.dtype == dtype
        np.testing.assert_allclose(a.astype(np.float64), b, rtol=5e-3, atol=5e-3)


def test_strided_and_non_native_state_is_written_back():
    n = 9
    p = rand(2 * n, np.float64, 1)[::2]
    s = np.full(2 * n, 0.5)[::2]
    big = np.zeros(n, dtype=">f8")
    ref_p, ref_s = _adagrad_ref(p.copy(), np.ones(n), s.copy(), 1, 0.1, 0.0, 1e-10, 0.0, False)
    K.adagrad_step(p, np.ones(n), s, clr=0.1, eps=1e-10)
    np.testing.assert_allclose(p, ref_p, rtol=1e-12)
    np.testing.assert_allclose(s, ref_s, rtol=1e-12)
    q = rand(n, np.float64, 2)
    m = np.zeros(n)
    K.adamax_step(q, np.ones(n), m, big, clr=0.1, beta1=0.9, beta2=0.99, eps=1e-8)
    np.testing.assert_allclose(big, np.ones(n) + 1e-8)
    assert big.dtype == np.dtype(">f8")


def test_bad_arguments():
    f = np.ones(5)
    with pytest.raises(ValueError, match="rmsprop_step: shape mismatch"):
        K.rmsprop_step(f.copy(), np.ones(4), f.copy(), lr=0.1, alpha=0.9, eps=1e-8)
    with pytest.raises(ValueError, match="centered=True needs the grad_avg"):
        K.rmsprop_step(f.copy(), f, f.copy(), lr=0.1, alpha=0.9, eps=1e-8, centered=True)
    with pytest.raises(ValueError, match="momentum > 0 needs the momentum_buffer"):
        K.rmsprop_step(f.copy(), f, f.copy(), lr=0.1, alpha=0.9, eps=1e-8, momentum=0.9)
    with pytest.raises(TypeError, match="adagrad_step.*int64"):
        K.adagrad_step(np.ones(5, np.int64), f, f.copy(), clr=0.1, eps=1e-10)
    with pytest.raises(TypeError, match="adamax_step: exp_inf has dtype float32"):
        K.adamax_step(f.copy(), f, f.copy(), np.ones(5, np.float32), clr=0.1, beta1=0.9,
                      beta2=0.9, eps=1e-8)
    with pytest.raises(ValueError, match="nadam_step: invalid beta2"):
        K.nadam_step(f.copy(), f, f.copy(), f.copy(), lr=0.1, beta1=0.9, beta2=1.0, eps=1e-8,
                     bias_correction2=0.1, coef_grad=-0.1, coef_avg=-0.1)
    with pytest.raises(TypeError, match="adagrad_step: clr must be a real number"):
        K.adagrad_step(f.copy(), f, f.copy(), clr="0.1", eps=1e-10)
    ro = np.ones(5)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="adagrad_step: state_sum is read-only"):
        K.adagrad_step(f.copy(), f, ro, clr=0.1, eps=1e-10)
