"""One record per public function: the single source of the forward, dtype and
(later) gradient tests (PyTorch OpInfo, JAX ``op_record``).

Records live in ``tests/records_<category>.py`` files, each defining
``RECORDS = [OpRecord(...), ...]``; this module gathers them all. A test module
parametrizes over ``records(category=...)`` or ``RECORDS``.
"""
import importlib
import pathlib
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np


@dataclass(frozen=True)
class OpRecord:
    name: str                      # public name in the namespace (e.g. "add", "linalg.inv")
    category: str                  # spec category, e.g. "elementwise", "manipulation"
    ref: Callable                  # NumPy reference: ref(*numpy_arrays, **kwargs) -> ndarray(s)
    nargs: int = 1                 # number of array arguments
    dtypes: str = "floating-point"  # a key of minitensor._dtypes._dtype_categories
    domain: Optional[Callable] = None  # domain(rng, shape, np_dtype) -> ndarray of valid inputs
    shapes: tuple = ()             # tuples of argument shapes to test; () = the category default
    kwargs: dict = field(default_factory=dict)
    differentiable: bool = False   # has a gradient rule (issue 4)
    rtol: dict = field(default_factory=lambda: {"float32": 1e-5, "float64": 1e-12})
    atol: dict = field(default_factory=lambda: {"float32": 1e-6, "float64": 1e-12})
    scalars: bool = False          # accepts Python scalars as operands

    def tol(self, dtype_name):
        base = dtype_name.replace("complex64", "float32").replace("complex128", "float64")
        if base == "float16" and base not in self.rtol:
            # the float16 extension: a few float16 ulps (minitensor computes float16
            # mean/var/std in float32, the references in float16)
            return 4e-3, self.atol.get(base, 4e-3)
        return self.rtol.get(base, 0.0), self.atol.get(base, 0.0)


def _gather():
    out = []
    here = pathlib.Path(__file__).parent
    for path in sorted(here.glob("records_*.py")):
        if path.stem == "records_nn":
            # nn records (records_nn.NN_RECORDS), not namespace op records; it imports
            # minitensor.nn, which the namespace tests must not need (test_boundary.py)
            continue
        mod = importlib.import_module(path.stem)
        out.extend(mod.RECORDS)
    names = [r.name for r in out]
    dup = {n for n in names if names.count(n) > 1}
    assert not dup, f"duplicate op records: {sorted(dup)}"
    return out


RECORDS = _gather()


def records(category=None, **filters):
    return [r for r in RECORDS if (category is None or r.category == category)
            and all(getattr(r, k) == v for k, v in filters.items())]


def random_input(rng, shape, np_dtype, domain=None):
    """Random test input of ``shape``/``np_dtype`` inside ``domain``."""
    np_dtype = np.dtype(np_dtype)
    if domain is not None:
        return np.asarray(domain(rng, shape, np_dtype)).astype(np_dtype)
    if np_dtype.kind == "b":
        return rng.random(shape) < 0.5
    if np_dtype.kind in "iu":
        info = np.iinfo(np_dtype)
        lo, hi = max(info.min, -100), min(info.max, 100)
        return rng.integers(lo, hi + 1, size=shape, dtype=np_dtype)
    if np_dtype.kind == "c":
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np_dtype)
    return rng.standard_normal(shape).astype(np_dtype)
