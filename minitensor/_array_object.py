"""The array object: :class:`Tensor`, a thin wrapper over a ``numpy.ndarray``.

A ``Tensor`` owns no data of its own: ``_array`` is a native-byte-order NumPy
array (never a NumPy scalar), and views of a ``Tensor`` are ``Tensor``s over NumPy
views. The whole class is read here: its own body, the PyTorch-style methods it
inherits from ``_tensor_methods._TensorMethods``, and the operators, generated
in the class body from one table (``_OPERATORS``): they forward to the namespace
functions, so ``a + b`` and ``add(a, b)`` share one path for validation, Python
scalars, promotion and broadcasting. Nothing is assigned onto ``Tensor`` from
another module.

Its base class ``_tensor_base.TensorBase`` (C, ``_tensor_base.c``) holds the
slots and the operators' number and comparison slots: for small plain tensors of
one dtype (with a tensor of that dtype or a Python float/int) they call the ufunc
and wrap its result in C (``a + b``: 0.35 us, NumPy's own 0.25 us; 0.71 us as a
Python method); everything else goes to the Python methods generated here,
which the C slots call as the interpreter would call ``__add__``/``__radd__``.
In-place operators are Python methods. MINITENSOR_PURE_PYTHON=1 runs without the
C base (same results).

The autograd surface of a plain tensor (``requires_grad`` is False, ``grad`` is
None, ...) is a set of stubs in the class body; ``requires_grad_()`` and the
``grad`` setter import ``minitensor.autograd`` on first use (the one deliberate
upward edge, lazy), which turns the tensor into an ``autograd._tensor._GradTensor``.
Every in-place write goes through ``_dispatch.state.write`` when a layer set it.
"""
import contextvars
import enum
import operator
import os
import sys
from _weakref import getweakrefcount as _getweakrefcount

import numpy as np

from ._dispatch import state as _dispatch
from ._dtypes import _FROM_NP
from ._numpy_protocols import _NumPyProtocols
from ._tensor_methods import _TensorMethods

# Tensor's storage and operators' fast path are its C base class (``_tensor_base.c``,
# built with the kernels). Without it (MINITENSOR_PURE_PYTHON=1, or the uncompiled
# source tree, where the kernels' loader raises its explanation at the first kernel
# call) the slots come from a plain class and the operators are the Python methods
# alone: the same results, slower per call. CI checks that a build has it
# (tests/test_tensor_base.py).
_c = None
if os.environ.get("MINITENSOR_PURE_PYTHON", "0").lower() in ("", "0", "false", "no"):
    try:
        from . import _tensor_base as _c
    except ImportError:
        pass


class _PyTensorBase:
    """Tensor's storage without the C base class (MINITENSOR_PURE_PYTHON=1)."""

    __slots__ = ("_array", "_meta", "__weakref__")


_TensorBase = _PyTensorBase if _c is None else _c.TensorBase

__all__ = ["Tensor", "Device", "CPU_DEVICE"]

# The standard versions whose semantics this namespace implements; the newest
# is the default (``__array_api_version__``).
SUPPORTED_API_VERSIONS = ("2021.12", "2022.12", "2023.12", "2024.12", "2025.12")
API_VERSION = "2025.12"


class Device:
    """A device: minitensor runs on the CPU only, so there is one, ``Device("cpu")``.

    Examples
    --------
    >>> import minitensor as xp
    >>> x = xp.ones(2)
    >>> x.device
    Device('cpu')
    >>> x.device == xp.Device("cpu"), x.device == "cpu"
    (True, True)
    >>> xp.zeros(3, device=x.device).device
    Device('cpu')
    >>> x.device.type, x.device.index, str(x.device)   # as PyTorch's torch.device
    ('cpu', None, 'cpu')
    """

    __slots__ = ("name",)

    def __init__(self, name="cpu"):
        if name != "cpu":
            raise ValueError(f"minitensor supports only the 'cpu' device, got {name!r}")
        self.name = name

    def __eq__(self, other):
        if isinstance(other, Device):
            return other.name == self.name
        if isinstance(other, str):
            return other == self.name
        return NotImplemented

    def __hash__(self):
        return hash(("minitensor.Device", self.name))

    def __repr__(self):
        return f"Device({self.name!r})"

    def __str__(self):  # as PyTorch: ``f"using {x.device}"`` reads "using cpu"
        return self.name

    @property
    def type(self):
        """The device type, as PyTorch's ``torch.device.type``: ``"cpu"``."""
        return self.name

    @property
    def index(self):
        """The device index, as PyTorch's ``torch.device.index``: ``None`` (one CPU)."""
        return None

    def __reduce__(self):
        return (Device, (self.name,))


CPU_DEVICE = Device("cpu")


def _check_device(device):
    """Validate a ``device=`` argument (None, the CPU device or the string 'cpu')."""
    if device is None or device is CPU_DEVICE:
        return
    if isinstance(device, (Device, str)) and device == CPU_DEVICE:
        return
    raise ValueError(f"unsupported device {device!r}: minitensor has only {CPU_DEVICE!r}")


