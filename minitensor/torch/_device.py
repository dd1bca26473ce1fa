"""``torch.device`` and ``torch.Size`` of the face.

minitensor computes on the CPU only. ``device("cuda")`` / ``device("mps")`` objects can
be made (scripts build them before probing ``cuda.is_available()``), but creating or
moving a tensor there raises ``RuntimeError``.
"""
import operator

from .._array_object import Device as _Device
from .._tensor_methods import NoDeviceError as _NoDeviceError

__all__ = ["device", "Size"]

_TYPES = ("cpu", "cuda", "mps", "xpu", "meta", "hip", "xla", "privateuseone")


class device(_Device):
    """A device: ``device("cpu")``, ``device("cuda", 0)``, ``device("cuda:0")``.

    Only ``"cpu"`` can hold tensors; the others exist so that scripts can name them.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> d = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    >>> d, d.type, d.index
    (device(type='cpu'), 'cpu', None)
    >>> torch.ones(2, device=d).device == d
    True
    """

    __slots__ = ("index",)

    def __init__(self, type="cpu", index=None):
        if isinstance(type, _Device):
            type, index = type.name, getattr(type, "index", None)
        elif isinstance(type, int) and not isinstance(type, bool):
            raise RuntimeError(f"device({type}): an index alone names an accelerator; "
                               f"minitensor has none (use 'cpu')")
        if not isinstance(type, str):
            raise TypeError(f"device(): expected a string, got {type.__class__.__name__}")
        name, sep, idx = type.partition(":")
        if sep:
            if index is not None:
                raise RuntimeError(f"device(): type {type!r} already has an index")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: {type!r}")
            index = int(idx)
        if name not in _TYPES:
            raise RuntimeError(f"Expected one of {', '.join(_TYPES)} device type at start of "
                               f"device string: {type!r}")
        if index is not None:
            index = operator.index(index)
            if index < 0:
                raise RuntimeError(f"Device index must not be negative, got {index}")
        self.name = name
        self.index = index

    @property
    def type(self):
        """The device type: ``"cpu"``, ``"cuda"``, ..."""
        return self.name

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        if not isinstance(other, _Device):
            return NotImplemented
        if self.name != other.name:
            return False
        return self.name == "cpu" or self.index == getattr(other, "index", None)

    def __hash__(self):
        return hash(("minitensor.Device", self.name)) if self.name == "cpu" else \
            hash(("minitensor.torch.device", self.name, self.index))

    def __repr__(self):
        idx = "" if self.index is None else f", index={self.index}"
        return f"device(type={self.name!r}{idx})"

    def __str__(self):
        return self.name if self.index is None else f"{self.name}:{self.index}"

    def __reduce__(self):
        return (device, (self.name, self.index))


def _check(d, what):
    """Raise RuntimeError unless ``d`` (None, a string, a device) is the CPU (for an
    accelerator, ``NoDeviceError``: also an AssertionError, as PyTorch without CUDA)."""
    if d is None:
        return
    if not isinstance(d, _Device):
        d = device(d)
    if d.name != "cpu":
        raise _NoDeviceError(f"{what}: minitensor computes on the CPU only; device "
                           f"{str(d)!r} is not available (use 'cpu')")


class Size(tuple):
    """The shape of a tensor as PyTorch spells it: a tuple of ints.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> s = torch.Size([2, 3])
    >>> s, s.numel(), s == (2, 3)
    (Size([2, 3]), 6, True)
    """

    def __new__(cls, sizes=()):
        try:
            return super().__new__(cls, (operator.index(s) for s in sizes))
        except TypeError:
            raise TypeError(f"Size(): expected a sequence of ints, got {sizes!r}") from None

    def numel(self):
        """The number of elements of a tensor of this shape."""
        n = 1
        for s in self:
            n *= s
        return n

    def __repr__(self):
        return f"Size({list(self)!r})"

    def __getitem__(self, i):
        r = super().__getitem__(i)
        return Size(r) if isinstance(i, slice) else r

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))
