"""Regression tests of issue 11 (namespace hardening).

1. thread counts: ``set_num_threads`` / ``MINITENSOR_NUM_THREADS`` are capped
   (a huge count crashed the first parallel kernel);
2. ``diff`` with a huge ``n`` returns the empty result at once (it hung);
3. ``asarray`` of a sequence holding NumPy scalars or 0-d tensors infers the
   dtype as ``numpy.asarray`` does (``[np.int32(1), np.int32(2)]`` is int32);
4. ``where(condition)`` with one argument is ``nonzero(condition)``;
5. axis, broadcasting and string-data errors carry NumPy's wording, which
   SciPy's tests match;
6. ``Tensor.real`` / ``Tensor.imag``.
"""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import minitensor as xp
from minitensor import _kernels as K

_REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _run(code, env=None, timeout=120):
    """Run ``code`` in a fresh interpreter; the completed process."""
    full_env = dict(os.environ)
    full_env.pop("MINITENSOR_NUM_THREADS", None)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=full_env,
                          cwd=_REPO, capture_output=True, text=True, timeout=timeout)


# ---------------------------------------------------------------------------
# 1. thread count
# ---------------------------------------------------------------------------
@pytest.fixture
def restore_threads():
    old = K.get_num_threads()
    yield
    K.set_num_threads(old)


def test_thread_limit_value():
    assert K._MAX_NUM_THREADS == max(64, 4 * (os.cpu_count() or 1))


@pytest.mark.parametrize("n", [100_000, 40_000, 2 ** 63, 2 ** 31])
def test_set_num_threads_above_limit_raises(restore_threads, n):
    K.set_num_threads(1)
    with pytest.raises(ValueError, match="limit"):
        xp.set_num_threads(n)
    assert xp.get_num_threads() == 1  # unchanged
    with pytest.raises(ValueError, match="limit"):
        xp.set_num_threads(K._MAX_NUM_THREADS + 1)


def test_set_num_threads_at_limit(restore_threads):
    xp.set_num_threads(K._MAX_NUM_THREADS)
    assert xp.get_num_threads() == K._MAX_NUM_THREADS


def test_kernel_runs_at_thread_limit():
    # the largest accepted count really runs a parallel kernel (a sum above the
    # 2**20-element parallel threshold), in a child process in case it cannot
    r = _run("""
        import minitensor as xp
        from minitensor import _kernels as K
        xp.set_num_threads(K._MAX_NUM_THREADS)
        x = xp.ones(2 ** 21 + 5)
        print(float(xp.sum(x)))
    """)
    assert r.returncode == 0, r.stderr
    assert float(r.stdout) == 2 ** 21 + 5


@pytest.mark.parametrize("value", ["100000", "40000", str(2 ** 63), "99999999999999999999999"])
def test_env_num_threads_above_limit_warns_and_falls_back(value):
    # at import: a RuntimeWarning naming the variable and the limit, the default
    # count (the number of usable CPUs), and the kernels run
    r = _run("""
        import warnings
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            import minitensor as xp
        from minitensor import _kernels as K
        msgs = [str(m.message) for m in w if m.category is RuntimeWarning]
        assert any("MINITENSOR_NUM_THREADS" in m and "limit" in m for m in msgs), msgs
        assert xp.get_num_threads() == K._cpu_count(), xp.get_num_threads()
        print(float(xp.sum(xp.ones(2 ** 21 + 5))))
    """, env={"MINITENSOR_NUM_THREADS": value})
    assert r.returncode == 0, (r.returncode, r.stderr[-2000:])
    assert float(r.stdout) == 2 ** 21 + 5


def test_env_num_threads_in_range_is_used():
    r = _run("import minitensor as xp; print(xp.get_num_threads())",
             env={"MINITENSOR_NUM_THREADS": "3"})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "3"


def test_initial_num_threads_limit(monkeypatch):
    monkeypatch.setenv("MINITENSOR_NUM_THREADS", str(K._MAX_NUM_THREADS))
    assert K._initial_num_threads() == K._MAX_NUM_THREADS
    monkeypatch.setenv("MINITENSOR_NUM_THREADS", str(K._MAX_NUM_THREADS + 1))
    with pytest.warns(RuntimeWarning, match="limit"):
        assert K._initial_num_threads() == K._cpu_count()


