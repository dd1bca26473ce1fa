"""Tensor's C base class (``minitensor/_tensor_base.c``): the operators' fast path
in C gives what the Python methods give (values, dtype, type, errors, no
floating-point warnings) for every operator, dtype and operand kind; it leaks no
reference; it declines (to the Python path) what it must; and the package runs
the same without it (MINITENSOR_PURE_PYTHON=1)."""
import gc
import operator
import os
import subprocess
import sys
import threading
import warnings
import weakref

import numpy as np
import pytest

import minitensor as xp
from minitensor import _array_object as AO

needs_c = pytest.mark.skipif(AO._c is None, reason="built without the C base "
                             "(MINITENSOR_PURE_PYTHON=1)")

BINARY = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
          "truediv": operator.truediv, "floordiv": operator.floordiv, "mod": operator.mod,
          "pow": operator.pow, "and": operator.and_, "or": operator.or_,
          "xor": operator.xor, "lshift": operator.lshift, "rshift": operator.rshift}
COMPARE = {"lt": operator.lt, "le": operator.le, "eq": operator.eq, "ne": operator.ne,
           "gt": operator.gt, "ge": operator.ge}
UNARY = {"neg": operator.neg, "pos": operator.pos, "abs": abs, "invert": operator.invert}
DTYPES = ["bool", "int8", "uint8", "int16", "int32", "int64", "uint64", "float32",
          "float64", "complex64", "complex128"]


def _operands(dt, shape):
    rng = np.random.default_rng(len(dt) * 31 + len(shape))
    if dt == "bool":
        return rng.random(shape) > 0.5, rng.random(shape) > 0.5
    if "int" in dt:
        lo = 0 if dt.startswith("u") else -5
        return (rng.integers(lo, 6, shape).astype(dt), rng.integers(0, 4, shape).astype(dt))
    a = np.asarray(rng.normal(size=shape) + 1.5)
    b = np.asarray(rng.normal(size=shape) - 0.5)
    if dt.startswith("complex"):
        a = np.asarray(a + 1j * rng.normal(size=shape))
        b = np.asarray(b - 1j * rng.normal(size=shape))
    b[(0,) * b.ndim] = 0   # division by zero, 0 ** negative, ... (no warning may escape)
    return a.astype(dt), b.astype(dt)


