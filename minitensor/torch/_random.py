"""Random sampling with PyTorch's names, driven by minitensor's global generator.

``manual_seed`` here is :func:`minitensor.manual_seed`: one global generator feeds the
face's ``rand``/``randn``/..., ``nn.init``, dropout and ``DataLoader`` shuffling, so
one seed reproduces a whole program. The streams are NumPy's (PCG64), not PyTorch's:
the same seed gives the same numbers run after run, not the numbers PyTorch gives.
``generator=`` takes a ``Generator`` (``_generator.py``: a ``numpy.random.Generator``
subclass, imported on first use so that ``import minitensor.torch`` does not load
``numpy.random``) or any NumPy generator.
"""
import operator

import numpy as np

import minitensor as _mt
from .. import _random
from .._array_object import Tensor
from .._dtypes import _as_dtype, _real_floating_dtypes, float16, int64
from . import _dtypes
from ._creation import _check, _finish, _kw_size, _no_out, _size

__all__ = [
    "manual_seed", "seed", "initial_seed", "get_rng_state",
    "set_rng_state", "rand", "randn", "randint", "randperm", "rand_like", "randn_like",
    "randint_like", "normal", "bernoulli", "multinomial", "poisson",
]


def manual_seed(seed):
    """Seed the global generator (the face's sampling, ``nn.init``, dropout, shuffling);
    returns ``default_generator``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> _ = torch.manual_seed(0)
    >>> a = torch.randn(3)
    >>> _ = torch.manual_seed(0)
    >>> bool((a == torch.randn(3)).all())
    True
    """
    _random.manual_seed(seed)
    from ._generator import _default_generator
    return _default_generator()


def seed():
    """Seed the global generator from OS entropy; returns the seed.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> s = torch.seed()
    >>> s == torch.initial_seed()
    True
    """
    return _random.seed()


def initial_seed():
    """The seed of the global generator.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> _ = torch.manual_seed(7)
    >>> torch.initial_seed()
    7
    """
    return _random.initial_seed()


def get_rng_state():
    """The global generator's state (an opaque object for :func:`set_rng_state`).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> state = torch.get_rng_state()
    >>> a = torch.rand(2)
    >>> torch.set_rng_state(state)
    >>> bool((a == torch.rand(2)).all())
    True
    """
    return _random.get_rng_state()


def set_rng_state(new_state):
    """Restore a state returned by :func:`get_rng_state`.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> state = torch.get_rng_state()
    >>> a = torch.randn(2)
    >>> torch.set_rng_state(state)
    >>> bool((torch.randn(2) == a).all())
    True
    """
    _random.set_rng_state(new_state)


def _gen(generator):
    if generator is None:
        return _random._global()
    if isinstance(generator, np.random.Generator):
        return generator
    raise TypeError(f"generator must be a minitensor.torch.Generator, got "
                    f"{type(generator).__name__}")


def _float_dtype(name, dtype):
    dt = _dtypes._default[0] if dtype is None else _as_dtype(dtype)
    if dt not in _real_floating_dtypes:
        raise RuntimeError(f"{name}(): expected a floating point dtype, got {dt}")
    return dt


def _draw(kind, shape, dt, g):
    npdt = np.float32 if dt == float16 else dt._np_dtype
    a = g.random(shape, dtype=npdt) if kind == "rand" else g.standard_normal(shape, dtype=npdt)
    return _mt.asarray(a.astype(dt._np_dtype, copy=False))


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False, **kw):
    """Uniform samples from ``[0, 1)``: ``rand(2, 3)`` or ``rand((2, 3))``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> x = torch.rand(2, 3)
    >>> x.shape, x.dtype, bool(((x >= 0) & (x < 1)).all())
    ((2, 3), minitensor.float32, True)
    """
    _no_out(out, "rand")
    _check(device, "rand()")
    shape = _size("rand", size, _kw_size("rand", kw))
    return _finish(_draw("rand", shape, _float_dtype("rand", dtype), _gen(generator)),
                   requires_grad, "rand")


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False, **kw):
    """Standard normal samples: ``randn(2, 3)`` or ``randn((2, 3))``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.randn(4, 5).shape
    (4, 5)
    """
    _no_out(out, "randn")
    _check(device, "randn()")
    shape = _size("randn", size, _kw_size("randn", kw))
    return _finish(_draw("randn", shape, _float_dtype("randn", dtype), _gen(generator)),
                   requires_grad, "randn")