class _Size(int):
    """The value of ``Tensor.size``: the element count (an ``int``) that, called,
    gives the shape (``x.size()``) or one dimension's length (``x.size(d)``)."""

    def __call__(self, dim=None):
        shape = self._shape
        if dim is None:
            return shape
        try:
            d = operator.index(dim)
        except TypeError:
            raise TypeError(f"size(): dim must be an int, got {type(dim).__name__}") from None
        n = len(shape)
        if not -n <= d < n:
            raise IndexError(f"size(): dimension out of range (expected to be in range of "
                             f"[{-n}, {n - 1}], but got {d})" if n else
                             f"size(): dimension specified as {d} but tensor has no dimensions")
        return shape[d]

    def __reduce__(self):  # pickles (and copies) as the plain int
        return (int, (int(self),))


class _DLDeviceType(enum.IntEnum):
    CPU = 1


_object_new = object.__new__
_ndarray = np.ndarray
_generic = np.generic
_asarray = np.asarray


def _check_float(t, what):
    if t._array.dtype.kind not in "fc":
        raise RuntimeError(f"{what}: only tensors of floating point or complex dtype can require "
                           f"gradients, got {t.dtype}")


def _no_grad_error(what):
    def f(self, *args, **kwargs):
        raise RuntimeError(f"{what}: the tensor does not require grad and has no grad_fn; "
                           f"create it with requires_grad=True or call requires_grad_()")
    f.__name__ = what
    f.__qualname__ = f"Tensor.{what}"
    return f


# ------------------------------------------------------------------ operators
# One table: (dunder name, namespace function, kind). "binary" gives ``__op__``,
# ``__rop__`` (reflected) and ``__iop__`` (in place); the class body of Tensor
# generates them. The namespace function is looked up on an operator's first call
# (the namespace modules import this one).
_OPERATORS = [
    ("add", "add", "binary"), ("sub", "subtract", "binary"), ("mul", "multiply", "binary"),
    ("truediv", "divide", "binary"), ("floordiv", "floor_divide", "binary"),
    ("mod", "remainder", "binary"), ("pow", "pow", "binary"), ("matmul", "matmul", "binary"),
    ("and", "bitwise_and", "binary"), ("or", "bitwise_or", "binary"),
    ("xor", "bitwise_xor", "binary"), ("lshift", "bitwise_left_shift", "binary"),
    ("rshift", "bitwise_right_shift", "binary"),
    ("lt", "less", "compare"), ("le", "less_equal", "compare"),
    ("gt", "greater", "compare"), ("ge", "greater_equal", "compare"),
    ("eq", "equal", "compare"), ("ne", "not_equal", "compare"),
    ("neg", "negative", "unary"), ("pos", "positive", "unary"),
    ("abs", "abs", "unary"), ("invert", "bitwise_invert", "unary"),
]


class _Late:
    """The namespace function ``name``, resolved on first use, with its fast path.

    ``setup(spec)`` (after ``get``) receives the function's ``_fast`` spec. Binary:
    ``(call, same, floats, ints, quiet_run, elide)``: ``call(a, b[, out])`` is the
    ufunc; ``same``/``floats``/``ints`` are the NumPy dtypes for which the ufunc's
    result is the function's for two tensors of that one dtype / with a Python
    float / with a Python int (no promotion, no category or scalar error);
    ``quiet_run(call, *args)`` runs it with floating-point errors ignored (None:
    call it directly); ``elide``: the dtypes whose result may be written into a
    temporary operand. Unary: ``(call, dtypes, quiet_run, elide)``.
    """

    __slots__ = ("name", "func", "write", "setup")

    def __init__(self, name, setup=None):
        self.name = name
        self.func = None
        self.write = None   # the function's in-place ufunc path (``func._inplace``), if any
        self.setup = setup  # called with the function's ``_fast`` spec

    def get(self):
        f = getattr(sys.modules[__package__], self.name)
        self.write = getattr(f, "_inplace", None)
        spec = getattr(f, "_fast", None)
        if spec is not None and self.setup is not None:
            self.setup(spec)
        self.func = f
        return f


# ------------------------------------------------------------------ temporary elision
# As NumPy (numpy/_core/src/multiarray/temp_elide.c): when an operand of an operator
# is a temporary that nothing else references (``(a + b) * c``: the sum lives only on
# the interpreter's stack), the result is written into its buffer and the temporary
# Tensor itself is returned: no allocation, no page faults for a fresh buffer.
# NumPy checks a reference count of 1 and, walking the C stack, that the caller is
# the interpreter. Here, at the Python level, the counts are exact and include the
# frames' references: inside ``_unique(t, arr)``, called from an operator method,
# ``sys.getrefcount(t)`` is 4 for a temporary (the caller's value stack, the operator
# method's parameter, ``_unique``'s parameter, getrefcount's argument; a name, list,
# dict, closure, autograd node, ... adds one) and ``sys.getrefcount(arr)`` is 4 for a
# buffer held only by that Tensor (its slot, the operator's local, the parameter,
# the argument; a view's ``base``, a DLPack capsule, a memoryview, a NumPy user of
# ``asarray``/``__array__``/``numpy()`` adds one). The interpreter check: the
# caller's frame must be executing a BINARY_OP / UNARY_* instruction, so the
# operator was called by the interpreter's operator code, not by a C function
# (``functools.partial``, ``map``, ``sum``) that may hold the only other reference.
# Measured for CPython 3.11, 3.12 and 3.13 (tests/test_elision.py checks the counts);
# 3.14 loads locals as borrowed references (a named variable may then count as a
# temporary) and free-threaded builds count references differently: off there, and
# before 3.11 (other opcodes).
_ELIDE_BYTES = 256 * 1024   # as NumPy's NPY_MIN_ELIDE_BYTES: below it, a fresh buffer is cheap
_ELIDE_ON = (3, 11) <= sys.version_info[:2] <= (3, 13) and "free-threading" not in sys.version