# ---------------------------------------------------------------------------
# 2. diff with a large n
# ---------------------------------------------------------------------------
def test_diff_huge_n_returns_at_once():
    # NumPy (and the old code) take n differences one by one: 2**62 never ends.
    # In a child process, so that a regression fails instead of hanging the suite.
    r = _run("""
        import minitensor as xp
        x = xp.asarray([[1, 4, 9], [2, 3, 5]], dtype=xp.int16)
        for kw in ({}, {"axis": 0}, {"prepend": xp.zeros((2, 1), dtype=xp.int16)}):
            r = xp.diff(x, n=2 ** 62, **kw)
            print(r.shape, r.dtype.name)
        print(xp.diff(xp.ones(5), n=10 ** 18).shape)
        # the gradient of an empty result
        f = xp.asarray([1.0, 2.0, 4.0])
        f.requires_grad_()
        xp.sum(xp.diff(f, n=2 ** 62, append=xp.asarray([3.0]))).backward()
        print(f.grad.tolist())
    """, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split("\n")[:5] == ["(2, 0) int16", "(0, 3) int16", "(2, 0) int16", "(0,)",
                                        "[0.0, 0.0, 0.0]"]


@pytest.mark.parametrize("pre,app", [(None, None), (2, None), (None, 1), (1, 3)])
@pytest.mark.parametrize("dtype", ["int8", "float32", "complex128"])
def test_diff_n_at_and_beyond_length_matches_numpy(pre, app, dtype):
    rng = np.random.default_rng(11)
    a = (rng.standard_normal((3, 4)) * 10).astype(dtype)
    kw_np, kw_xp = {}, {}
    if pre is not None:
        p = np.ones((3, pre), dtype)
        kw_np["prepend"], kw_xp["prepend"] = p, xp.asarray(p)
    if app is not None:
        q = np.full((3, app), 2, dtype)
        kw_np["append"], kw_xp["append"] = q, xp.asarray(q)
    total = 4 + (pre or 0) + (app or 0)
    for n in range(0, total + 3):
        if n == 0 and (pre or app):
            # Note: minitensor joins first (the standard's order); NumPy returns x
            ref = np.concatenate([v for v in (kw_np.get("prepend"), a, kw_np.get("append"))
                                  if v is not None], axis=1)
        else:
            ref = np.diff(a, n=n, axis=1, **kw_np)
        out = xp.diff(xp.asarray(a), n=n, axis=1, **kw_xp)
        assert out.shape == ref.shape == (3, max(total - n, 0)), (n, out.shape, ref.shape)
        assert out.dtype == xp.asarray(ref).dtype
        np.testing.assert_array_equal(np.asarray(out), ref)


def test_diff_negative_n_raises():
    with pytest.raises(ValueError, match="non-negative"):
        xp.diff(xp.ones(3), n=-1)
    with pytest.raises(ValueError):
        np.diff(np.ones(3), n=-1)  # as NumPy


def test_diff_beyond_length_gradient():
    x = xp.asarray([1.0, 2.0, 4.0])
    x.requires_grad_()
    y = xp.diff(x, n=7, prepend=xp.asarray([0.0, 1.0]))
    assert y.shape == (0,)
    xp.sum(y).backward()
    np.testing.assert_array_equal(np.asarray(x.grad), np.zeros(3))


# ---------------------------------------------------------------------------
# 3. asarray of sequences holding NumPy scalars / 0-d arrays / 0-d tensors
# ---------------------------------------------------------------------------
_NP_SCALAR_LISTS = [
    [np.int32(1), np.int32(2)],
    [np.int8(1), np.int8(-2), np.int8(3)],
    [np.uint16(1), np.uint16(2)],
    [np.float32(1), np.float32(2.5)],
    [np.complex64(1 + 2j), np.complex64(3)],
    [np.bool_(True), np.bool_(False)],
    [np.float32(1), 2.0],          # a Python float in a list counts as float64
    [np.int32(1), 2],              # a Python int as int64
    [np.int8(1), 300],
    [np.float32(1), True],         # bool does not widen float32
    [np.float32(1), 1j],
    [np.bool_(True), 2],
    [np.uint8(1), -1],
    [np.uint64(1), 1],             # uint64 with int64: float64, as NumPy
    [np.int32(1), np.int64(2)],
    [np.float32(1), np.int64(3)],
    [np.int16(1), np.float32(2)],
    [[np.int16(1), np.int16(2)], [np.int8(3), np.int8(4)]],
    [[np.float32(1)], [2]],
    [np.array(1, dtype=np.int32), np.array(2, dtype=np.int32)],  # 0-d NumPy arrays
    [np.array(1, dtype=np.float32), 2.0],
    (np.int32(5),),
]


@pytest.mark.parametrize("data", _NP_SCALAR_LISTS, ids=repr)
def test_asarray_numpy_scalars_follow_numpy(data):
    ref = np.asarray(data)
    out = xp.asarray(data)
    assert out.dtype == xp.asarray(ref).dtype, (out.dtype, ref.dtype)
    assert np.asarray(out).dtype == ref.dtype
    np.testing.assert_array_equal(np.asarray(out), ref)


def _tensorise(data):
    """The same nesting with each 0-d NumPy array/scalar replaced by a 0-d tensor."""
    if isinstance(data, (list, tuple)):
        return type(data)(_tensorise(v) for v in data)
    if isinstance(data, (np.generic, np.ndarray)):
        return xp.asarray(data)
    return data


@pytest.mark.parametrize("data", _NP_SCALAR_LISTS, ids=repr)
def test_asarray_zero_d_tensors_follow_numpy(data):
    # a 0-d tensor in a list counts as the 0-d array of its dtype, as in np.asarray
    ref = np.asarray(data)
    out = xp.asarray(_tensorise(data))
    assert np.asarray(out).dtype == ref.dtype, (out.dtype, ref.dtype)
    np.testing.assert_array_equal(np.asarray(out), ref)


@pytest.mark.parametrize("data,dtype", [
    ([1, 2], xp.int64), ([1.0, 2], xp.float64), ([1j, 2], xp.complex128),
    ([True, False], xp.bool), ([[1], [2.5]], xp.float64), ([], xp.float64),
])
def test_asarray_python_scalars_keep_defaults(data, dtype):
    assert xp.asarray(data).dtype == dtype


def test_asarray_numpy_scalars_with_dtype():
    out = xp.asarray([np.int32(1), np.int32(2)], dtype=xp.float32)
    assert out.dtype == xp.float32
    np.testing.assert_array_equal(np.asarray(out), [1.0, 2.0])


def test_asarray_numpy_scalars_errors():
    with pytest.raises(TypeError, match="no common numeric dtype"):
        xp.asarray([np.int32(1), 2 ** 70])
    with pytest.raises(TypeError, match="Value"):
        xp.asarray([np.str_("a"), 1])


# ---------------------------------------------------------------------------
# 4. where(condition)
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("cond", [
    [True, False, True, True], [0, 3, 0, -1], [0.0, np.nan, 2.5], [[True, False], [False, True]],
    [[[0, 1], [1, 0]], [[1, 1], [0, 0]]], [], [False, False],
], ids=repr)
def test_where_one_argument_is_nonzero(cond):
    ref = np.where(np.asarray(cond))
    out = xp.where(xp.asarray(cond))
    assert type(out) is tuple and len(out) == len(ref)
    for o, r in zip(out, ref):
        assert o.dtype == xp.int64
        np.testing.assert_array_equal(np.asarray(o), r)


def test_where_one_argument_with_grad():
    c = xp.asarray([1.0, 0.0, 2.0])
    c.requires_grad_()
    (i,) = xp.where(c)
    np.testing.assert_array_equal(np.asarray(i), [0, 2])


def test_where_needs_both_or_neither():
    c = xp.asarray([True, False])
    with pytest.raises(TypeError, match="both"):
        xp.where(c, xp.ones(2))
    with pytest.raises(ValueError):
        xp.where(xp.asarray(True))  # 0-d: as nonzero (NumPy raises too)


def test_where_three_arguments_unchanged():
    c = xp.asarray([True, False, True])
    out = xp.where(c, xp.asarray([1.0, 2.0, 3.0]), 0.0)
    assert out.dtype == xp.float64
    np.testing.assert_array_equal(np.asarray(out), [1.0, 0.0, 3.0])
    x = xp.asarray([1.0, -2.0])
    x.requires_grad_()
    xp.sum(xp.where(x > 0, x, 0.0)).backward()
    np.testing.assert_array_equal(np.asarray(x.grad), [1.0, 0.0])


def test_sklearn_roc_curve_drop_intermediate():
    sklearn = pytest.importorskip("sklearn")
    if os.environ.get("SCIPY_ARRAY_API") != "1":
        pytest.skip("scikit-learn's array_api_dispatch needs SCIPY_ARRAY_API=1")
    from sklearn.metrics import roc_curve
    y = np.array([0, 0, 1, 1, 0, 1, 1, 0, 1, 1.0])
    s = np.linspace(0, 1, 10)
    ref = roc_curve(y, s)
    with sklearn.config_context(array_api_dispatch=True):
        out = roc_curve(xp.asarray(y), xp.asarray(s))  # drop_intermediate=True
    for o, r in zip(out, ref):
        np.testing.assert_allclose(np.asarray(o), r)


# ---------------------------------------------------------------------------
# 5. error wording: NumPy's message is part of ours
# ---------------------------------------------------------------------------
_ONE = np.ones(3)
_AXIS_CASES = [
    ("sum", lambda m, a: m.sum(a, axis=2)),
    ("max", lambda m, a: m.max(a, axis=-2)),
    ("argmax", lambda m, a: m.argmax(a, axis=2)),
    ("count_nonzero", lambda m, a: m.count_nonzero(a, axis=2)),
    ("all", lambda m, a: m.all(a, axis=(0, 2))),
    ("cumulative_sum", lambda m, a: (m.cumulative_sum if m is xp else m.cumsum)(a, axis=2)),
    ("sort", lambda m, a: m.sort(a, axis=2)),
    ("argsort", lambda m, a: m.argsort(a, axis=2)),
    ("diff", lambda m, a: m.diff(a, axis=2)),
    ("expand_dims", lambda m, a: m.expand_dims(a, axis=3)),
    ("squeeze", lambda m, a: m.squeeze(a, axis=2)),
    ("flip", lambda m, a: m.flip(a, axis=2)),
    ("roll", lambda m, a: m.roll(a, 1, axis=2)),
    ("repeat", lambda m, a: m.repeat(a, 2, axis=2)),
    ("concat", lambda m, a: (m.concat if m is xp else m.concatenate)([a], axis=2)),
    ("stack", lambda m, a: m.stack([a], axis=3)),
    ("moveaxis source", lambda m, a: m.moveaxis(a, 3, 0)),
    ("moveaxis destination", lambda m, a: m.moveaxis(a, 0, -3)),
    ("permute_dims", lambda m, a: (m.permute_dims if m is xp else m.transpose)(a, (2,))),
    ("take", lambda m, a: m.take(a, (xp.asarray([0]) if m is xp else [0]), axis=2)),
]
# NumPy raises a bare IndexError or another message for these: NumPy's AxisError wording
_AXIS_CASES_OWN = [
    ("fft.fft", lambda: xp.fft.fft(xp.ones(3), axis=2), 2),
    ("fft.rfftn", lambda: xp.fft.rfftn(xp.ones(3), axes=(0, -2)), -2),
    ("fft.fftshift", lambda: xp.fft.fftshift(xp.ones(3), axes=2), 2),
    ("vector_norm", lambda: xp.linalg.vector_norm(xp.ones(3), axis=(0, 2)), 2),
    ("vecdot", lambda: xp.vecdot(xp.ones(3), xp.ones(3), axis=2), 2),
    ("cumulative_prod", lambda: xp.cumulative_prod(xp.ones(3), axis=-2), -2),
    ("unstack", lambda: xp.unstack(xp.ones(3), axis=2), 2),
    ("take_along_axis", lambda: xp.take_along_axis(xp.ones(3), xp.asarray([0]), axis=2), 2),
]


@pytest.mark.parametrize("name,call", _AXIS_CASES, ids=[c[0] for c in _AXIS_CASES])
def test_axis_error_wording_as_numpy(name, call):
    with pytest.raises(np.exceptions.AxisError) as ref:
        call(np, _ONE)
    with pytest.raises(np.exceptions.AxisError) as e:
        call(xp, xp.asarray(_ONE))
    assert isinstance(e.value, IndexError) and isinstance(e.value, ValueError)
    assert str(ref.value) in str(e.value), (str(ref.value), str(e.value))
    assert str(e.value).startswith(name.split()[0])  # names the function


@pytest.mark.parametrize("name,call,axis", _AXIS_CASES_OWN, ids=[c[0] for c in _AXIS_CASES_OWN])
def test_axis_error_wording_numpy_style(name, call, axis):
    with pytest.raises(np.exceptions.AxisError) as e:
        call()
    assert isinstance(e.value, IndexError) and isinstance(e.value, ValueError)
    assert str(e.value) == f"{name}: axis {axis} is out of bounds for array of dimension 1"


def test_scipy_moveaxis_message():
    # the pattern of scipy.stats' test_morestats (wilcoxon with axis=3)
    with pytest.raises(np.exceptions.AxisError,
                       match="source: axis 3 is out of bounds for array of dimension 1"):
        xp.moveaxis(xp.asarray([1, 2, 3]), 3, -1)


_A3, _A4 = np.ones(3), np.ones(4)
_BROADCAST_CASES = [
    ("add", lambda m, a, b: m.add(a, b)),
    ("multiply", lambda m, a, b: a * b),
    ("where", lambda m, a, b: m.where(a > 0, b, 0.0)),
    ("clip", lambda m, a, b: m.clip(a, b, None)),
    ("clip both", lambda m, a, b: m.clip(a, b, a[:1])),
    ("broadcast_arrays", lambda m, a, b: m.broadcast_arrays(a, a, b)),
    ("broadcast_shapes", lambda m, a, b: m.broadcast_shapes(a.shape, (2, 1), b.shape)),
]


def _np_key_phrase(msg):
    """The part of NumPy's message that names no internals: up to the first '.'
    (shape mismatch ...) or all of it with trailing spaces stripped."""
    return msg.split(".")[0] if msg.startswith("shape mismatch") else msg.strip()


@pytest.mark.parametrize("name,call", _BROADCAST_CASES, ids=[c[0] for c in _BROADCAST_CASES])
def test_broadcast_error_wording_as_numpy(name, call):
    with pytest.raises(ValueError) as ref:
        call(np, _A3, _A4)
    with pytest.raises(ValueError) as e:
        call(xp, xp.asarray(_A3), xp.asarray(_A4))
    assert _np_key_phrase(str(ref.value)) in str(e.value), (str(ref.value), str(e.value))


def test_broadcast_to_error_wording():
    with pytest.raises(ValueError) as ref:
        np.broadcast_to(_A3, (4,))
    with pytest.raises(ValueError) as e:
        xp.broadcast_to(xp.asarray(_A3), (4,))
    msg = str(e.value)
    assert str(ref.value).startswith("operands could not be broadcast together")
    assert "operands could not be broadcast together" in msg
    assert "(3,)" in msg and "requested shape (4,)" in msg


def test_broadcast_arrays_names_the_arguments():
    with pytest.raises(ValueError, match="...be broadcast...") as e:  # SciPy's pattern
        xp.broadcast_arrays(xp.ones(2), xp.ones(2), xp.ones(3))
    assert "arg 0 has shape (2,) and arg 2 has shape (3,)" in str(e.value)
    with pytest.raises(ValueError, match="(not be broadcast|Attempting to broadcast)"):
        xp.broadcast_arrays(xp.ones(2), xp.ones(3))


@pytest.mark.parametrize("call", [
    lambda: xp.asarray("a duck"), lambda: xp.asarray("a duck", dtype=xp.float64),
    lambda: xp.asarray(["a duck"]), lambda: xp.asarray([1.0, "a duck"]),
], ids=["str", "str dtype", "list", "mixed"])
def test_asarray_string_message(call):
    # scipy.ndimage's test_filters matches "Value 'a duck'" (JAX's and others' wording)
    with pytest.raises(TypeError, match="Value 'a duck'"):
        call()


# ---------------------------------------------------------------------------
# 6. Tensor.real / Tensor.imag
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["bool", "int8", "uint32", "int64", "float32", "float64",
                                   "complex64", "complex128"])
