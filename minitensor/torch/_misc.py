"""Grad modes, persistence, threads and the flags scripts set, with PyTorch's names."""
import builtins
import functools

import minitensor as _mt
from .. import _serialization
from ._device import _check

__all__ = ["inference_mode", "is_inference_mode_enabled", "save", "load",
           "get_num_threads", "set_num_threads", "get_num_interop_threads",
           "set_num_interop_threads", "use_deterministic_algorithms",
           "are_deterministic_algorithms_enabled", "set_float32_matmul_precision",
           "get_float32_matmul_precision", "set_printoptions"]

get_num_threads = _mt.get_num_threads
set_num_threads = _mt.set_num_threads

_state = {"interop": 1, "deterministic": False, "matmul_precision": "highest",
          "inference": 0}


class inference_mode:
    """Disable gradient recording (``torch.inference_mode``): a context manager or a
    decorator; ``inference_mode(False)`` does nothing. Tensors made inside are ordinary
    tensors (no inference-tensor restrictions).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> w = torch.ones(2, requires_grad=True)
    >>> with torch.inference_mode():
    ...     y = w * 2
    >>> y.requires_grad
    False
    """

    def __init__(self, mode=True):
        if callable(mode) and not isinstance(mode, builtins.bool):
            raise TypeError("inference_mode: use @inference_mode() (with parentheses)")
        self.mode = builtins.bool(mode)
        self._ctx = None

    def __enter__(self):
        from .. import autograd
        self._ctx = autograd.set_grad_enabled(False) if self.mode else None
        if self._ctx is not None:
            self._ctx.__enter__()
            _state["inference"] += 1
        return self

    def __exit__(self, *exc):
        if self._ctx is not None:
            _state["inference"] -= 1
            self._ctx.__exit__(*exc)
            self._ctx = None
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with inference_mode(self.mode):
                return func(*args, **kwargs)
        return wrapper


def is_inference_mode_enabled():
    """True inside :class:`inference_mode`.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> with torch.inference_mode():
    ...     torch.is_inference_mode_enabled()
    True
    """
    return _state["inference"] > 0


def save(obj, f, pickle_module=None, pickle_protocol=None,
         _use_new_zipfile_serialization=True, _disable_byteorder_record=False):
    """Save tensors, state dicts and checkpoint dicts (nested dicts/lists/tuples of
    tensors, numbers, strings, None) to ``f``, without pickle (:func:`minitensor.save`).

    Examples
    --------
    >>> import io, minitensor.torch as torch
    >>> buf = io.BytesIO()
    >>> torch.save({"epoch": 3, "w": torch.ones(2)}, buf)
    >>> _ = buf.seek(0)
    >>> ckpt = torch.load(buf, weights_only=True)
    >>> ckpt["epoch"], ckpt["w"]
    (3, Tensor([1., 1.], dtype=float32))
    """
    if pickle_module is not None:
        raise TypeError("save(): minitensor files never use pickle; pickle_module is not "
                        "supported")
    _serialization.save(obj, f)


def _check_map_location(map_location):
    # Note: a function or dict map_location is accepted and not called: every tensor
    # is loaded on the CPU, the only device.
    if map_location is None or callable(map_location):
        return
    if isinstance(map_location, dict):
        for v in map_location.values():
            _check(v, "load(map_location=)")
        return
    _check(map_location, "load(map_location=)")


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None,
         **pickle_load_args):
    """Load an object written by :func:`save`. ``map_location`` may name the CPU (or be
    a function/dict, ignored: every tensor is on the CPU); ``weights_only`` is accepted
    (loading never unpickles, so it is always safe).

    Examples
    --------
    >>> import io, minitensor.torch as torch
    >>> buf = io.BytesIO()
    >>> torch.save(torch.arange(3), buf)
    >>> _ = buf.seek(0)
    >>> torch.load(buf, map_location="cpu")
    Tensor([0, 1, 2], dtype=int64)
    """
    if pickle_module is not None:
        raise TypeError("load(): minitensor files never use pickle; pickle_module is not "
                        "supported")
    _check_map_location(map_location)
    return _serialization.load(f)


def get_num_interop_threads():
    """The number of inter-op threads (minitensor runs one operation at a time: 1).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.get_num_interop_threads()
    1
    """
    return _state["interop"]


def set_num_interop_threads(n):
    """Accepted for compatibility (minitensor runs one operation at a time).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.set_num_interop_threads(1)
    >>> torch.get_num_interop_threads()
    1
    """
    if not isinstance(n, builtins.int) or n < 1:
        raise RuntimeError(f"set_num_interop_threads(): expected a positive integer, got {n!r}")


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Record the flag (minitensor's CPU kernels are deterministic for a fixed number of
    threads either way).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.use_deterministic_algorithms(True)
    >>> torch.are_deterministic_algorithms_enabled()
    True
    >>> torch.use_deterministic_algorithms(False)
    """
    _state["deterministic"] = builtins.bool(mode)


def are_deterministic_algorithms_enabled():
    """The flag set by :func:`use_deterministic_algorithms`.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.are_deterministic_algorithms_enabled()
    False
    """
    return _state["deterministic"]


def set_float32_matmul_precision(precision):
    """Record the flag (``"highest"``, ``"high"``, ``"medium"``; float32 matmuls are always
    computed in float32 here).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.set_float32_matmul_precision("high")
    >>> torch.get_float32_matmul_precision()
    'high'
    >>> torch.set_float32_matmul_precision("highest")
    """
    if precision not in ("highest", "high", "medium"):
        raise RuntimeError(f"set_float32_matmul_precision(): invalid precision {precision!r}")
    _state["matmul_precision"] = precision


def get_float32_matmul_precision():
    """The flag set by :func:`set_float32_matmul_precision`.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.get_float32_matmul_precision()
    'highest'
    """
    return _state["matmul_precision"]


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Set how tensors print (NumPy's print options, which tensors use).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.set_printoptions(precision=4)
    >>> torch.set_printoptions(profile="default")
    """
    import numpy as np
    if profile == "default":
        np.set_printoptions(precision=8, threshold=1000, edgeitems=3, linewidth=75,
                            suppress=False)
    elif profile == "short":
        np.set_printoptions(precision=2, threshold=1000, edgeitems=2, linewidth=80)
    elif profile == "full":
        np.set_printoptions(threshold=2 ** 63 - 1)
    kw = {k: v for k, v in dict(precision=precision, threshold=threshold,
                                edgeitems=edgeitems, linewidth=linewidth).items()
          if v is not None}
    if sci_mode is not None:
        kw["suppress"] = not sci_mode
    if kw:
        np.set_printoptions(**kw)
