"""FFT extension: round trips (ifft(fft(x)), irfft(rfft(x), n), fftn/ifftn,
fftshift/ifftshift), result dtypes (float32 -> complex64) and shapes, values
vs NumPy, ``norm=`` strings."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import minitensor as xp
from conformance_helpers import (
    NP_DTYPE, assert_tensor, conformance_settings, finite_arrays, to_np, xps,
)

COMPLEX_OF = {xp.float32: xp.complex64, xp.float64: xp.complex128,
              xp.complex64: xp.complex64, xp.complex128: xp.complex128}
REAL_OF = {xp.complex64: xp.float32, xp.complex128: xp.float64}
norms = st.sampled_from(["backward", "ortho", "forward"])
_shapes = xps.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6)


@st.composite
def signals(draw, complex_ok=True, shape=_shapes):
    dtype = draw(st.sampled_from([xp.float32, xp.float64] +
                                 ([xp.complex64, xp.complex128] if complex_ok else [])))
    if dtype in (xp.complex64, xp.complex128):
        real = draw(finite_arrays(REAL_OF[dtype], shape, lo=-10, hi=10))
        imag = draw(finite_arrays(REAL_OF[dtype], real.shape, lo=-10, hi=10))
        return xp.asarray(to_np(real) + 1j * to_np(imag), dtype=dtype)
    return draw(finite_arrays(dtype, shape, lo=-10, hi=10))


def _tol(dtype):
    return 1e-3 if dtype in (xp.float32, xp.complex64) else 1e-9


@conformance_settings
@given(x=signals(), norm=norms, data=st.data())
def test_fft_ifft_round_trip(x, norm, data):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    f = xp.fft.fft(x, axis=axis, norm=norm)
    assert f.dtype == COMPLEX_OF[x.dtype] and f.shape == x.shape
    assert_tensor(f, np.fft.fft(to_np(x), axis=axis, norm=norm).astype(NP_DTYPE[f.dtype]),
                  rtol=_tol(x.dtype), atol=_tol(x.dtype) * 100)
    back = xp.fft.ifft(f, axis=axis, norm=norm)
    np.testing.assert_allclose(to_np(back), to_np(x), rtol=_tol(x.dtype), atol=_tol(x.dtype) * 100)


@conformance_settings
@given(x=signals(complex_ok=False), norm=norms)
def test_rfft_irfft_round_trip(x, norm):
    n = x.shape[-1]
    f = xp.fft.rfft(x, norm=norm)
    assert f.shape == x.shape[:-1] + (n // 2 + 1,) and f.dtype == COMPLEX_OF[x.dtype]
    back = xp.fft.irfft(f, n=n, norm=norm)
    assert back.dtype == x.dtype and back.shape == x.shape
    assert_tensor(back, to_np(x), rtol=_tol(x.dtype), atol=_tol(x.dtype) * 100)
    # hfft/ihfft pair (Hermitian signals)
    h = xp.fft.ihfft(x, norm=norm)
    assert h.shape == f.shape
    assert_tensor(xp.fft.hfft(h, n=n, norm=norm), to_np(x), rtol=_tol(x.dtype),
                  atol=_tol(x.dtype) * 100)


@conformance_settings
@given(x=signals(), norm=norms)
def test_fftn_ifftn_round_trip(x, norm):
    f = xp.fft.fftn(x, norm=norm)
    assert_tensor(f, np.fft.fftn(to_np(x), norm=norm).astype(NP_DTYPE[f.dtype]),
                  rtol=_tol(x.dtype), atol=_tol(x.dtype) * 1000)
    np.testing.assert_allclose(to_np(xp.fft.ifftn(f, norm=norm)), to_np(x), rtol=_tol(x.dtype),
                               atol=_tol(x.dtype) * 100)
    if x.dtype in (xp.float32, xp.float64):
        r = xp.fft.rfftn(x, norm=norm)
        back = xp.fft.irfftn(r, s=x.shape, norm=norm)
        assert_tensor(back, to_np(x), rtol=_tol(x.dtype), atol=_tol(x.dtype) * 100)


@conformance_settings
@given(x=signals())
def test_fftshift_inverse(x):
    s = xp.fft.fftshift(x)
    assert_tensor(s, np.fft.fftshift(to_np(x)))
    assert_tensor(xp.fft.ifftshift(s), to_np(x))


@conformance_settings
@given(n=st.integers(1, 20), d=st.floats(0.1, 10), dtype=st.sampled_from([xp.float32, xp.float64]))
def test_frequencies(n, d, dtype):
    f = xp.fft.fftfreq(n, d=d, dtype=dtype)
    assert f.dtype == dtype and f.shape == (n,)
    np.testing.assert_allclose(to_np(f), np.fft.fftfreq(n, d=d), rtol=1e-5)
    r = xp.fft.rfftfreq(n, d=d, dtype=dtype)
    assert r.shape == (n // 2 + 1,)
    np.testing.assert_allclose(to_np(r), np.fft.rfftfreq(n, d=d), rtol=1e-5)


def test_bad_norm_raises():
    with pytest.raises(ValueError):
        xp.fft.fft(xp.ones(4), norm="bogus")
