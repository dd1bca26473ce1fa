"""Gradient rules of the ``fft`` extension: each transform's adjoint is the
opposite transform with the swapped normalisation, trimmed or zero-padded back
to the input's length (real transforms count the doubled frequencies twice)."""
import numpy as np

import minitensor as xp
from minitensor import fft as _fft

from ..._utility_functions import _normalize_axis
from . import rule
from ._helpers import constant_like, fit_length, shape_only

# the normalisation of the adjoint transform
_SWAP = {"backward": "forward", "forward": "backward", "ortho": "ortho", None: "forward"}


def _axis_length(name, x_shape, axis, n, default_n):
    ax = _normalize_axis(name, axis, len(x_shape))
    return ax, default_n(x_shape[ax]) if n is None else int(n)


def _c2c_vjp(name, inverse_of):
    def vjp(ctx, g, *, x_shape, n, axis, norm):
        ax, n = _axis_length(name, x_shape, axis, n, lambda m: m)
        return fit_length(inverse_of(g, axis=ax, norm=_SWAP[norm]), x_shape[ax], ax)
    vjp.__name__ = vjp.__qualname__ = f"{name}_vjp"
    return vjp


rule("fft.fft")(_c2c_vjp("fft", _fft.ifft))
rule("fft.ifft")(_c2c_vjp("ifft", _fft.fft))


def _rfft_adjoint(g, n, ax, sw, length):
    """Adjoint of ``rfft(x, n)`` along ``ax`` (x of ``length``), applied to ``g``."""
    gx = _fft.ifft(fit_length(g, n, ax), axis=ax, norm=sw)
    return fit_length(xp.real(gx), length, ax)


def _irfft_adjoint(g, n, ax, sw, length):
    """Adjoint of ``irfft(x, n)`` along ``ax`` (x of ``length``): PyTorch's
    fft_c2r_backward (the entries that stand for two frequencies count twice)."""
    gi = _fft.rfft(g, axis=ax, norm=sw)
    m = gi.shape[ax]
    double = n - m
    if double > 0:
        w = np.ones(m)
        w[1:1 + double] = 2
        shape = [1] * gi.ndim
        shape[ax] = m
        gi = gi * constant_like(w.reshape(shape), gi)
    return fit_length(gi, length, ax)


@rule("fft.rfft")
def rfft_vjp(ctx, g, *, x_shape, n, axis, norm):
    ax, n = _axis_length("rfft", x_shape, axis, n, lambda m: m)
    return _rfft_adjoint(g, n, ax, _SWAP[norm], x_shape[ax])


@rule("fft.irfft")
def irfft_vjp(ctx, g, *, x_shape, n, axis, norm):
    ax, n = _axis_length("irfft", x_shape, axis, n, lambda m: 2 * (m - 1))
    return _irfft_adjoint(g, n, ax, _SWAP[norm], x_shape[ax])


@rule("fft.hfft")
def hfft_vjp(ctx, g, *, x_shape, n, axis, norm):
    # hfft(x, n, norm) = irfft(conj(x), n, norm=swap(norm))
    ax, n = _axis_length("hfft", x_shape, axis, n, lambda m: 2 * (m - 1))
    return xp.conj(_irfft_adjoint(g, n, ax, _SWAP[_SWAP[norm]], x_shape[ax]))


@rule("fft.ihfft")
def ihfft_vjp(ctx, g, *, x_shape, n, axis, norm):
    # ihfft(x, n, norm) = conj(rfft(x, n, norm=swap(norm)))
    ax, n = _axis_length("ihfft", x_shape, axis, n, lambda m: m)
    return _rfft_adjoint(xp.conj(g), n, ax, _SWAP[_SWAP[norm]], x_shape[ax])


def _s_axes(name, x_shape, s, axes, inverse_real=False):
    return _fft._s_axes(name, shape_only(x_shape), s, axes, inverse_real=inverse_real)


def _c2c_nd_vjp(name, inverse_of):
    def vjp(ctx, g, *, x_shape, s, axes, norm):
        s, axes = _s_axes(name, x_shape, s, axes)
        if not axes:
            return g
        gx = inverse_of(g, axes=axes, norm=_SWAP[norm])
        for ax in axes:
            gx = fit_length(gx, x_shape[ax], ax)
        return gx
    vjp.__name__ = vjp.__qualname__ = f"{name}_vjp"
    return vjp


rule("fft.fftn")(_c2c_nd_vjp("fftn", _fft.ifftn))
rule("fft.ifftn")(_c2c_nd_vjp("ifftn", _fft.fftn))


@rule("fft.rfftn")
def rfftn_vjp(ctx, g, *, x_shape, s, axes, norm):
    # rfftn = fft over axes[:-1] (lengths s[:-1]) of rfft over axes[-1] (length s[-1])
    s, axes = _s_axes("rfftn", x_shape, s, axes)
    sw = _SWAP[norm]
    if len(axes) > 1:
        g = _fft.ifftn(g, axes=axes[:-1], norm=sw)
    gx = _rfft_adjoint(g, s[-1], axes[-1], sw, x_shape[axes[-1]])
    for ax in axes[:-1]:
        gx = fit_length(gx, x_shape[ax], ax)
    return gx


@rule("fft.irfftn")
def irfftn_vjp(ctx, g, *, x_shape, s, axes, norm):
    # irfftn = irfft over axes[-1] (length s[-1]) of ifft over axes[:-1] (lengths s[:-1])
    s, axes = _s_axes("irfftn", x_shape, s, axes, inverse_real=True)
    sw = _SWAP[norm]
    gx = _irfft_adjoint(g, s[-1], axes[-1], sw, x_shape[axes[-1]])
    if len(axes) > 1:
        gx = _fft.fftn(gx, axes=axes[:-1], norm=sw)
        for ax in axes[:-1]:
            gx = fit_length(gx, x_shape[ax], ax)
    return gx


@rule("fft.fftshift")
def fftshift_vjp(ctx, g, *, axes):
    return _fft.ifftshift(g, axes=axes)


@rule("fft.ifftshift")
def ifftshift_vjp(ctx, g, *, axes):
    return _fft.fftshift(g, axes=axes)
