"""The ``fft`` extension of the Array API standard (2025.12): ``minitensor.fft``.

The transforms run in NumPy's pocketfft (``numpy.fft``), which computes in the
input's precision. The glue here fixes the dtypes the standard asks for:

* ``fft``, ``ifft``, ``fftn``, ``ifftn``: complex in, same complex dtype out.
  Note: real input is accepted as NumPy does (the standard says "should" be
  complex): float32 -> complex64, float64 -> complex128.
* ``rfft``, ``rfftn``, ``ihfft``: real floating-point input (complex input is a
  TypeError: the standard says "must"); complex output of the same precision.
* ``irfft``, ``irfftn``, ``hfft``: complex in (real accepted, as NumPy), real
  output of the same precision.
* Note: integer input is accepted and computed in double precision, as NumPy;
  boolean input raises TypeError.

``norm`` is ``"backward"`` (default), ``"ortho"`` or ``"forward"``; anything else
is a ValueError (Note: ``None`` means ``"backward"``, as NumPy). ``n``/``s``
entries must be positive (ValueError); axes out of range raise
``numpy.exceptions.AxisError`` (an IndexError and a ValueError).
"""
import builtins
import operator

import numpy as np

from ._array_object import Tensor, _check_device
from ._dtypes import _FROM_NP, _as_dtype
from ._elementwise_functions import _to_array
from ._dispatch import differentiable
from ._validation import check_axis as _check_axis

__all__ = [
    "fft", "ifft", "fftn", "ifftn", "rfft", "irfft", "rfftn", "irfftn", "hfft", "ihfft",
    "fftfreq", "rfftfreq", "fftshift", "ifftshift",
]

_new = Tensor._new

_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)
_C64 = np.dtype(np.complex64)
_C128 = np.dtype(np.complex128)
_F16 = np.dtype(np.float16)
# the complex / real dtype of an input's precision (integers: double precision)
# Note: float16 (the extension dtype) as NumPy 2: complex results are complex64,
# real results (irfft/hfft/irfftn of float16 input) float16.
_COMPLEX_OF = {_F16: _C64, _F32: _C64, _C64: _C64, _F64: _C128, _C128: _C128}
_REAL_OF = {_F16: _F16, _F32: _F32, _C64: _F32, _F64: _F64, _C128: _F64}
_NORMS = ("backward", "ortho", "forward")


# ---------------------------------------------------------------------------
# glue: argument checks
# ---------------------------------------------------------------------------
def _input(name, x, real_only=False):
    a = x._array if type(x) is Tensor else _to_array(name, x)
    k = a.dtype.kind
    if k == "b" or (real_only and k == "c"):
        need = "a real floating-point" if real_only else "a floating-point"
        raise TypeError(f"fft.{name}() does not support dtype {_FROM_NP[a.dtype]}; it needs "
                        f"{need} dtype")
    if k in "iu":
        a = a.astype(_F64)
    return a


def _norm(name, norm):
    if norm is None:  # Note: as NumPy
        return "backward"
    if not isinstance(norm, str) or norm not in _NORMS:
        raise ValueError(f"fft.{name}: norm must be 'backward', 'ortho' or 'forward', "
                         f"got {norm!r}")
    return norm


def _int(name, what, v):
    if isinstance(v, (builtins.bool, np.bool_)):
        raise TypeError(f"fft.{name}: {what} must be an int, got {v!r}")
    try:
        return operator.index(v)
    except TypeError:
        raise TypeError(f"fft.{name}: {what} must be an int, got {type(v).__name__}") from None


def _axis(name, axis, ndim):
    return _check_axis(f"fft.{name}", _int(name, "axis", axis), ndim)


def _n(name, n, default):
    """The transform length ``n`` (``default`` when None); must be >= 1."""
    n = default if n is None else _int(name, "n", n)
    if n < 1:
        raise ValueError(f"fft.{name}: the number of data points must be >= 1, got n={n}")
    return n