def test_real_imag_attributes_match_numpy(dtype):
    a = np.asarray([[1, 0, 3], [-2, 5, 7]]).astype(dtype)
    if a.dtype.kind == "c":
        a = a + 1j * np.asarray([[2, -1, 0], [4, 0, 1]])
        a = a.astype(dtype)
    t = xp.asarray(a)
    for attr in ("real", "imag"):
        out, ref = getattr(t, attr), getattr(a, attr)
        assert type(out) is xp.Tensor
        assert np.asarray(out).dtype == ref.dtype, (attr, out.dtype, ref.dtype)
        np.testing.assert_array_equal(np.asarray(out), ref)
    # views as NumPy's: the real part of any tensor, the imaginary part of a complex one
    assert np.shares_memory(t.real._array, t._array)
    if a.dtype.kind == "c":
        assert np.shares_memory(t.imag._array, t._array)
    else:
        assert not np.shares_memory(t.imag._array, t._array)


def test_real_imag_write_through_for_complex():
    z = xp.asarray([1 + 2j, 3 - 4j])
    z.real[0] = 10.0
    z.imag[1] = 0.5
    np.testing.assert_array_equal(np.asarray(z), [10 + 2j, 3 + 0.5j])


def test_real_imag_are_read_only_attributes():
    z = xp.asarray([1 + 2j])
    with pytest.raises(AttributeError):
        z.real = xp.asarray([0.0])
    assert xp.Tensor.real.__doc__ and xp.Tensor.imag.__doc__


