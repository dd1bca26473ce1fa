"""``torch.Generator`` and ``torch.default_generator`` (imported on first use: they
subclass ``numpy.random.Generator``, whose import ``import minitensor.torch`` avoids)."""
import builtins
import operator

import numpy as np

from .. import _random
from ._device import _check


class Generator(np.random.Generator):
    """A random number generator (``torch.Generator``): its own stream, seeded with
    :meth:`manual_seed`, passed as ``generator=`` (to the face's samplers and to
    everything in minitensor that takes a NumPy generator, e.g. ``DataLoader``).

    A :class:`numpy.random.Generator` (PCG64) with PyTorch's methods.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> g = torch.Generator().manual_seed(42)
    >>> a = torch.rand(3, generator=g)
    >>> b = torch.rand(3, generator=torch.Generator().manual_seed(42))
    >>> bool((a == b).all())
    True
    """

    def __init__(self, device="cpu"):
        _check(device, "Generator()")
        seed = int(np.random.SeedSequence().entropy % (2 ** 63))
        super().__init__(np.random.PCG64(seed))
        self._seed = seed

    @property
    def device(self):
        """The CPU."""
        from ._device import device
        return device("cpu")

    def manual_seed(self, seed):
        """Reseed (an integer; negative seeds wrap modulo 2**64); returns ``self``."""
        if isinstance(seed, (builtins.bool, np.bool_)):
            raise TypeError(f"manual_seed: seed must be an integer, got {seed!r}")
        s = operator.index(seed) % (2 ** 64)
        self.bit_generator.state = np.random.PCG64(s).state
        self._seed = s
        return self

    def seed(self):
        """Reseed from OS entropy; returns the new seed."""
        s = int(np.random.SeedSequence().entropy % (2 ** 63))
        self.manual_seed(s)
        return s

    def initial_seed(self):
        """The seed last set."""
        return self._seed

    def get_state(self):
        """The generator's state (an opaque object for :meth:`set_state`)."""
        import copy
        return copy.deepcopy(self.bit_generator.state)

    def set_state(self, new_state):
        """Restore a state from :meth:`get_state`; returns ``self``."""
        self.bit_generator.state = new_state
        return self


class _DefaultGenerator(Generator):
    """The global generator (``torch.default_generator``): a view of minitensor's own
    stream (the same bit generator), so drawing from either advances both."""

    def __init__(self):
        np.random.Generator.__init__(self, _random._global().bit_generator)

    def manual_seed(self, seed):
        _random.manual_seed(seed)
        return self

    def seed(self):
        return _random.seed()

    def initial_seed(self):
        return _random.initial_seed()


_default = []


def _default_generator():
    """``torch.default_generator`` (made on first use: it creates the global stream)."""
    if not _default:
        _default.append(_DefaultGenerator())
    return _default[0]