def _ints(name, low, high, shape, dt, g):
    low, high = operator.index(low), operator.index(high)
    if low >= high:
        raise RuntimeError(f"{name}(): expects 'from' to be less than 'to', but got "
                           f"from={low} >= to={high}")
    a = g.integers(low, high, size=shape, dtype=np.int64)
    return _mt.asarray(a.astype(dt._np_dtype))


def randint(*args, size=None, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad=False):
    """Integers uniform in ``[low, high)``: ``randint(high, size)`` or
    ``randint(low, high, size)`` (int64 by default).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> x = torch.randint(3, 10, (2, 2))
    >>> x.dtype, bool(((x >= 3) & (x < 10)).all())
    (minitensor.int64, True)
    """
    _no_out(out, "randint")
    _check(device, "randint()")
    if size is None:
        if not args:
            raise TypeError("randint(): missing the size argument")
        args, size = args[:-1], args[-1]
    if len(args) == 1:
        low, high = 0, args[0]
    elif len(args) == 2:
        low, high = args
    else:
        raise TypeError("randint(): expected randint(high, size) or randint(low, high, size)")
    dt = int64 if dtype is None else _as_dtype(dtype)
    t = _ints("randint", low, high, _size("randint", (size,), None), dt, _gen(generator))
    return _finish(t, requires_grad, "randint")


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    """A random permutation of ``0, ..., n - 1`` (int64 by default).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> sorted(torch.randperm(5).tolist())
    [0, 1, 2, 3, 4]
    """
    _no_out(out, "randperm")
    _check(device, "randperm()")
    n = operator.index(n)
    if n < 0:
        raise RuntimeError(f"randperm(): n must be non-negative, got {n}")
    dt = int64 if dtype is None else _as_dtype(dtype)
    t = _mt.asarray(_gen(generator).permutation(n).astype(dt._np_dtype))
    return _finish(t, requires_grad, "randperm")


def rand_like(input, *, generator=None, dtype=None, layout=None, device=None,
              requires_grad=False, memory_format=None):
    """Uniform samples from ``[0, 1)`` in ``input``'s shape and dtype.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.rand_like(torch.zeros(2, dtype=torch.float64)).dtype
    minitensor.float64
    """
    _check(device, "rand_like()")
    dt = _float_dtype("rand_like", input.dtype if dtype is None else dtype)
    return _finish(_draw("rand", input.shape, dt, _gen(generator)), requires_grad, "rand_like")


def randn_like(input, *, generator=None, dtype=None, layout=None, device=None,
               requires_grad=False, memory_format=None):
    """Standard normal samples in ``input``'s shape and dtype.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.randn_like(torch.zeros(2, 3)).shape
    (2, 3)
    """
    _check(device, "randn_like()")
    dt = _float_dtype("randn_like", input.dtype if dtype is None else dtype)
    return _finish(_draw("randn", input.shape, dt, _gen(generator)), requires_grad,
                   "randn_like")


def randint_like(input, low=0, high=None, *, generator=None, dtype=None, layout=None,
                 device=None, requires_grad=False, memory_format=None):
    """Integers in ``[low, high)`` in ``input``'s shape and dtype
    (``randint_like(x, high)`` or ``randint_like(x, low, high)``).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.randint_like(torch.zeros(3), 5).dtype
    minitensor.float32
    """
    _check(device, "randint_like()")
    if high is None:
        low, high = 0, low
    dt = input.dtype if dtype is None else _as_dtype(dtype)
    return _finish(_ints("randint_like", low, high, input.shape, dt, _gen(generator)),
                   requires_grad, "randint_like")


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None,
           layout=None, device=None, requires_grad=False):
    """Normal samples with the given ``mean`` and ``std`` (tensors broadcast together,
    or floats with ``size``). Differentiable in tensor ``mean`` and ``std``
    (``mean + std * eps``).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.normal(2.0, 3.0, size=(2, 2)).shape
    (2, 2)
    >>> torch.normal(torch.zeros(3), torch.ones(3)).dtype
    minitensor.float32
    """
    _no_out(out, "normal")
    _check(device, "normal()")
    g = _gen(generator)
    tensors = [v for v in (mean, std) if isinstance(v, Tensor)]
    if not tensors:
        if size is None:
            raise TypeError("normal(): with float mean and std, size= is required")
        if std < 0:
            raise RuntimeError(f"normal(): expects std >= 0.0, but found std {std}")
        dt = _float_dtype("normal", dtype)
        t = _draw("randn", _size("normal", (size,), None), dt, g) * std + mean
        return _finish(t, requires_grad, "normal")
    if size is not None:
        raise TypeError("normal(): size= is only for float mean and std")
    dt = tensors[0].dtype if len(tensors) == 1 else _mt.result_type(*tensors)
    if dt not in _real_floating_dtypes:
        raise RuntimeError(f"normal(): expected a floating point mean/std, got {dt}")
    if isinstance(std, Tensor):
        if bool(_mt.any(std.detach() < 0)):
            raise RuntimeError("normal(): expects all elements of std >= 0.0")
    elif std < 0:
        raise RuntimeError(f"normal(): expects std >= 0.0, but found std {std}")
    shape = _mt.broadcast_shapes(*(t.shape for t in tensors))
    return mean + std * _draw("randn", shape, dt, g)


