"""The ``fft`` extension compared with NumPy (values, dtypes, shapes), round
trips, frequency helpers and bad input. Forward tests are driven by
``records_fft.RECORDS``."""
import numpy as np
import pytest

import minitensor as xp
from op_records import random_input, records

RECS = records(category="fft")
DTYPES = {
    "complex floating-point": ("complex64", "complex128"),
    "real floating-point": ("float32", "float64"),
    "all": ("bool", "int32", "float32", "complex128"),
}


def _cases():
    for rec in RECS:
        for dt in DTYPES[rec.dtypes]:
            for shape in rec.shapes:
                for kw in ({}, rec.kwargs):
                    yield pytest.param(rec, dt, shape, kw,
                                       id=f"{rec.name}-{dt}-{shape}-{'kw' if kw else 'default'}")


@pytest.mark.parametrize("rec, dt, shape, kw", list(_cases()))
def test_forward_vs_numpy(rec, dt, shape, kw):
    a = random_input(np.random.default_rng(0), shape, dt)
    func = getattr(xp.fft, rec.name.split(".")[1])
    got = func(xp.asarray(a), **kw)
    want = rec.ref(a, **kw)
    assert got.shape == want.shape
    assert np.asarray(got).dtype == want.dtype
    rtol, atol = rec.tol(dt)
    if want.dtype.kind in "fc":
        np.testing.assert_allclose(np.asarray(got), want, rtol=rtol, atol=atol * max(1, a.size))
    else:
        np.testing.assert_array_equal(np.asarray(got), want)


def test_every_function_has_a_record():
    names = {r.name for r in RECS} | {"fft.fftfreq", "fft.rfftfreq"}
    assert {f"fft.{n}" for n in xp.fft.__all__} == names


def test_exports():
    import minitensor.fft
    assert xp.fft is minitensor.fft and "fft" in xp.__all__


# ---------------------------------------------------------------- dtypes
@pytest.mark.parametrize("name, dt, want", [
    ("fft", "float32", "complex64"), ("fft", "float64", "complex128"),
    ("fft", "int64", "complex128"), ("ifftn", "float32", "complex64"),
    ("rfft", "float32", "complex64"), ("rfftn", "int16", "complex128"),
    ("ihfft", "float32", "complex64"), ("irfft", "complex64", "float32"),
    ("hfft", "complex128", "float64"), ("irfftn", "float32", "float32"),
    ("hfft", "float32", "float32"),
])
def test_result_dtypes(name, dt, want):
    a = random_input(np.random.default_rng(1), (4, 6), dt)
    r = getattr(xp.fft, name)(xp.asarray(a))
    assert r.dtype == getattr(xp, want)
    ref = getattr(np.fft, name)(a)
    np.testing.assert_allclose(np.asarray(r), ref, rtol=1e-5, atol=1e-4)


# ---------------------------------------------------------------- round trips
@pytest.mark.parametrize("norm", ["backward", "ortho", "forward"])
@pytest.mark.parametrize("dt", ["complex64", "complex128"])
def test_round_trips(norm, dt):
    rng = np.random.default_rng(2)
    x = xp.asarray(random_input(rng, (3, 8), dt))
    tol = 1e-5 if dt == "complex64" else 1e-12
    back = xp.fft.ifft(xp.fft.fft(x, norm=norm), norm=norm)
    np.testing.assert_allclose(np.asarray(back), np.asarray(x), atol=tol)
    back = xp.fft.ifftn(xp.fft.fftn(x, norm=norm), norm=norm)
    np.testing.assert_allclose(np.asarray(back), np.asarray(x), atol=tol)
    r = xp.real(x)
    np.testing.assert_allclose(np.asarray(xp.fft.irfft(xp.fft.rfft(r, norm=norm), n=8,
                                                       norm=norm)), np.asarray(r), atol=tol)
    np.testing.assert_allclose(np.asarray(xp.fft.irfftn(xp.fft.rfftn(r, norm=norm),
                                                        s=(3, 8), axes=(0, 1), norm=norm)),
                               np.asarray(r), atol=tol)
    np.testing.assert_allclose(np.asarray(xp.fft.hfft(xp.fft.ihfft(r, norm=norm), n=8,
                                                      norm=norm)), np.asarray(r), atol=tol)