def _s_axes(name, a, s, axes, inverse_real=False):
    """Normalized ``(s, axes)`` lists for the n-dimensional transforms.

    ``s[i] == -1`` means the input's size along ``axes[i]`` (for ``irfftn``:
    ``2 * (size - 1)`` on the last axis). Note: ``s`` without ``axes`` applies to
    the last ``len(s)`` axes, as NumPy (the standard requires ``axes`` with
    ``s``; SciPy's ``scipy.fft`` passes ``s`` alone).
    """
    nd = a.ndim
    if s is not None:
        if isinstance(s, (int, np.integer)):
            s = (s,)
        s = [_int(name, "s", v) for v in s]
    if axes is None:
        if s is None:
            axes = list(range(nd))
        else:
            if len(s) > nd:
                raise ValueError(f"fft.{name}: s={tuple(s)} has more entries than x has "
                                 f"dimensions (shape {a.shape})")
            axes = list(range(nd - len(s), nd))
    else:
        if isinstance(axes, (int, np.integer)):
            axes = (axes,)
        axes = [_axis(name, ax, nd) for ax in axes]
    if s is None:
        s = [-1] * len(axes)
    elif len(s) != len(axes):
        raise ValueError(f"fft.{name}: s and axes must have the same length, got "
                         f"s={tuple(s)} and axes={tuple(axes)}")
    out = []
    for i, (n, ax) in enumerate(zip(s, axes)):
        if n == -1:
            n = a.shape[ax]
            if inverse_real and i == len(axes) - 1:
                n = 2 * (n - 1)
        if n < 1:
            raise ValueError(f"fft.{name}: the number of data points must be >= 1, got "
                             f"s={tuple(s)} for x of shape {a.shape}")
        out.append(n)
    return out, axes


def _as(r, dt):
    return r if r.dtype == dt else r.astype(dt)


# ---------------------------------------------------------------------------
# one-dimensional transforms
# ---------------------------------------------------------------------------
_DOC_1D = """{summary}

    ``n`` is the length of the transform along ``axis`` ({nwhat}); the input is
    zero-padded or trimmed to it. ``norm`` is ``"backward"``, ``"ortho"`` or
    ``"forward"``. {dtypes}

    Examples
    --------
    >>> import minitensor as xp
    {example}
    """


@differentiable("fft.fft")
def fft(x, /, *, n=None, axis=-1, norm="backward"):
    a = _input("fft", x)
    ax = _axis("fft", axis, a.ndim)
    n = _n("fft", n, a.shape[ax])
    r = np.fft.fft(a, n=n, axis=ax, norm=_norm("fft", norm))
    return _new(_as(r, _COMPLEX_OF[a.dtype]))


@differentiable("fft.ifft")
def ifft(x, /, *, n=None, axis=-1, norm="backward"):
    a = _input("ifft", x)
    ax = _axis("ifft", axis, a.ndim)
    n = _n("ifft", n, a.shape[ax])
    r = np.fft.ifft(a, n=n, axis=ax, norm=_norm("ifft", norm))
    return _new(_as(r, _COMPLEX_OF[a.dtype]))


@differentiable("fft.rfft")
def rfft(x, /, *, n=None, axis=-1, norm="backward"):
    a = _input("rfft", x, real_only=True)
    ax = _axis("rfft", axis, a.ndim)
    n = _n("rfft", n, a.shape[ax])
    r = np.fft.rfft(a, n=n, axis=ax, norm=_norm("rfft", norm))
    return _new(_as(r, _COMPLEX_OF[a.dtype]))


@differentiable("fft.irfft")
def irfft(x, /, *, n=None, axis=-1, norm="backward"):
    a = _input("irfft", x)
    ax = _axis("irfft", axis, a.ndim)
    n = _n("irfft", n, 2 * (a.shape[ax] - 1))
    r = np.fft.irfft(a, n=n, axis=ax, norm=_norm("irfft", norm))
    return _new(_as(r, _REAL_OF[a.dtype]))