def test_real_imag_gradients():
    z = xp.asarray([1 + 2j, 2 - 1j])
    z.requires_grad_()
    y = xp.sum(3.0 * z.real + z.imag)
    assert y.grad_fn is not None
    y.backward()
    w = xp.asarray([1 + 2j, 2 - 1j])
    w.requires_grad_()
    xp.sum(3.0 * xp.real(w) + xp.imag(w)).backward()
    np.testing.assert_array_equal(np.asarray(z.grad), np.asarray(w.grad))
    x = xp.asarray([1.0, -2.0])
    x.requires_grad_()
    assert x.real.grad_fn is not None
    xp.sum(x.real ** 2).backward()
    np.testing.assert_array_equal(np.asarray(x.grad), [2.0, -4.0])


def test_scipy_rbf_interpolator_complex_data():
    scipy = pytest.importorskip("scipy")
    from scipy._lib._array_api import SCIPY_ARRAY_API
    if not SCIPY_ARRAY_API:
        pytest.skip("SciPy was imported without SCIPY_ARRAY_API=1")
    from scipy.interpolate import RBFInterpolator
    rng = np.random.default_rng(0)
    y = rng.random((20, 2))
    d = rng.random(20) + 1j * rng.random(20)
    x = rng.random((5, 2))
    # as SciPy's test_complex_data: complex data, then its parts through .real / .imag
    ref = RBFInterpolator(y, d)(x)
    yt, dt, xt = xp.asarray(y), xp.asarray(d), xp.asarray(x)
    out = RBFInterpolator(yt, dt)(xt)
    assert scipy is not None and type(out) is xp.Tensor
    np.testing.assert_allclose(np.asarray(out), ref, rtol=1e-10, atol=1e-12)
    re = RBFInterpolator(yt, dt.real)(xt)
    im = RBFInterpolator(yt, dt.imag)(xt)
    np.testing.assert_allclose(np.asarray(out.real), np.asarray(re), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(np.asarray(out.imag), np.asarray(im), rtol=1e-10, atol=1e-12)
