"""Temporary elision (``_array_object._unique``): an operator writes its result into
a temporary operand that nothing else references, and never into anything else."""
import gc
import sys

import numpy as np
import pytest

import minitensor as xp
import minitensor._array_object as ao

N = 100_000          # float64: 800 KB, above NumPy's 256 KiB threshold
pytestmark = pytest.mark.skipif(not ao._ELIDE_ON, reason="elision is off on this Python")


def _addr(t):
    return t._array.__array_interface__["data"][0]


def _warm():
    # an operator's first call resolves its namespace function (general path)
    a = xp.ones(4)
    for f in (lambda: a + a, lambda: a - a, lambda: a * a, lambda: a / a, lambda: a ** 2,
              lambda: 2.0 * a, lambda: 2.0 - a, lambda: -a, lambda: a + 1.0, lambda: a + 1):
        f()


_warm()


def big(v=1.0, dtype=xp.float64):
    return xp.full(N, v, dtype=dtype)


def test_threshold_is_numpys():
    assert ao._ELIDE_BYTES == 256 * 1024


def test_buffer_identity_of_composed_expression():
    a, b, c = big(1.0), big(2.0), big(3.0)
    ids = []

    # (a + b) * c: the product is written into the sum's buffer; capture the sum's
    # address inside the expression with a helper that keeps no reference
    def left():
        s = a + b
        ids.append(_addr(s))
        return s   # returned to the caller's stack: a temporary there again
    r = left() * c
    assert _addr(r) == ids[0]
    np.testing.assert_array_equal(np.asarray(r), np.full(N, 9.0))
    # the same for reflected, unary and right operands
    r = 2.0 * left()
    assert _addr(r) == ids[1]
    r = -left()
    assert _addr(r) == ids[2]
    r = c - left()
    assert _addr(r) == ids[3]
    np.testing.assert_array_equal(np.asarray(r), np.zeros(N))
    r = (left() + 1.0) / 2.0
    assert _addr(r) == ids[4]
    np.testing.assert_array_equal(np.asarray(r), np.full(N, 2.0))


def test_named_variable_is_not_overwritten():
    a, b = big(1.0), big(2.0)
    x = a + b
    y = x * 2.0
    assert y is not x and _addr(y) != _addr(x)
    assert float(x[0]) == 3.0 and float(y[0]) == 6.0
    x = a + b
    old = x
    x = x + 1     # a name (and ``old``) holds the tensor
    assert float(old[0]) == 3.0 and float(x[0]) == 4.0
    # operands themselves are never written
    r = a * b
    assert float(a[0]) == 1.0 and float(b[0]) == 2.0 and float(r[0]) == 2.0


def test_small_arrays_are_not_elided():
    a = xp.ones(100)
    ids = []

    def left():
        s = a + a
        ids.append(_addr(s))
        return s
    r = left() * 2.0
    assert _addr(r) != ids[0]


def test_views_are_not_overwritten():
    a = big(1.0)

    def view_of_temp():
        s = a + 1.0
        return s, s[::1]
    s, v = view_of_temp()
    del s
    r = v * 3.0       # v's buffer belongs to s's array (base is not None)
    assert float(v[0]) == 2.0 and float(r[0]) == 6.0

    def temp_with_view(keep):
        s = a + 1.0
        keep.append(s._array[:10])   # a NumPy view of the buffer
        return s
    keep = []
    r = temp_with_view(keep) * 5.0
    assert float(keep[0][0]) == 2.0 and float(r[0]) == 10.0


def test_dlpack_export_is_not_overwritten():
    a = big(1.0)
    caps = []

    def exported():
        s = a + 1.0
        caps.append(s.__dlpack__())
        return s
    r = exported() * 4.0
    assert float(r[0]) == 8.0
    shared = np.from_dlpack(type("C", (), {"__dlpack__": lambda self, **k: caps.pop(),
                                           "__dlpack_device__": lambda self: (1, 0)})())
    assert shared[0] == 2.0


