"""Linear algebra functions of the main namespace (``matmul``, ...).

Matrix products go to NumPy's BLAS: Pythran cannot link a BLAS on a fresh
machine (``../shared/reference/pythran.md`` section 1).
"""
import numpy as np

from ._array_object import Tensor
from ._dtypes import _FROM_NP, _dtype_categories
from ._elementwise_functions import _to_array

__all__ = ["matmul"]

_new = Tensor._new
_NUMERIC = frozenset(d._np_dtype for d in _dtype_categories["numeric"])


def matmul(x1, x2, /):
    """Matrix product of two tensors, batched over leading dimensions (``x1 @ x2``).

    1-D operands are treated as vectors (as NumPy and the standard say); 0-d
    operands are an error.

    Examples
    --------
    >>> import minitensor as xp
    >>> a = xp.asarray([[1.0, 2.0], [3.0, 4.0]])
    >>> a @ xp.asarray([1.0, 1.0])
    Tensor([3., 7.], dtype=float64)
    """
    a = x1._array if type(x1) is Tensor else _to_array("matmul", x1)
    b = x2._array if type(x2) is Tensor else _to_array("matmul", x2)
    for arr in (a, b):
        if arr.dtype not in _NUMERIC:
            raise TypeError(f"matmul() does not support dtype {_FROM_NP[arr.dtype]}; "
                            f"it needs a numeric dtype")
        if arr.ndim == 0:
            raise ValueError("matmul: 0-d operands are not allowed (use multiply)")
    ka = a.shape[-1]
    kb = b.shape[-2] if b.ndim >= 2 else b.shape[0]
    if ka != kb:
        raise ValueError(f"matmul: shapes {a.shape} and {b.shape} are not aligned: "
                         f"{ka} (last axis of x1) != {kb} (axis -2 of x2)")
    r = np.matmul(a, b)
    if type(r) is not np.ndarray:
        r = np.asarray(r)
    return _new(r)