@differentiable("fft.hfft")
def hfft(x, /, *, n=None, axis=-1, norm="backward"):
    a = _input("hfft", x)
    ax = _axis("hfft", axis, a.ndim)
    n = _n("hfft", n, 2 * (a.shape[ax] - 1))
    r = np.fft.hfft(a, n=n, axis=ax, norm=_norm("hfft", norm))
    return _new(_as(r, _REAL_OF[a.dtype]))


@differentiable("fft.ihfft")
def ihfft(x, /, *, n=None, axis=-1, norm="backward"):
    a = _input("ihfft", x, real_only=True)
    ax = _axis("ihfft", axis, a.ndim)
    n = _n("ihfft", n, a.shape[ax])
    r = np.fft.ihfft(a, n=n, axis=ax, norm=_norm("ihfft", norm))
    return _new(_as(r, _COMPLEX_OF[a.dtype]))


_C_DT = "The result is complex with the precision of ``x`` (float32/complex64 -> complex64)."
_R_DT = "The result is real with the precision of ``x`` (complex64 -> float32)."
fft.__doc__ = _DOC_1D.format(
    summary="One-dimensional discrete Fourier transform of ``x`` along ``axis``.",
    nwhat="default: the size of that axis", dtypes=_C_DT,
    example=">>> xp.fft.fft(xp.asarray([1.0 + 0j, 0j, 0j, 0j]))\n"
            "    Tensor([1.+0.j, 1.+0.j, 1.+0.j, 1.+0.j], dtype=complex128)")
ifft.__doc__ = _DOC_1D.format(
    summary="One-dimensional inverse discrete Fourier transform (``ifft(fft(x)) == x``).",
    nwhat="default: the size of that axis", dtypes=_C_DT,
    example=">>> xp.fft.ifft(xp.asarray([4.0 + 0j, 0j, 0j, 0j]))\n"
            "    Tensor([1.+0.j, 1.+0.j, 1.+0.j, 1.+0.j], dtype=complex128)")
rfft.__doc__ = _DOC_1D.format(
    summary="One-dimensional discrete Fourier transform of real input "
            "(the ``n // 2 + 1`` non-negative frequencies).",
    nwhat="default: the size of that axis",
    dtypes="``x`` must be real; the result is complex with its precision.",
    example=">>> xp.fft.rfft(xp.asarray([1.0, 1.0, 1.0, 1.0]))\n"
            "    Tensor([4.+0.j, 0.+0.j, 0.+0.j], dtype=complex128)")
irfft.__doc__ = _DOC_1D.format(
    summary="Inverse of ``rfft``: a real signal of length ``n`` from its non-negative "
            "frequencies.",
    nwhat="of the output; default ``2 * (m - 1)`` for an input axis of size ``m``",
    dtypes=_R_DT,
    example=">>> xp.fft.irfft(xp.asarray([4.0 + 0j, 0j, 0j]))\n"
            "    Tensor([1., 1., 1., 1.], dtype=float64)")
hfft.__doc__ = _DOC_1D.format(
    summary="Discrete Fourier transform of a signal with Hermitian symmetry "
            "(given by its first half): a real spectrum.",
    nwhat="of the output; default ``2 * (m - 1)`` for an input axis of size ``m``",
    dtypes=_R_DT,
    example=">>> xp.fft.hfft(xp.asarray([1.0 + 0j, 0j, 0j]))\n"
            "    Tensor([1., 1., 1., 1.], dtype=float64)")
ihfft.__doc__ = _DOC_1D.format(
    summary="Inverse of ``hfft``: the first half of the Hermitian spectrum of real input.",
    nwhat="default: the size of that axis",
    dtypes="``x`` must be real; the result is complex with its precision.",
    example=">>> xp.fft.ihfft(xp.asarray([1.0, 1.0, 1.0, 1.0]))\n"
            "    Tensor([1.-0.j, 0.-0.j, 0.-0.j], dtype=complex128)")