def _elide_opcodes():
    import opcode
    return frozenset(v for k, v in opcode.opmap.items()
                     if k == "BINARY_OP" or k.startswith("UNARY_"))


_ELIDE_OPCODES = _elide_opcodes() if _ELIDE_ON else frozenset()
_getrefcount = sys.getrefcount
_getframe = sys._getframe


def _unique(t, arr):
    """Whether the plain Tensor ``t`` (an operand of the operator method calling this)
    and its buffer ``arr`` are a temporary nobody else can see (see above)."""
    if _getrefcount(t) != 4 or _getrefcount(arr) != 4 or arr.base is not None:
        return False
    fl = arr.flags
    if not (fl.owndata and fl.writeable and fl.c_contiguous) or _getweakrefcount(t):
        return False
    f = _getframe(2)
    return f.f_code.co_code[f.f_lasti] in _ELIDE_OPCODES


def _operator_methods(dunder, fname, kind):
    """The methods of one row of ``_OPERATORS``: ``{name: function}``.

    Each has a fast path for plain tensors of one dtype and Python int/float
    operands (the ufunc called directly, with temporary elision); everything else
    (and any error: the general path raises it with the function's message) goes
    through the namespace function."""
    # the fast path's parameters (``_Late`` docstring), set on the first call
    call = same = floats = ints = qrun = elide = None

    def setup(spec):
        nonlocal call, same, floats, ints, qrun, elide
        if kind == "unary":
            call, same, qrun, elide = spec
        else:
            call, same, floats, ints, qrun, elide = spec
        if _c is not None:
            # the C base's copy of this fast path (for arrays below _ELIDE_BYTES):
            # the quiet run's prepared Context is entered in C
            ctx = getattr(qrun, "__self__", None) if qrun is not None else None
            if qrun is None or type(ctx) is contextvars.Context:
                _c.set_fast(dunder, call, same, floats or (), ints or (), ctx)

    late = _Late(fname, setup)

    def named(f, name):
        f.__name__ = name
        f.__qualname__ = f"Tensor.{name}"
        return f

    if kind == "unary":
        def op(self, /):
            if same is not None and type(self) is Tensor:
                a = self._array
                if a.dtype in same:
                    try:
                        if a.nbytes >= _ELIDE_BYTES and a.dtype in elide and _unique(self, a):
                            if qrun is None:
                                call(a, a)
                            else:
                                qrun(call, a, a)
                            return self
                        r = call(a) if qrun is None else qrun(call, a)
                    except Exception:
                        pass   # the general path raises (or handles) it
                    else:
                        if type(r) is _ndarray or isinstance(r, _generic):
                            if type(r) is not _ndarray:  # (0-d: NumPy gives a scalar)
                                r = _asarray(r)
                            t = _new(r)
                            return t
            if same is not None and type(self) is not Tensor and _dispatch.hook is not None:
                return _dispatch.hook(fname, late.func, (self,), {})  # (see forward)
            return (late.func or late.get())(self)
        if _c is not None:  # the C base's slot takes the fast path, then calls ``op``
            _c.set_operator(dunder, named(op, f"__{dunder}__"), None)
            return {}
        return {f"__{dunder}__": named(op, f"__{dunder}__")}

    # forward and reflected are written out (no shared helper): ``_unique``'s
    # reference counts assume exactly these frames and locals (``a``, ``b``).
    def forward(self, other, /):
        if same is not None and type(self) is Tensor:
            a = self._array
            dt = a.dtype
            t = type(other)
            if t is Tensor:
                b = other._array
                ok = b.dtype is dt and dt in same
            elif t is float:
                b = other
                ok = dt in floats
            elif t is int:
                b = other
                ok = dt in ints
            else:
                ok = False
            if ok:
                try:
                    if a.nbytes >= _ELIDE_BYTES and dt in elide:
                        if t is not Tensor or b.shape == a.shape:
                            if _unique(self, a):
                                if qrun is None:
                                    call(a, b, a)
                                else:
                                    qrun(call, a, b, a)
                                return self
                            if t is Tensor and _unique(other, b):
                                if qrun is None:
                                    call(a, b, b)
                                else:
                                    qrun(call, a, b, b)
                                return other
                    r = call(a, b) if qrun is None else qrun(call, a, b)
                except Exception:
                    pass   # the general path raises (or handles) it
                else:
                    if type(r) is _ndarray or isinstance(r, _generic):
                        if type(r) is not _ndarray:  # (0-d: NumPy gives a scalar)
                            r = _asarray(r)
                        res = _new(r)
                        return res
        if type(other) is not Tensor:
            if type(other) is _Size:  # ``x / t.size``: the element count as a plain int
                other = int(other)
            elif not isinstance(other, _OPERAND_TYPES):
                return NotImplemented
        if same is not None and type(self) is not Tensor and _dispatch.hook is not None:
            # a subclass (autograd's): the elementwise function would hand the call to
            # the hook at once; hand it over here, one call less
            return _dispatch.hook(fname, late.func, (self, other), {})
        return (late.func or late.get())(self, other)

    methods = {f"__{dunder}__": named(forward, f"__{dunder}__")}
    if kind != "binary":
        if _c is not None:  # the C base's slot takes the fast path, then calls ``forward``
            _c.set_operator(dunder, methods.pop(f"__{dunder}__"), None)
        return methods

    def reflected(self, other, /):   # ``other op self``; other is not a Tensor
        if same is not None and type(self) is Tensor:
            a = self._array
            t = type(other)
            if (a.dtype in floats) if t is float else (t is int and a.dtype in ints):
                try:
                    if a.nbytes >= _ELIDE_BYTES and a.dtype in elide and _unique(self, a):
                        if qrun is None:
                            call(other, a, a)
                        else:
                            qrun(call, other, a, a)
                        return self
                    r = call(other, a) if qrun is None else qrun(call, other, a)
                except Exception:
                    pass   # the general path raises (or handles) it
                else:
                    if type(r) is _ndarray or isinstance(r, _generic):
                        if type(r) is not _ndarray:  # (0-d: NumPy gives a scalar)
                            r = _asarray(r)
                        res = _new(r)
                        return res
        if type(other) is _Size:
            other = int(other)
        elif not isinstance(other, _OPERAND_TYPES):
            return NotImplemented
        if same is not None and type(self) is not Tensor and _dispatch.hook is not None:
            return _dispatch.hook(fname, late.func, (other, self), {})  # (see forward)
        return (late.func or late.get())(other, self)

    def inplace_raw(self, other):
        if type(other) is _Size:
            other = int(other)
        func = late.func or late.get()
        write = late.write  # the ufunc into self's buffer
        if write is not None and type(self) is Tensor and write(self._array, other):
            return self
        if not isinstance(other, _OPERAND_TYPES):
            return NotImplemented
        r = func(self, other)._array
        a = self._array
        if r.shape != a.shape:
            raise ValueError(
                f"in-place {fname}: the result shape {r.shape} differs from the "
                f"tensor's shape {a.shape} (in-place operations cannot broadcast the target)")
        # Note: as NumPy and PyTorch, a result of the same kind is cast back
        # (float32 += float64 works); float -> int is an error.
        if r.dtype != a.dtype and not np.can_cast(r.dtype, a.dtype, casting="same_kind"):
            raise TypeError(f"in-place {fname}: result dtype {_FROM_NP[r.dtype]} cannot "
                            f"be stored in a tensor of dtype {_FROM_NP[a.dtype]}")
        a[...] = r
        return self

    iname = f"__i{dunder}__"

    def inplace(self, other, /):
        w = _dispatch.write
        if w is not None:  # a layer guards and notes the write (autograd)
            return w(self, iname, inplace_raw, (other,))
        if late.func is None:
            late.get()
        write = late.write  # the fast path of inplace_raw, inline
        if write is not None and type(self) is Tensor and write(self._array, other):
            return self
        return inplace_raw(self, other)

    methods[f"__r{dunder}__"] = named(reflected, f"__r{dunder}__")
    methods[iname] = named(inplace, iname)
    if _c is not None:
        # the C base's slot takes the fast path, then calls them as the interpreter
        # would call these methods (the same frames: ``_unique``'s counts hold)
        _c.set_operator(dunder, methods.pop(f"__{dunder}__"), methods.pop(f"__r{dunder}__"))
    return methods