def _outcome(f, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            r = f(*args)
        except Exception as e:  # noqa: BLE001 - the outcome is compared
            return ("raises", type(e))
    if r is NotImplemented:
        return ("NotImplemented",)
    assert type(r) is xp.Tensor
    return ("ok", r._array.dtype, r._array.shape, r._array)


def _same(got, want):
    assert got[:3] == want[:3] if got[0] == "ok" else got == want
    if got[0] == "ok":
        np.testing.assert_array_equal(got[3], want[3])


def _general(f, *args):
    """``f`` on the same operands through the Python path: the C fast path is off
    while it runs (set_fast with ufunc None for every operator)."""
    for name in (*BINARY, *COMPARE, *UNARY):
        AO._c.set_fast(name, None, (), (), (), None)
    try:
        return _outcome(f, *args)
    finally:
        _rearm()


def _rearm():
    """Re-register every operator's fast path (the next call resolves it again)."""
    for dunder, fname, kind in AO._OPERATORS:
        func = getattr(xp, fname)
        spec = getattr(func, "_fast", None)
        if spec is None:
            continue
        if kind == "unary":
            call, same, qrun, _ = spec
            floats = ints = ()
        else:
            call, same, floats, ints, qrun, _ = spec
        ctx = getattr(qrun, "__self__", None) if qrun is not None else None
        AO._c.set_fast(dunder, call, same, floats, ints, ctx)


def test_built_with_the_c_base():
    # an installed or editable build has it; only MINITENSOR_PURE_PYTHON=1 or the
    # uncompiled source tree run without it (then the operators are Python methods)
    pure = os.environ.get("MINITENSOR_PURE_PYTHON", "0").lower() not in ("", "0", "false", "no")
    if pure:
        assert AO._c is None
    elif "CI" in os.environ:
        assert AO._c is not None, "minitensor._tensor_base is not compiled in CI"
    elif AO._c is None:
        pytest.skip("minitensor._tensor_base is not compiled")


@needs_c
def test_operators_are_the_c_slots():
    base = AO._TensorBase
    assert base.__module__ == "minitensor._tensor_base"
    for name in (*BINARY, *COMPARE, *UNARY):
        assert type(vars(base)[f"__{name}__"]).__name__ == "wrapper_descriptor", name
        assert f"__{name}__" not in vars(xp.Tensor), name
    for name in BINARY:
        assert f"__i{name}__" in vars(xp.Tensor), name   # in-place: Python methods


@needs_c
@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("shape", [(), (1,), (3, 4)], ids=["0d", "1", "3x4"])
def test_fast_path_equals_python_path(dt, shape):
    a, b = _operands(dt, shape)
    ta, tb = xp.asarray(a), xp.asarray(b)
    others = [tb, 2, 3.5, -1, True, 1j, np.float32(2.0), xp.asarray(b.reshape(-1)[:1])]
    for name, f in {**BINARY, **COMPARE}.items():
        for other in others:
            _same(_outcome(f, ta, other), _general(f, ta, other))
            if not isinstance(other, xp.Tensor):   # reflected: ``2 - t``
                _same(_outcome(f, other, ta), _general(f, other, ta))
    for name, f in UNARY.items():
        _same(_outcome(f, ta), _general(f, ta))


@needs_c
def test_fast_path_raises_the_functions_errors():
    i8 = xp.asarray([1, 2], dtype=xp.int8)
    with pytest.raises(OverflowError, match="out of bounds for int8"):
        i8 + 1000
    with pytest.raises(OverflowError, match="out of bounds for int8"):
        1000 - i8
    with pytest.raises(TypeError):
        xp.asarray([1, 2]) + "a"
    with pytest.raises(TypeError):
        pow(xp.asarray([1.0]), 2.0, 3)
    with pytest.raises(TypeError):
        -xp.asarray([True])
    assert (xp.asarray([1.0]) == None) is not True  # noqa: E711 - NotImplemented -> identity


@needs_c
def test_no_floating_point_warnings():
    x = xp.asarray([1.0, 0.0, -1.0, 1e308])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = (x / 0.0, x * 1e10, 0.0 / x, x ** -1, x % 0.0, x // 0.0)
    assert np.isinf(r[0]._array[0]) and np.isnan(r[0]._array[1]) and np.isinf(r[1]._array[3])


@needs_c
def test_no_reference_leaks():
    a = np.arange(4.0)
    ta = xp.asarray(a)
    i8 = xp.asarray(np.arange(4, dtype=np.int8))
    ufunc_refs = sys.getrefcount(np.add)

    def run():
        for _ in range(2000):
            ta + ta, ta - 1.0, 2 * ta, ta < ta, -ta, abs(ta), ta + xp.asarray(1.0)
            try:
                i8 + 1000
            except OverflowError:
                pass
    run()
    gc.collect()
    before = (sys.getrefcount(a), sys.getrefcount(ta), sys.getrefcount(np.add),
              sys.getrefcount(1.0), len(gc.get_objects()))
    run()
    gc.collect()
    after = (sys.getrefcount(a), sys.getrefcount(ta), sys.getrefcount(np.add),
             sys.getrefcount(1.0), len(gc.get_objects()))
    assert after[:4] == before[:4]
    assert abs(after[4] - before[4]) < 50
    assert sys.getrefcount(np.add) - ufunc_refs < 5
    r = ta + ta
    assert sys.getrefcount(r._array) == 3   # the result's slot, the expression, the argument


def test_slots_weakrefs_and_cycles():
    t = xp.asarray([1.0, 2.0])
    w = weakref.ref(t)
    assert w() is t
    with pytest.raises(AttributeError):
        t._meta
    # a cycle through ``_meta`` (as autograd's graph makes) is collected
    t._meta = [t]
    del t
    gc.collect()
    assert w() is None
    with pytest.raises(TypeError, match="cannot be constructed directly"):
        xp.Tensor()


@needs_c
def test_declines_to_the_python_path():
    # subclasses (autograd's) and large arrays (temporary elision) take the
    # Python methods: a graph is recorded, a temporary is reused
    x = xp.asarray([1.0, 2.0]).requires_grad_()
    y = x * 2.0 + x
    assert y.grad_fn is not None
    big = xp.ones(AO._ELIDE_BYTES // 8)
    if AO._ELIDE_ON:
        t = big + 1.0
        buf = t._array
        assert ((t * 2.0) + 1.0)._array is not None
        u = (big + 1.0) * 2.0
        assert u._array.shape == buf.shape


@needs_c
def test_context_held_by_another_thread():
    # the quiet Context can be entered by one thread at a time: a second thread
    # inside it makes the fast path decline (the Python path sets the state itself)
    from minitensor._elementwise_functions import _quiet_run
    entered, release = threading.Event(), threading.Event()

    def hold():
        _quiet_run(lambda: (entered.set(), release.wait(10)))
    th = threading.Thread(target=hold)
    th.start()
    try:
        assert entered.wait(10)
        x = xp.asarray([1.0, 0.0])
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            r = x / 0.0
        assert np.isinf(r._array[0]) and np.isnan(r._array[1])
    finally:
        release.set()
        th.join()


def test_pure_python_mode_gives_the_same_operators():
    # without the C base (MINITENSOR_PURE_PYTHON=1: no compiled code of ours) the
    # operator tests pass unchanged
    here = os.path.dirname(os.path.abspath(__file__))
    env = dict(os.environ, MINITENSOR_PURE_PYTHON="1")
    code = ("import sys, pytest; import minitensor._array_object as AO; "
            "assert AO._c is None; "
            f"sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', "
            f"{os.path.join(here, 'test_operators.py')!r}, "
            f"{os.path.join(here, 'test_elision.py')!r}]))")
    r = subprocess.run([sys.executable, "-c", code], env=env, cwd=here,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