def bernoulli(input, p=None, *, generator=None, out=None):
    """0/1 samples, 1 with probability ``input`` (or ``p``), in ``input``'s dtype.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.bernoulli(torch.tensor([0.0, 1.0]))
    Tensor([0., 1.], dtype=float32)
    """
    _no_out(out, "bernoulli")
    probs = np.asarray(input.detach()._array if p is None else p, dtype=np.float64)
    if np.any(probs < 0) or np.any(probs > 1) or np.any(np.isnan(probs)):
        raise RuntimeError("bernoulli(): expects 0 <= p <= 1")
    u = _gen(generator).random(input.shape)
    return _mt.asarray((u < probs).astype(input.dtype._np_dtype))


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices drawn from the categories weighted by the rows of ``input`` (1-D or 2-D,
    non-negative, not necessarily normalised); without replacement by default.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.multinomial(torch.tensor([0.0, 1.0, 0.0]), 2, replacement=True)
    Tensor([1, 1], dtype=int64)
    >>> sorted(torch.multinomial(torch.tensor([1.0, 2.0, 3.0]), 3).tolist())
    [0, 1, 2]
    """
    _no_out(out, "multinomial")
    w = np.asarray(input.detach()._array, dtype=np.float64)
    if w.ndim not in (1, 2):
        raise RuntimeError(f"multinomial(): prob_dist must be 1 or 2 dim, got {w.ndim}")
    num_samples = operator.index(num_samples)
    if num_samples <= 0:
        raise RuntimeError("multinomial(): cannot sample n_sample <= 0 samples")
    rows = w.reshape(-1, w.shape[-1])
    n = rows.shape[1]
    if not replacement and num_samples > n:
        raise RuntimeError(f"multinomial(): cannot sample n_sample > prob_dist.size(-1) "
                           f"samples without replacement ({num_samples} > {n})")
    if not np.all(np.isfinite(rows)) or np.any(rows < 0):
        raise RuntimeError("multinomial(): probability tensor contains either `inf`, `nan` "
                           "or element < 0")
    g = _gen(generator)
    out = np.empty((rows.shape[0], num_samples), dtype=np.int64)
    for i, r in enumerate(rows):
        s = r.sum()
        if s <= 0:
            raise RuntimeError("multinomial(): invalid multinomial distribution (sum of "
                               "probabilities <= 0)")
        if not replacement and np.count_nonzero(r) < num_samples:
            raise RuntimeError("multinomial(): invalid multinomial distribution (with "
                               "replacement=False, not enough non-negative category to "
                               "sample)")
        out[i] = g.choice(n, size=num_samples, replace=replacement, p=r / s)
    return _mt.asarray(out.reshape(w.shape[:-1] + (num_samples,)))


def poisson(input, generator=None):
    """Poisson samples with rates ``input`` (in ``input``'s dtype).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.poisson(torch.zeros(3))
    Tensor([0., 0., 0.], dtype=float32)
    """
    lam = np.asarray(input.detach()._array, dtype=np.float64)
    if np.any(lam < 0) or np.any(np.isnan(lam)):
        raise RuntimeError("poisson(): invalid rate (must be >= 0)")
    return _mt.asarray(_gen(generator).poisson(lam).astype(input.dtype._np_dtype))