class Tensor(_TensorMethods, _NumPyProtocols, _TensorBase):
    """An n-dimensional array of one of the 13 Array API dtypes, on the CPU.

    Create tensors with the namespace functions (``minitensor.asarray``,
    ``zeros``, ``arange``, ...), not with this class. ``numpy.asarray(t)`` and
    ``t.numpy()`` share memory with ``t``.

    Examples
    --------
    >>> import minitensor as xp
    >>> x = xp.asarray([[1.0, 2.0], [3.0, 4.0]])
    >>> x.shape, x.dtype
    ((2, 2), minitensor.float64)
    >>> (x + 1)[:, 0]
    Tensor([2., 4.], dtype=float64)
    """

    # _meta: the state of a layer above the core (autograd: set only on
    # minitensor.autograd._tensor._GradTensor instances, which switch class in place)
    # (``_array``, ``_meta``, ``__weakref__``: the slots of the base class)
    __slots__ = ()

    # NumPy defers `ndarray + Tensor` to Tensor.__radd__ (so the result is a Tensor)
    __array_priority__ = 100.0

    def __new__(cls, *args, **kwargs):
        raise TypeError(
            "minitensor.Tensor cannot be constructed directly; use minitensor.asarray(data) "
            "or another creation function")

    # ``Tensor._new(array)``: a plain Tensor over a NumPy array of a standard dtype
    # (no copy); the C base's ``wrap`` when built
    if _c is None:
        @staticmethod
        def _new(array):
            if not isinstance(array, np.ndarray):
                raise TypeError(f"wrap() needs a numpy.ndarray, got {type(array).__name__}")
            t = _object_new(Tensor)
            t._array = array
            return t
    else:
        _new = staticmethod(_c.wrap)

    # ------------------------------------------------------------------ attributes
    @property
    def dtype(self):
        """The data type (a :class:`DType`)."""
        return _FROM_NP[self._array.dtype]

    @property
    def device(self):
        """The device: always ``Device('cpu')``."""
        return CPU_DEVICE

    @property
    def shape(self):
        """The shape, a tuple of Python ints."""
        return self._array.shape

    @property
    def ndim(self):
        return self._array.ndim

    @property
    def size(self):
        """Number of elements: an ``int`` that can also be called as PyTorch's method.

        ``x.size`` is the standard's attribute (an ``int`` subclass: arithmetic,
        hashing and comparisons are the element count's); ``x.size()`` is the shape
        (a tuple) and ``x.size(d)`` the length of dimension ``d`` (negative ``d``
        counts from the end; IndexError when out of range), as ``torch.Tensor.size``.

        Examples
        --------
        >>> import minitensor as xp
        >>> x = xp.zeros((2, 3))
        >>> x.size, x.size == 6, isinstance(x.size, int)
        (6, True, True)
        >>> x.size(), x.size(-1)
        ((2, 3), 3)
        """
        a = self._array
        s = _Size(a.size)
        s._shape = a.shape
        return s

    @property
    def T(self):
        """Transpose of a 2-D tensor (a view). See ``mT`` for stacks of matrices."""
        if self._array.ndim != 2:
            raise ValueError(
                f"x.T requires a 2-D tensor, got {self._array.ndim}-D; use x.mT or "
                f"minitensor.permute_dims for other ranks")
        return _new(self._array.T)

    @property
    def mT(self):
        """Transpose of the last two axes (a view); needs ndim >= 2."""
        if self._array.ndim < 2:
            raise ValueError(f"x.mT requires at least 2 dimensions, got {self._array.ndim}")
        return _new(np.swapaxes(self._array, -1, -2))

    # Note: ``real`` and ``imag`` are not array attributes in the standard; they
    # are NumPy's (and PyTorch's), which SciPy reads (e.g. RBFInterpolator).
    @property
    def real(self):
        """The real part, as ``minitensor.real(x)``: for a complex tensor, a view of
        its real components (real dtype of the same precision); for any other
        tensor, a view of ``x`` itself (bool included, as NumPy). Read-only
        attribute; differentiable through ``minitensor.real``.

        Examples
        --------
        >>> import minitensor as xp
        >>> z = xp.asarray([1 + 2j, 3 - 4j])
        >>> z.real
        Tensor([1., 3.], dtype=float64)
        >>> xp.asarray([1, 2]).real
        Tensor([1, 2], dtype=int64)
        """
        a = self._array
        if a.dtype.kind == "b":
            return _new(a.view())
        return sys.modules["minitensor"].real(self)

    @property
    def imag(self):
        """The imaginary part, as ``minitensor.imag(x)``: for a complex tensor, a
        view of its imaginary components; for any other tensor, a new tensor of
        zeros of ``x``'s dtype and shape (NumPy's is a read-only array; this one is
        writable and shares nothing with ``x``). Read-only attribute;
        differentiable through ``minitensor.imag``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1 + 2j, 3 - 4j]).imag
        Tensor([ 2., -4.], dtype=float64)
        >>> xp.asarray([1.5, 2.5]).imag
        Tensor([0., 0.], dtype=float64)
        """
        a = self._array
        if a.dtype.kind == "b":
            return _new(np.zeros_like(a))
        return sys.modules["minitensor"].imag(self)

    # ------------------------------------------------------------------ protocols
    def __array_namespace__(self, /, *, api_version=None):
        """Return the ``minitensor`` module (the same object on every call); for an
        older standard version, its namespace from ``_api_versions``."""
        if api_version is not None and api_version not in SUPPORTED_API_VERSIONS:
            if not isinstance(api_version, str):
                raise TypeError(f"api_version must be a string or None, got {api_version!r}")
            raise ValueError(
                f"unsupported Array API version {api_version!r}; minitensor implements "
                f"{', '.join(SUPPORTED_API_VERSIONS)}")
        if api_version is None or api_version == API_VERSION:
            return sys.modules["minitensor"]
        from ._api_versions import namespace  # older versions: list-returning variants
        return namespace(api_version)

    def to_device(self, device, /, *, stream=None):
        """Return the tensor on ``device`` (itself: the CPU is the only device)."""
        if stream is not None:
            raise ValueError("minitensor has no streams: stream must be None")
        _check_device(device)
        return self

    def __dlpack__(self, /, *, stream=None, max_version=None, dl_device=None, copy=None):
        """Export as a DLPack capsule (delegated to NumPy's exporter; zero-copy unless
        ``copy=True``).

        Note: a view with negative strides (``x[::-1]``) is exported as a copy
        (``copy=False``: BufferError): consumers such as PyTorch cannot represent
        negative strides (PyTorch aborts the process on them).
        """
        if stream is not None:
            raise BufferError("minitensor tensors live on the CPU: stream must be None")
        kwargs = {}
        if max_version is not None:
            kwargs["max_version"] = max_version
        if dl_device is not None:
            if tuple(dl_device) != (int(_DLDeviceType.CPU), 0):
                raise BufferError(f"cannot export a CPU tensor to DLPack device {dl_device!r}")
            kwargs["dl_device"] = dl_device
        a = self._array
        if copy is None and a.size > 1 and any(st < 0 for st in a.strides):
            copy = True
        elif copy is False and a.size > 1 and any(st < 0 for st in a.strides):
            raise BufferError("a view with negative strides cannot be exported without a "
                              "copy (pass copy=True or None)")
        if copy is not None:
            kwargs["copy"] = copy
        return a.__dlpack__(**kwargs)

    def __dlpack_device__(self, /):
        return (_DLDeviceType.CPU, 0)

    def __array__(self, dtype=None, copy=None):
        """NumPy interop: ``numpy.asarray(t)`` shares memory with ``t``."""
        a = self._array
        if dtype is not None and np.dtype(dtype) != a.dtype:
            if copy is False:
                raise ValueError(f"converting {self.dtype} to {np.dtype(dtype)} needs a copy, "
                                 f"but copy=False")
            return a.astype(dtype)
        if copy:
            return a.copy()
        return a

    def numpy(self, *, force=False):
        """The underlying NumPy array (shares memory, as ``torch.Tensor.numpy()``).

        # Note: PyTorch raises for a tensor that requires grad (unless
        # ``force=True``); here ``numpy()`` always returns the buffer (the optimizers
        # and the data utilities read parameters this way). ``force`` is accepted.

        Examples
        --------
        >>> import minitensor as xp
        >>> x = xp.asarray([1.0, 2.0])
        >>> a = x.numpy()
        >>> a[0] = 5.0
        >>> x
        Tensor([5., 2.], dtype=float64)
        """
        return self._array

    # ------------------------------------------------------------ Python scalars
    def _scalar(self, what):
        a = self._array
        if a.size != 1:
            raise ValueError(
                f"{what}() of a tensor with {a.size} elements is ambiguous; it needs exactly "
                f"one element (use minitensor.any / minitensor.all for truth tests)")
        # Note: as PyTorch (and NumPy before its deprecation), any one-element tensor
        # converts, not only a 0-d one.
        return a.item()

    def __bool__(self, /):
        # complex: bool(real) or bool(imag), as the standard says (Python's rule too)
        return bool(self._scalar("bool"))

    def __int__(self, /):
        if self._array.dtype.kind == "c":
            raise TypeError("int() of a complex tensor; take real() or abs() first")
        # Python's int() of a float raises OverflowError for +-inf, ValueError for
        # nan, and truncates toward zero: the standard's special cases.
        return int(self._scalar("int"))

    def __float__(self, /):
        if self._array.dtype.kind == "c":
            raise TypeError("float() of a complex tensor; take real() or abs() first")
        return float(self._scalar("float"))

    def __complex__(self, /):
        v = self._scalar("complex")
        if type(v) is float and v != v:
            return complex(v, v)  # the standard: NaN -> NaN + NaN j
        return complex(v)

    def __index__(self, /):
        a = self._array
        if a.dtype.kind not in "iu":
            raise TypeError(f"only integer tensors can be used as an index, got {self.dtype}")
        if a.ndim != 0:
            raise TypeError(f"only 0-d integer tensors can be used as an index, got shape {a.shape}")
        return int(a.item())

    def item(self):
        """The value of a one-element tensor as a Python scalar.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([[2.5]]).item(), xp.asarray(3).item()
        (2.5, 3)
        """
        return self._scalar("item")

    def tolist(self):
        """The values as (nested) Python lists of Python scalars.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([[1, 2], [3, 4]]).tolist()
        [[1, 2], [3, 4]]
        """
        return self._array.tolist()

    # ------------------------------------------------------------------ indexing
    def __getitem__(self, key, /):
        """``x[key]``: basic indexing (ints, slices with any step, ``...``, ``None``)
        returns a view; integer-array and boolean-mask indexing (tensors, NumPy arrays,
        lists) returns a copy, with NumPy's semantics.

        Examples
        --------
        >>> import minitensor as xp
        >>> x = xp.asarray([[0, 1, 2], [3, 4, 5]])
        >>> x[:, ::-2]
        Tensor([[2, 0],
                [5, 3]], dtype=int64)
        >>> x[x > 2]
        Tensor([3, 4, 5], dtype=int64)
        """
        a = self._array
        t = type(key)
        try:
            # integer keys (the hot path): ask NumPy for the view, never for a scalar
            if t is int:
                return _new(a[key, ...])
            if t is tuple:
                for k in key:
                    if type(k) is not int:
                        break
                else:
                    return _new(a[key + (Ellipsis,)])
            k = _index_key(key)
            r = a[k]
            if type(r) is not _ndarray:
                # every index was an integer: NumPy gives a scalar; ask for the 0-d
                # view instead, so that x[i] is a view for 0-d results too (as PyTorch)
                r = a[(k + (Ellipsis,)) if type(k) is tuple else (k, Ellipsis)]
            return _new(r)
        except OverflowError:  # NumPy's error for an int index in [2**63, 2**64)
            raise IndexError(f"index {key!r} is out of bounds for a tensor of shape "
                             f"{a.shape}") from None

    def __setitem__(self, key, value, /):
        """``x[key] = value`` for every key ``__getitem__`` accepts; ``value`` is a
        tensor, a NumPy array, a Python scalar or a nested sequence, broadcast to
        ``x[key]``.

        Note: the value is cast to ``x.dtype`` when the cast stays within its kind
        or goes up (bool -> int -> float -> complex; float64 -> float32), as the
        in-place operators do; a cast that would drop a kind (float into an integer
        tensor, complex into a real one, a number into a bool tensor) is a TypeError,
        where NumPy casts unsafely. Python ints out of the dtype's range raise
        OverflowError (as NumPy).
        """
        w = _dispatch.write
        if w is not None:  # a layer guards and notes the write (autograd)
            w(self, "__setitem__", _setitem, (key, value))
        else:
            _setitem(self, key, value)

    def __len__(self, /):
        if self._array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._array.shape[0]

    def __iter__(self, /):
        """Iterate over the first axis, yielding views (0-d tensors for a 1-D tensor)."""
        a = self._array
        if a.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (_new(a[i, ...]) for i in range(a.shape[0]))

    # -------------------------------------------------------------- presentation
    def __repr__(self, /):
        a = self._array
        body = np.array2string(a, separator=", ", prefix="Tensor(")
        # as NumPy: an empty tensor shows its shape unless it is (0,)
        shape = f", shape={a.shape}" if a.size == 0 and a.shape != (0,) else ""
        return f"Tensor({body}{shape}, dtype={self.dtype.name})"

    def __str__(self, /):
        return str(self._array)

    def __format__(self, spec):
        if spec and self._array.size == 1:
            return format(self._array.reshape(()).item(), spec)
        return format(str(self), spec)

    # ------------------------------------------------------------------ pickling
    def __reduce__(self):
        # the array is pickled by NumPy (a view pickles just its own elements)
        return (_rebuild, (self._array,))

    # Hashable by identity, as torch.Tensor (optimizer state is keyed by tensors).
    __hash__ = object.__hash__

    def __copy__(self):
        return _new(self._array.copy())

    def __deepcopy__(self, memo):
        return _new(self._array.copy())

    # ------------------------------------------------- the autograd surface
    # Stubs for a plain tensor; minitensor.autograd._tensor._GradTensor overrides
    # them. requires_grad_() and the grad setter import the autograd layer (lazily:
    # the core's one upward edge) and switch the tensor's class in place.
    @property
    def requires_grad(self):
        """Whether gradients are computed for this tensor (PyTorch semantics)."""
        return False

    @requires_grad.setter
    def requires_grad(self, value):
        if value:
            self.requires_grad_(True)

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` in place (on a leaf) and return the tensor.

        Examples
        --------
        >>> import minitensor as xp
        >>> w = xp.zeros(2).requires_grad_()
        >>> w.requires_grad, w.is_leaf
        (True, True)
        """
        if not requires_grad:
            return self
        _check_float(self, "requires_grad_")
        from .autograd import _tensor  # noqa: F401  (importing autograd sets the slots)
        return _tensor.attach(self, True)

    @property
    def grad(self):
        """The accumulated gradient (or None)."""
        return None

    @grad.setter
    def grad(self, value):
        if value is None:
            return
        from .autograd import _tensor
        _tensor.set_plain_grad(self, value)

    @property
    def grad_fn(self):
        """The node that produced this tensor (None for leaves)."""
        return None

    @property
    def is_leaf(self):
        """True for tensors not produced by a recorded operation."""
        return True

    @property
    def retains_grad(self):
        return False

    def detach(self):
        """A new tensor sharing this tensor's data, outside any graph.

        Examples
        --------
        >>> import minitensor as xp
        >>> w = xp.ones(2).requires_grad_()
        >>> d = (w * 2).detach()
        >>> d.requires_grad, d.grad_fn is None
        (False, True)
        """
        t = _new(self._array)
        return t

    def detach_(self):
        return self

    retain_grad = _no_grad_error("retain_grad")
    register_hook = _no_grad_error("register_hook")
    backward = _no_grad_error("backward")

    @property
    def data(self):
        """A tensor sharing this tensor's data, outside autograd (PyTorch's ``.data``)."""
        return Tensor.detach(self)

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a tensor, got {type(value).__name__}")
        self._array = value._array

    # -------------------------------------------------------------- operators
    # generated from the table _OPERATORS (above) when the class is created
    for _row in _OPERATORS:
        locals().update(_operator_methods(*_row))
    del _row


if _c is not None:
    _c.set_tensor_type(Tensor, _ELIDE_BYTES)

# the operand types the operators accept (besides Tensor)
_OPERAND_TYPES = (Tensor, int, float, complex, np.ndarray, np.generic)
_new = Tensor._new

# kinds of tensor a Python scalar may be assigned to (True: any)
_SCALAR_OK = {bool: True, int: "iufc", float: "fc", complex: "c"}


def _setitem(self, key, value):
    """``Tensor.__setitem__`` without the dispatch slot."""
    a = self._array
    k = _index_key(key)
    try:
        _assign(a, k, value)
    except OverflowError:
        _check_key_range(a, k, key)
        raise


def _index_put(x, key, value):
    """A copy of ``x`` with ``value`` assigned at ``key`` (``__setitem__``'s rules):
    the out-of-place form of ``x[key] = value``, which autograd records for an
    assignment into a tensor of a graph (marked ``differentiable("_index_put")``
    below; its rule is in ``autograd/_rules/indexing.py``)."""
    y = Tensor._new(x._array.copy())
    _setitem(y, key, value)
    return y


def _check_key_range(a, k, key):
    # after an OverflowError in ``a[k] = value``: IndexError if the key, not the
    # value, is out of range (NumPy's error for an int index in [2**63, 2**64))
    try:
        a[k]
    except OverflowError:
        raise IndexError(f"index {key!r} is out of bounds for a tensor of shape "
                         f"{a.shape}") from None


def _assign(a, k, value):
    """``a[k] = value`` with the casting rules of ``Tensor.__setitem__``."""
    t = type(value)
    if t is float or t is int or t is bool or t is complex:
        # Python scalars (the hot path): the standard's kind rule
        if _SCALAR_OK[t] is not True and a.dtype.kind not in _SCALAR_OK[t]:
            raise TypeError(
                f"cannot assign a Python {t.__name__} to a tensor of dtype "
                f"{_FROM_NP[a.dtype]}; convert it first (e.g. with astype)")
        if (t is float or t is complex) and a.dtype.char in "fF":
            # float32 / complex64: out-of-range values become inf, without a warning
            with np.errstate(over="ignore"):
                a[k] = value
            return
        a[k] = value
        return
    if isinstance(value, Tensor):
        v = value._array
    elif isinstance(value, (_ndarray, np.generic)):
        v = value
    elif isinstance(value, (list, tuple)):
        try:
            v = np.asarray(value)
        except ValueError as e:
            raise ValueError(f"cannot assign a ragged or malformed sequence: {e}") from None
    elif isinstance(value, (int, float, complex)):  # int/float subclasses (IntEnum, ...)
        # as the plain Python scalar (the standard's kind rule), as NumPy takes them
        return _assign(a, k, int(value) if isinstance(value, int) else
                       float(value) if isinstance(value, float) else complex(value))
    else:
        raise TypeError(f"cannot assign a {type(value).__name__} to tensor elements; "
                        f"use a tensor, a NumPy array or a Python scalar")
    vd = v.dtype
    if vd != a.dtype:
        if vd.kind not in "biufc":
            raise TypeError(f"cannot assign values of NumPy dtype {vd} to a tensor of "
                            f"dtype {_FROM_NP[a.dtype]}")
        if not np.can_cast(vd, a.dtype, casting="same_kind"):
            raise TypeError(
                f"cannot assign values of dtype {_FROM_NP.get(vd, vd)} to a tensor of "
                f"dtype {_FROM_NP[a.dtype]} (it would drop the kind); cast them first "
                f"with astype")
        if isinstance(value, (list, tuple)):
            v = value  # let NumPy convert to the target dtype (range-checked)
        with np.errstate(over="ignore", invalid="ignore"):
            a[k] = v
        return
    a[k] = v


def _rebuild(array):
    return _new(np.asarray(array))


def _index_key(key):
    """Translate an index key for NumPy.

    Tensors (at any place in a tuple, or inside a list) become their NumPy arrays;
    a 0-d integer tensor becomes a Python int (so ``x[i]`` with ``i`` a 0-d tensor
    is a view, as with an int). Everything else is left to NumPy, which raises
    IndexError for out-of-range indices, masks of the wrong shape and non-integer
    arrays.
    """
    t = type(key)
    if t is int or t is slice or key is None or key is Ellipsis:
        return key
    if t is tuple:
        for k in key:
            tk = type(k)
            if not (tk is int or tk is slice or k is None or k is Ellipsis):
                return tuple(_index_item(k) for k in key)
        return key
    return _index_item(key)


_uint64 = np.dtype(np.uint64)


def _check_uint64_index(a):
    # NumPy casts uint64 indices to intp with wrap-around (2**64 - 1 becomes -1)
    if a.size and a.max() >= 2**63:
        raise IndexError(f"index {int(a.max())} is out of bounds (uint64 index array)")


def _index_item(k):
    if isinstance(k, Tensor):
        a = k._array
        if a.ndim == 0 and a.dtype.kind in "iu":
            return int(a)
        if a.dtype == _uint64:
            _check_uint64_index(a)
        return a
    if type(k) is _ndarray and k.dtype == _uint64:
        _check_uint64_index(k)
        return k
    if type(k) is list:
        if any(isinstance(i, (Tensor, list)) for i in k):
            try:
                return np.asarray([_index_item(i) for i in k])
            except ValueError:
                raise IndexError(f"a list index must be rectangular, got {k!r}") from None
        return k
    return k


# (decorated here: ``differentiable`` needs the Tensor class defined above)
from ._dispatch import differentiable as _differentiable  # noqa: E402

_index_put = _differentiable("_index_put")(_index_put)
