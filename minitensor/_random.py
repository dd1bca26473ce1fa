"""The global random number generator (PyTorch's ``torch.manual_seed``).

One module-level :class:`numpy.random.Generator` (PCG64) feeds everything that
draws random numbers without an explicit ``generator=``: ``nn.init``, dropout,
data shuffling. ``manual_seed`` reseeds it *in place*, so code that fetched it
with :func:`default_generator` keeps working after a reseed.

# Note: not part of the Array API standard (PyTorch's names).
"""
import numpy as np

from ._validation import index_arg

__all__ = ["manual_seed", "seed", "initial_seed", "default_generator", "get_rng_state",
           "set_rng_state"]

# The generator is created on first use: numpy.random (and the modules it pulls
# in: secrets, hashlib) costs ~15 ms, which ``import minitensor`` does not pay.
_initial_seed = None
_generator = None


def _global():
    """The global generator, created (seeded from OS entropy) on first use."""
    global _generator, _initial_seed
    if _generator is None:
        if _initial_seed is None:
            _initial_seed = int(np.random.SeedSequence().entropy % (2 ** 63))
        _generator = np.random.Generator(np.random.PCG64(_initial_seed))
    return _generator


def manual_seed(seed):
    """Seed the global generator (an integer >= 0); returns the generator.

    Examples
    --------
    >>> import minitensor as xp
    >>> _ = xp.manual_seed(0)
    >>> a = xp.nn.init.uniform_(xp.zeros(2))
    >>> _ = xp.manual_seed(0)
    >>> b = xp.nn.init.uniform_(xp.zeros(2))
    >>> bool(xp.all(a == b))
    True
    """
    global _initial_seed
    s = index_arg("manual_seed", "seed", seed)
    if s < 0:
        # Note: PyTorch wraps negative seeds modulo 2**64; NumPy rejects them. We
        # wrap as PyTorch does.
        s %= 2 ** 64
    _global().bit_generator.state = np.random.PCG64(s).state
    _initial_seed = s
    return _generator


def seed():
    """Seed the global generator from fresh OS entropy; returns the seed used.

    Examples
    --------
    >>> import minitensor as xp
    >>> s = xp.seed()
    >>> s == xp.initial_seed()
    True
    >>> _ = xp.manual_seed(0)  # back to a reproducible stream
    """
    s = int(np.random.SeedSequence().entropy % (2 ** 63))
    manual_seed(s)
    return s


def initial_seed():
    """The seed last given to :func:`manual_seed` (or drawn from OS entropy on first use).

    Examples
    --------
    >>> import minitensor as xp
    >>> _ = xp.manual_seed(1234)
    >>> xp.initial_seed()
    1234
    """
    _global()
    return _initial_seed


def default_generator():
    """The global :class:`numpy.random.Generator` (the same object for the whole session)."""
    return _global()


def get_rng_state():
    """A copy of the global generator's state (a dict), for :func:`set_rng_state`."""
    import copy
    return copy.deepcopy(_global().bit_generator.state)


def set_rng_state(state):
    """Restore a state returned by :func:`get_rng_state`."""
    _global().bit_generator.state = state


def _resolve(generator):
    """The generator to draw from: ``generator`` if given (a NumPy Generator), else the global one."""
    if generator is None:
        return _generator if _generator is not None else _global()
    if isinstance(generator, np.random.Generator):
        return generator
    raise TypeError(f"generator must be a numpy.random.Generator or None, got "
                    f"{type(generator).__name__}")