def test_s_minus_one_and_s_without_axes():
    a = random_input(np.random.default_rng(3), (3, 4, 5), "complex128")
    got = xp.fft.fftn(xp.asarray(a), s=(-1, 6), axes=(0, 2))
    np.testing.assert_allclose(np.asarray(got), np.fft.fftn(a, s=(3, 6), axes=(0, 2)))
    # Note: s without axes means the last len(s) axes (NumPy, SciPy)
    got = xp.fft.fftn(xp.asarray(a), s=(2, 3))
    np.testing.assert_allclose(np.asarray(got), np.fft.fftn(a, s=(2, 3), axes=(1, 2)))
    got = xp.fft.irfftn(xp.asarray(a), s=(-1, -1), axes=(0, 2))
    assert got.shape == (3, 4, 8)


# ---------------------------------------------------------------- frequencies
@pytest.mark.parametrize("n", [1, 2, 7, 8])
@pytest.mark.parametrize("d", [1.0, 0.25])
@pytest.mark.parametrize("dtype", [None, xp.float32, xp.float64])
def test_frequencies(n, d, dtype):
    want_dt = np.float32 if dtype == xp.float32 else np.float64
    f = xp.fft.fftfreq(n, d=d, dtype=dtype, device="cpu")
    assert f.dtype == (dtype or xp.float64)
    np.testing.assert_allclose(np.asarray(f), np.fft.fftfreq(n, d).astype(want_dt))
    f = xp.fft.rfftfreq(n, d=d, dtype=dtype)
    assert f.dtype == (dtype or xp.float64) and f.shape == (n // 2 + 1,)
    np.testing.assert_allclose(np.asarray(f), np.fft.rfftfreq(n, d).astype(want_dt))


def test_shift_inverts():
    x = xp.asarray(np.arange(15.0).reshape(3, 5))
    for axes in (None, 0, (1,), (0, 1)):
        y = xp.fft.ifftshift(xp.fft.fftshift(x, axes=axes), axes=axes)
        np.testing.assert_array_equal(np.asarray(y), np.asarray(x))


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("name", ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fftn",
                                  "ifftn", "rfftn", "irfftn"])
def test_bad_norm_and_bool(name):
    x = xp.ones((4, 4))
    with pytest.raises(ValueError, match="norm"):
        getattr(xp.fft, name)(x, norm="ortho2")
    with pytest.raises(ValueError, match="norm"):
        getattr(xp.fft, name)(x, norm=1)
    with pytest.raises(TypeError, match=rf"{name}.*bool"):
        getattr(xp.fft, name)(xp.ones(4, dtype=xp.bool))


@pytest.mark.parametrize("name", ["rfft", "ihfft", "rfftn"])
def test_complex_input_to_real_transform(name):
    with pytest.raises(TypeError, match=rf"{name}.*complex128"):
        getattr(xp.fft, name)(xp.ones(4, dtype=xp.complex128))


def test_bad_sizes_and_axes():
    x = xp.ones((4, 4), dtype=xp.complex128)
    for bad in (0, -2):
        with pytest.raises(ValueError, match="n="):
            xp.fft.fft(x, n=bad)
    with pytest.raises(TypeError):
        xp.fft.fft(x, n=2.0)
    with pytest.raises(IndexError):
        xp.fft.fft(x, axis=2)
    with pytest.raises(IndexError):
        xp.fft.fftn(x, axes=(0, 5))
    with pytest.raises(ValueError, match="same length"):
        xp.fft.fftn(x, s=(2, 2), axes=(0,))
    with pytest.raises(ValueError, match="s="):
        xp.fft.fftn(x, s=(0,), axes=(0,))
    with pytest.raises(ValueError, match="n=0"):
        xp.fft.irfft(xp.ones((4, 1), dtype=xp.complex64))  # default n = 2 * (1 - 1)
    with pytest.raises(ValueError):
        xp.fft.fftfreq(0)
    with pytest.raises(ValueError):
        xp.fft.fftfreq(4, d=0.0)
    with pytest.raises(TypeError, match="dtype"):
        xp.fft.fftfreq(4, dtype=xp.complex64)
    with pytest.raises(ValueError, match="device"):
        xp.fft.rfftfreq(4, device="gpu")
    with pytest.raises(IndexError):
        xp.fft.fftshift(x, axes=(3,))


@pytest.mark.parametrize("call", [
    lambda x: xp.fft.fft(x, axis=2), lambda x: xp.fft.ifft(x, axis=-3),
    lambda x: xp.fft.rfft(x, axis=2), lambda x: xp.fft.fftn(x, axes=(0, 5)),
    lambda x: xp.fft.irfftn(x, axes=(-3,)), lambda x: xp.fft.ifftshift(x, axes=2),
])
def test_axis_out_of_range_names_axis_and_ndim(call):
    with pytest.raises(IndexError, match=r"axis -?\d+ is out of bounds .*dimension 2"):
        call(xp.ones((2, 4)))