def test_numpy_array_shared_through_asarray_is_not_overwritten():
    nd = np.full(N, 1.5)
    r = xp.asarray(nd) * 2.0
    assert nd[0] == 1.5 and float(r[0]) == 3.0
    r = -xp.asarray(nd)
    assert nd[0] == 1.5
    t = xp.asarray(nd)
    r = 1.0 - xp.asarray(np.asarray(t))   # np.asarray(t) is t's (and nd's) buffer
    assert nd[0] == 1.5 and float(r[0]) == -0.5


def test_tensors_in_containers_are_not_overwritten():
    a = big(1.0)
    lst = [a + 1.0]
    d = {"k": a + 2.0}
    r1 = lst[0] * 10.0
    r2 = d["k"] * 10.0
    assert float(lst[0][0]) == 2.0 and float(d["k"][0]) == 3.0
    assert float(r1[0]) == 20.0 and float(r2[0]) == 30.0
    # a C function holding the only other reference (functools.partial, sum)
    import functools
    import operator
    p = functools.partial(operator.mul, a + 1.0)
    r = p(3.0)
    assert float(p.args[0][0]) == 2.0 and float(r[0]) == 6.0
    parts = [a + 0.0, a + 1.0]
    s = sum(parts, big(0.0))
    assert float(parts[0][0]) == 1.0 and float(parts[1][0]) == 2.0 and float(s[0]) == 3.0


def test_weakly_referenced_tensor_is_not_overwritten():
    import weakref
    a = big(1.0)
    refs = []

    def left():
        s = a + 1.0
        refs.append(weakref.ref(s))
        return s
    r = left() * 2.0       # a weak reference sees the tensor: a new result
    assert refs[0]() is None and float(r[0]) == 4.0


def test_tensor_saved_for_backward_is_not_overwritten():
    from minitensor import autograd  # noqa: F401  (the layer)
    a = big(0.5)
    w = xp.ones(N, dtype=xp.float64)
    w.requires_grad_()
    # the plain temporary (a + 1) is saved by the product's node for w's gradient
    y = w * (a + 1.0)
    loss = xp.sum(y * 2.0)
    loss.backward()
    np.testing.assert_allclose(np.asarray(w.grad.detach()), np.full(N, 3.0))
    # a temporary that requires grad is never elided (not a plain Tensor)
    z = (w * 1.0) * 2.0
    assert float(w[0].detach()) == 1.0 and float(z[0].detach()) == 2.0


def test_out_and_inplace_paths_unchanged():
    a = big(1.0)
    x = a + 1.0
    x += 1.0
    assert float(x[0]) == 3.0
    y = a * 1.0
    y *= y
    assert float(y[0]) == 1.0
    assert float(a[0]) == 1.0


def test_int_dtypes_and_bool_results_are_not_elided():
    a = xp.ones(N, dtype=xp.int64)
    ids = []

    def left():
        s = a + 1
        ids.append(_addr(s))
        return s
    r = left() * 2
    assert _addr(r) != ids[0] and int(r[0]) == 4
    f = big(1.0)
    m = (f + 1.0) < 3.0
    assert m.dtype == xp.bool and bool(m[0])


def test_float32_keeps_dtype_and_values():
    rng = np.random.default_rng(0)
    na = rng.standard_normal(N).astype(np.float32)
    x = xp.asarray(na)
    r = 0.5 * x * (1.0 + xp.tanh(0.7978845608 * (x + 0.044715 * (x * x * x))))
    ref = 0.5 * na * (1.0 + np.tanh(np.float32(0.7978845608) * (na + np.float32(0.044715) * (na * na * na))))
    assert r.dtype == xp.float32
    np.testing.assert_allclose(np.asarray(r), ref, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(np.asarray(x), na)


def test_reference_counts_of_the_operator_path():
    # the counts _unique assumes, seen from inside an operator call
    seen = {}
    orig = ao._unique

    def probe(t, arr):
        # called exactly as _unique is: the same counts
        seen["t"] = sys.getrefcount(t)
        seen["arr"] = sys.getrefcount(arr)
        return False
    a = big(1.0)
    ao._unique = probe
    try:
        (a + 1.0) * 2.0
        temp = dict(seen)
        x = a + 1.0
        x * 2.0
        named = dict(seen)
    finally:
        ao._unique = orig
    assert temp == {"t": 4, "arr": 4}
    assert named["t"] == 5