# ---------------------------------------------------------------------------
# n-dimensional transforms
# ---------------------------------------------------------------------------
_DOC_ND = """{summary}

    ``axes`` (default: all axes) are the axes to transform and ``s`` the
    transform length along each ({swhat}; ``-1`` keeps the default); the input is
    zero-padded or trimmed to it. ``norm`` is ``"backward"``, ``"ortho"`` or
    ``"forward"`` (scaled by ``prod(s)``). {dtypes}

    Examples
    --------
    >>> import minitensor as xp
    {example}
    """


@differentiable("fft.fftn")
def fftn(x, /, *, s=None, axes=None, norm="backward"):
    a = _input("fftn", x)
    s, axes = _s_axes("fftn", a, s, axes)
    r = np.fft.fftn(a, s=s, axes=axes, norm=_norm("fftn", norm))
    return _new(_as(r, _COMPLEX_OF[a.dtype]))


@differentiable("fft.ifftn")
def ifftn(x, /, *, s=None, axes=None, norm="backward"):
    a = _input("ifftn", x)
    s, axes = _s_axes("ifftn", a, s, axes)
    r = np.fft.ifftn(a, s=s, axes=axes, norm=_norm("ifftn", norm))
    return _new(_as(r, _COMPLEX_OF[a.dtype]))


@differentiable("fft.rfftn")
def rfftn(x, /, *, s=None, axes=None, norm="backward"):
    a = _input("rfftn", x, real_only=True)
    s, axes = _s_axes("rfftn", a, s, axes)
    if not axes:
        raise ValueError("fft.rfftn: at least one axis must be transformed")
    r = np.fft.rfftn(a, s=s, axes=axes, norm=_norm("rfftn", norm))
    return _new(_as(r, _COMPLEX_OF[a.dtype]))


@differentiable("fft.irfftn")
def irfftn(x, /, *, s=None, axes=None, norm="backward"):
    a = _input("irfftn", x)
    s, axes = _s_axes("irfftn", a, s, axes, inverse_real=True)
    if not axes:
        raise ValueError("fft.irfftn: at least one axis must be transformed")
    r = np.fft.irfftn(a, s=s, axes=axes, norm=_norm("irfftn", norm))
    return _new(_as(r, _REAL_OF[a.dtype]))


fftn.__doc__ = _DOC_ND.format(
    summary="N-dimensional discrete Fourier transform of ``x`` over ``axes``.",
    swhat="default: the sizes of those axes", dtypes=_C_DT,
    example=">>> xp.fft.fftn(xp.ones((2, 2), dtype=xp.complex64))\n"
            "    Tensor([[4.+0.j, 0.+0.j],\n"
            "            [0.+0.j, 0.+0.j]], dtype=complex64)")
ifftn.__doc__ = _DOC_ND.format(
    summary="N-dimensional inverse discrete Fourier transform (``ifftn(fftn(x)) == x``).",
    swhat="default: the sizes of those axes", dtypes=_C_DT,
    example=">>> xp.fft.ifftn(xp.asarray([[4.0 + 0j, 0j], [0j, 0j]]))\n"
            "    Tensor([[1.+0.j, 1.+0.j],\n"
            "            [1.+0.j, 1.+0.j]], dtype=complex128)")
rfftn.__doc__ = _DOC_ND.format(
    summary="N-dimensional discrete Fourier transform of real input (the last "
            "transformed axis keeps its ``s[-1] // 2 + 1`` non-negative frequencies).",
    swhat="default: the sizes of those axes",
    dtypes="``x`` must be real; the result is complex with its precision.",
    example=">>> xp.fft.rfftn(xp.ones((2, 4))).shape\n    (2, 3)")
