"""``torch.fft`` in the face: :mod:`minitensor.fft` with PyTorch's signatures.

``dim=`` instead of ``axis=``/``axes=``, ``norm=None`` meaning ``"backward"``, real
inputs accepted by the complex transforms (promoted to complex), ``fft2``/``ifft2``/
``rfft2``/``irfft2``, and ``fftfreq``/``rfftfreq`` in the face's default float dtype.

Examples
--------
>>> import minitensor.torch as torch
>>> torch.fft.fft(torch.tensor([1.0, 0.0, 0.0, 0.0]))
Tensor([1.+0.j, 1.+0.j, 1.+0.j, 1.+0.j], dtype=complex64)
>>> torch.fft.rfft(torch.ones(4)).shape
(3,)
"""
import minitensor as _mt

from . import _dtypes

__all__ = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fftn", "ifftn", "rfftn",
           "irfftn", "fft2", "ifft2", "rfft2", "irfft2", "fftfreq", "rfftfreq", "fftshift",
           "ifftshift"]


def _complex(x):
    k = x.dtype.kind
    if k == "c":
        return x
    if k == "f":
        return _mt.astype(x, _mt.complex128 if x.dtype == _mt.float64 else _mt.complex64)
    return _mt.astype(x, _dtypes._default_complex())


def _real(x):
    k = x.dtype.kind
    if k == "f":
        return x
    if k == "c":
        raise RuntimeError("this transform expects a real input tensor, got a complex one")
    return _mt.astype(x, _dtypes._default[0])


_SHAPES = {"fft": (2, 4), "ifft": (2, 4), "rfft": (2, 3), "irfft": (2, 6), "hfft": (2, 6),
           "ihfft": (2, 3)}


def _one(name, conv):
    def f(input, n=None, dim=-1, norm=None, *, out=None):
        if out is not None:
            raise TypeError(f"fft.{name}(): out= is not supported")
        return getattr(_mt.fft, name)(conv(input), n=n, axis=dim,
                                      norm="backward" if norm is None else norm)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"""``torch.fft.{name}(input, n=None, dim=-1, norm=None)``:
    :func:`minitensor.fft.{name}` along ``dim``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.fft.{name}(torch.ones(2, 4)).shape
    {_SHAPES[name]}
    """
    return f


def _many(name, conv, default_dim=None, base=None):
    base = base or name

    def f(input, s=None, dim=default_dim, norm=None, *, out=None):
        if out is not None:
            raise TypeError(f"fft.{name}(): out= is not supported")
        axes = None if dim is None else (tuple(dim) if not isinstance(dim, int) else (dim,))
        if s is not None and axes is None:
            axes = tuple(range(-len(s), 0))
        return getattr(_mt.fft, base)(conv(input), s=None if s is None else tuple(s),
                                      axes=axes, norm="backward" if norm is None else norm)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"""``torch.fft.{name}(input, s=None, dim={default_dim!r}, norm=None)``:
    :func:`minitensor.fft.{base}` over ``dim``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.fft.{name}(torch.ones(3, 4, 4)).ndim
    3
    """
    return f


fft = _one("fft", _complex)
ifft = _one("ifft", _complex)
rfft = _one("rfft", _real)
irfft = _one("irfft", _complex)
hfft = _one("hfft", _complex)
ihfft = _one("ihfft", _real)
fftn = _many("fftn", _complex)
ifftn = _many("ifftn", _complex)
rfftn = _many("rfftn", _real)
irfftn = _many("irfftn", _complex)
fft2 = _many("fft2", _complex, (-2, -1), "fftn")
ifft2 = _many("ifft2", _complex, (-2, -1), "ifftn")
rfft2 = _many("rfft2", _real, (-2, -1), "rfftn")
irfft2 = _many("irfft2", _complex, (-2, -1), "irfftn")


def fftfreq(n, d=1.0, *, dtype=None, device=None, requires_grad=False, out=None):
    """The sample frequencies of an ``n``-point FFT (the default float dtype).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.fft.fftfreq(4)
    Tensor([ 0.  ,  0.25, -0.5 , -0.25], dtype=float32)
    """
    return _mt.fft.fftfreq(n, d=d, dtype=dtype or _dtypes._default[0])


def rfftfreq(n, d=1.0, *, dtype=None, device=None, requires_grad=False, out=None):
    """The sample frequencies of an ``n``-point real FFT (the default float dtype).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.fft.rfftfreq(4)
    Tensor([0.  , 0.25, 0.5 ], dtype=float32)
    """
    return _mt.fft.rfftfreq(n, d=d, dtype=dtype or _dtypes._default[0])


def fftshift(input, dim=None):
    """Move the zero frequency to the centre (over ``dim``, all dimensions by default).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.fft.fftshift(torch.arange(4))
    Tensor([2, 3, 0, 1], dtype=int64)
    """
    return _mt.fft.fftshift(input, axes=dim if not isinstance(dim, list) else tuple(dim))


def ifftshift(input, dim=None):
    """The inverse of :func:`fftshift`.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.fft.ifftshift(torch.arange(4))
    Tensor([2, 3, 0, 1], dtype=int64)
    """
    return _mt.fft.ifftshift(input, axes=dim if not isinstance(dim, list) else tuple(dim))
