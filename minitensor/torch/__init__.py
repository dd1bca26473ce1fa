"""minitensor's PyTorch face: ``import minitensor.torch as torch``.

A second face over the same engine and the same :class:`Tensor` class as the Array
API namespace ``minitensor``: PyTorch's names, signatures and defaults, so that a
PyTorch CPU training program runs after swapping its imports::

    import minitensor.torch as torch                     # import torch
    import minitensor.torch.nn as nn                     # import torch.nn as nn
    import minitensor.torch.nn.functional as F           # import torch.nn.functional as F
    import minitensor.torch.optim as optim               # import torch.optim as optim
    from minitensor.torch.utils.data import DataLoader   # from torch.utils.data import ...

What belongs to the face only: the default float dtype is float32
(:func:`set_default_dtype`), PyTorch's type promotion in the face's functions,
``torch.device``, ``Size``, ``cuda``/``accelerator``/``backends`` probes. The namespace
keeps the Array API's rules (float64 default); the two never leak into each other.
``nn``, ``optim``, ``utils.data`` and ``autograd`` are the namespace's own modules.

Examples
--------
>>> import minitensor as mt
>>> import minitensor.torch as torch
>>> x = torch.zeros(2, 3)
>>> x.dtype, mt.zeros(3).dtype, isinstance(x, torch.Tensor)
(minitensor.float32, minitensor.float64, True)
>>> values, indices = torch.max(torch.tensor([[1.0, 5.0], [7.0, 2.0]]), 1)
>>> indices
Tensor([1, 0], dtype=int64)
"""
# ----------------------------------------------------------- tensor and devices
from .._array_object import Tensor
from ._device import Size, device

# -------------------------------------------------------------------- constants
from .._constants import e, inf, nan, pi

# ----------------------------------------------------------------------- dtypes
from ._dtypes import (
    bool, can_cast, cdouble, cfloat, complex64, complex128, double, dtype, finfo, float,
    float16, float32, float64, get_default_dtype, half, iinfo, int, int8, int16, int32,
    int64, is_complex, is_floating_point, long, promote_types, set_default_dtype, short,
    uint8, uint16, uint32, uint64,
)

# ------------------------------------------------------------------- creation
from ._creation import (
    arange, as_tensor, asarray, complex, empty, empty_like, eye, from_numpy, full,
    full_like, linspace, logspace, ones, ones_like, polar, scalar_tensor, tensor, zeros,
    zeros_like,
)

# --------------------------------------------------------------------- random
from ._random import (
    bernoulli, get_rng_state, initial_seed, manual_seed,
    multinomial, normal, poisson, rand, rand_like, randint, randint_like, randn, randn_like,
    randperm, seed, set_rng_state,
)

# ------------------------------------------------------------------ functions
from ._functions import *  # noqa: F401,F403  (the list: _functions.__all__)
from ._functions import __all__ as _function_names
from ._more import *  # noqa: F401,F403  (the list: _more.__all__)
from ._more import __all__ as _more_names

# -------------------------------------------- grad modes, persistence, threads
from ._misc import (
    are_deterministic_algorithms_enabled, get_float32_matmul_precision,
    get_num_interop_threads, get_num_threads, inference_mode, is_inference_mode_enabled,
    load, save, set_float32_matmul_precision, set_num_interop_threads, set_num_threads,
    set_printoptions, use_deterministic_algorithms,
)

# ----------------------------------------------------------------- submodules
from . import accelerator, backends, cuda, fft, linalg, special

# Note: minitensor's version, not a PyTorch version number.
from .. import __version__  # noqa: E402

__all__ = [
    # tensor and devices
    "Tensor", "Size", "device",
    # constants
    "e", "inf", "nan", "pi",
    # dtypes
    "dtype", "bool", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "short",
    "int32", "int", "int64", "long", "float16", "half", "float32", "float", "float64",
    "double", "complex64", "cfloat", "complex128", "cdouble", "get_default_dtype",
    "set_default_dtype", "finfo", "iinfo", "is_floating_point", "is_complex",
    "promote_types", "can_cast",
    # creation
    "tensor", "as_tensor", "asarray", "from_numpy", "zeros", "ones", "empty", "full",
    "zeros_like", "ones_like", "empty_like", "full_like", "eye", "arange", "linspace",
    "logspace", "scalar_tensor", "complex", "polar",
    # random
    "Generator", "default_generator", "manual_seed", "seed", "initial_seed",
    "get_rng_state", "set_rng_state", "rand", "randn", "randint", "randperm", "rand_like",
    "randn_like", "randint_like", "normal", "bernoulli", "multinomial", "poisson",
    # functions
    *_function_names, *_more_names,
    # grad modes (imported on first use), persistence, threads, flags
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "inference_mode",
    "is_inference_mode_enabled", "save", "load", "get_num_threads", "set_num_threads",
    "get_num_interop_threads", "set_num_interop_threads", "use_deterministic_algorithms",
    "are_deterministic_algorithms_enabled", "set_float32_matmul_precision",
    "get_float32_matmul_precision", "set_printoptions",
    # submodules
    "accelerator", "autograd", "backends", "cuda", "distributed", "fft", "linalg", "nn",
    "optim", "special", "utils",
]
del _function_names, _more_names

_LAZY_GRAD = ("no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled")
_LAZY_MODULES = ("autograd", "distributed", "nn", "optim", "utils")


def __getattr__(name):
    # Note: nn/optim/utils/autograd/distributed are imported on first use, so that
    # ``import minitensor.torch`` stays fast (as ``import minitensor``).
    import importlib
    if name in _LAZY_GRAD:
        return getattr(importlib.import_module("minitensor.autograd"), name)
    if name == "default_generator":
        from ._generator import _default_generator
        return _default_generator()
    if name == "Generator":
        from ._generator import Generator
        return Generator
    if name in _LAZY_MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