irfftn.__doc__ = _DOC_ND.format(
    summary="Inverse of ``rfftn``: a real array from the non-negative frequencies.",
    swhat="of the output; default: the input sizes, and ``2 * (m - 1)`` on the last axis",
    dtypes=_R_DT,
    example=">>> xp.fft.irfftn(xp.fft.rfftn(xp.ones((2, 4)))).shape\n    (2, 4)")


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def _freq_args(name, n, d, dtype, device):
    _check_device(device)
    n = _int(name, "n", n)
    if n < 1:
        raise ValueError(f"fft.{name}: n must be >= 1, got {n}")
    if isinstance(d, Tensor):
        d = d.item()
    if isinstance(d, (builtins.bool, np.bool_)) or not isinstance(d, (int, float, np.integer,
                                                                      np.floating)):
        raise TypeError(f"fft.{name}: d must be a real number, got {d!r}")
    if d == 0:
        raise ValueError(f"fft.{name}: the sample spacing d must be non-zero")
    if dtype is None:
        dt = _F64
    else:
        dt = _as_dtype(dtype)._np_dtype
        if dt.kind != "f":
            raise TypeError(f"fft.{name}: dtype must be a real floating-point dtype, got "
                            f"{_FROM_NP[dt]}")
    return n, float(d), dt


def fftfreq(n, /, *, d=1.0, dtype=None, device=None):
    """Sample frequencies of a length-``n`` DFT with sample spacing ``d``.

    ``[0, 1, ..., ceil(n/2)-1, -floor(n/2), ..., -1] / (d * n)``; ``dtype`` is a
    real floating-point dtype (default float64), computed in float64 then
    rounded.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.fft.fftfreq(4)
    Tensor([ 0.  ,  0.25, -0.5 , -0.25], dtype=float64)
    """
    n, d, dt = _freq_args("fftfreq", n, d, dtype, device)
    return _new(_as(np.fft.fftfreq(n, d), dt))


def rfftfreq(n, /, *, d=1.0, dtype=None, device=None):
    """Sample frequencies of ``rfft``: ``[0, 1, ..., n//2] / (d * n)``.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.fft.rfftfreq(4, dtype=xp.float32)
    Tensor([0.  , 0.25, 0.5 ], dtype=float32)
    """
    n, d, dt = _freq_args("rfftfreq", n, d, dtype, device)
    return _new(_as(np.fft.rfftfreq(n, d), dt))


def _shift_axes(name, a, axes):
    if axes is None:
        return tuple(range(a.ndim))
    if isinstance(axes, (int, np.integer)) and not isinstance(axes, (builtins.bool, np.bool_)):
        return (_axis(name, axes, a.ndim),)
    return tuple(_axis(name, ax, a.ndim) for ax in axes)


@differentiable("fft.fftshift")
def fftshift(x, /, *, axes=None):
    """Move the zero-frequency term to the centre of ``axes`` (default: all axes).

    Note: every dtype is accepted, as NumPy (the standard says "should" be
    floating-point).

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.fft.fftshift(xp.fft.fftfreq(5))
    Tensor([-0.4, -0.2,  0. ,  0.2,  0.4], dtype=float64)
    """
    a = x._array if type(x) is Tensor else _to_array("fftshift", x)
    return _new(np.fft.fftshift(a, axes=_shift_axes("fftshift", a, axes)))


@differentiable("fft.ifftshift")
def ifftshift(x, /, *, axes=None):
    """Inverse of ``fftshift`` (they differ by one sample for odd lengths).

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.fft.ifftshift(xp.fft.fftshift(xp.fft.fftfreq(5)))
    Tensor([ 0. ,  0.2,  0.4, -0.4, -0.2], dtype=float64)
    """
    a = x._array if type(x) is Tensor else _to_array("ifftshift", x)
    return _new(np.fft.ifftshift(a, axes=_shift_axes("ifftshift", a, axes)))
