"""Dask arrays with minitensor chunks.

Importing ``minitensor.dask`` registers :class:`minitensor.Tensor` as a Dask
chunk type (``dask.array.register_chunk_type``) and as a token Dask can hash
cheaply (``dask.base.normalize_token``: the buffer's, as an ndarray's);
:func:`from_tensor` makes a ``dask.array.Array`` whose chunks are views of a
tensor and whose ``meta`` is a 0-size tensor of its dtype. Operations keep
minitensor chunks through NumPy's dispatch protocols on ``Tensor`` (NEP-13
``__array_ufunc__``, NEP-18 ``__array_function__``): elementwise operators and
ufuncs, reductions, ``@``/``tensordot``, slicing, rechunk, reshape,
``concatenate``/``stack``, ``where``, ``astype``; ``compute()`` gives a
tensor. See the Dask page of the user guide.

``import minitensor`` does not import this module (nor Dask); Dask is an
optional dependency (``pip install "minitensor[dask]"``). Without Dask this
module still imports; :func:`from_tensor` raises ImportError.

Examples
--------
>>> import minitensor as xp
>>> import minitensor.dask as mtd
>>> x = mtd.from_tensor(xp.reshape(xp.arange(12.0), (3, 4)), chunks=(2, 2))
>>> type(x._meta).__name__, x.dtype, x.chunks
('Tensor', minitensor.float64, ((2, 1), (2, 2)))
>>> (x * 2).sum(axis=0).compute(scheduler="synchronous")
Tensor([24., 30., 36., 42.], dtype=float64)
"""
import numpy as np

from ._array_object import Tensor

__all__ = ["from_tensor", "register"]

try:
    import dask.array as _da
except ImportError:  # pragma: no cover - dask is installed in CI
    _da = None

_registered = False


def register():
    """Register :class:`Tensor` with Dask (done when this module is imported).

    Adds ``Tensor`` to Dask's chunk types (``dask.array.register_chunk_type``,
    so that Dask arrays handle ``dask_array + tensor`` and NumPy functions of
    both, instead of deferring to the tensor) and teaches ``dask.base.tokenize``
    to hash a tensor by its buffer, as an ndarray. Calling it again does
    nothing.

    Returns
    -------
    bool
        True if Dask is installed (and ``Tensor`` is registered), False if not.

    Examples
    --------
    >>> import minitensor.dask as mtd
    >>> mtd.register()
    True
    """
    global _registered
    if _da is None:
        return False
    if not _registered:
        from dask.array.chunk_types import is_valid_chunk_type
        from dask.base import normalize_token
        if not is_valid_chunk_type(Tensor):
            _da.register_chunk_type(Tensor)

        @normalize_token.register(Tensor)
        def _token(t):
            return ("minitensor.Tensor", normalize_token(t._array))

        _registered = True
    return True


def from_tensor(t, chunks="auto", *, name=None, inline_array=False):
    """A Dask array whose chunks are views of the minitensor tensor ``t``.

    Parameters
    ----------
    t : Tensor
        The data (a plain tensor: one that requires grad raises TypeError, Dask's
        operations would drop its graph; pass ``t.detach()``).
    chunks : int, tuple, str or "auto"
        Chunk shape, as ``dask.array.from_array`` takes it (``"auto"``: Dask's
        default chunk size).
    name : str, optional
        The key prefix of the chunks in the task graph (default: a token of the
        data).
    inline_array : bool
        As ``dask.array.from_array``: embed the tensor in every chunk's task
        instead of once in the graph.

    Returns
    -------
    dask.array.Array
        With ``meta`` a 0-size tensor of ``t``'s dtype (``x._meta``) and
        ``dtype`` ``t.dtype``; computing it gives a tensor.

    Raises
    ------
    ImportError
        When Dask is not installed.
    TypeError
        When ``t`` is not a tensor, or requires grad.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.dask as mtd
    >>> t = xp.reshape(xp.arange(6.0), (2, 3))
    >>> x = mtd.from_tensor(t, chunks=(1, 3))
    >>> x.numblocks, type(x.blocks[1].compute(scheduler="synchronous")).__name__
    ((2, 1), 'Tensor')
    >>> (x + t).mean().compute(scheduler="synchronous")
    Tensor(5., dtype=float64)
    """
    if not register():
        raise ImportError("minitensor.dask.from_tensor needs Dask: pip install "
                          "\"minitensor[dask]\" (or dask[array])")
    if not isinstance(t, Tensor):
        raise TypeError(f"from_tensor: expected a minitensor Tensor, got {type(t).__name__} "
                        f"(use dask.array.from_array for NumPy arrays)")
    if t.requires_grad:
        raise TypeError("from_tensor: the tensor requires grad; Dask's operations would "
                        "drop its graph: pass t.detach()")
    meta = Tensor._new(np.empty((0,) * t.ndim, dtype=t._array.dtype))
    return _da.from_array(t, chunks=chunks, name=name, asarray=False, meta=meta,
                          inline_array=inline_array)


register()

if _da is None:  # pragma: no cover - the examples need Dask: skipped without it
    import re as _re

    def _skip(doc):
        return _re.sub(r"^(\s*>>> .*)$", r"\1  # doctest: +SKIP", doc, flags=_re.M)

    for _f in (from_tensor, register):
        _f.__doc__ = _skip(_f.__doc__)
    __doc__ = _skip(__doc__)
