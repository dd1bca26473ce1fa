"""``minitensor.save`` / ``minitensor.load``: tensors and containers in a safe file format.

The file is a NumPy ``.npz`` archive (a zip of ``.npy`` files) holding one
``.npy`` entry per tensor plus one entry, ``__minitensor__``, with a UTF-8 JSON
description of the saved object's structure. Nothing is pickled: ``load``
reads with ``allow_pickle=False`` and rebuilds only the types listed below, so
loading a file cannot run code (unlike ``torch.load`` without
``weights_only=True``).

Saved types: tensors, NumPy arrays and scalars, ``None``, ``bool``, ``int``,
``float``, ``complex``, ``str``, and ``dict`` (any keys of those scalar types or
tuples of them), ``list`` and ``tuple`` nesting them -- e.g. a model's
``state_dict()``, an optimizer's, a scheduler's, or a checkpoint dict holding
all of them.

``save`` to a path is atomic: it writes a temporary file in the target's
directory, ``fsync``\\ s it and renames it over the target (``os.replace``), so
a failure leaves any previous file intact.

# Note: as ``torch.save`` a tensor saves its data only: ``load`` returns plain
# tensors (``requires_grad=False``); a tensor object saved twice in one object is
# loaded as one tensor, but distinct tensors sharing memory (views) are saved and
# loaded as independent copies. ``dict`` subclasses (``OrderedDict``,
# ``Counter``) are loaded as plain dicts, with their order.
"""
import math
import os

import numpy as np

from ._array_object import Tensor
from ._dtypes import _FROM_NP

__all__ = ["save", "load"]

_MAGIC = "minitensor"
_VERSION = 1
_STRUCT = "__minitensor__"


class _Encoder:
    """Walks an object, collecting arrays and building the JSON structure."""

    def __init__(self):
        self.arrays = {}
        self.memo = {}         # id(tensor) -> entry name (tensors saved once)
        self.keep = []         # keep memoised objects alive while encoding

    def _add(self, obj, array, kind):
        key = id(obj)
        if key in self.memo:
            return {kind: self.memo[key]}
        if array.dtype.hasobject or array.dtype.kind not in "biufc":
            raise TypeError(f"minitensor.save: cannot save an array of dtype {array.dtype}")
        name = f"a{len(self.arrays)}"
        self.arrays[name] = array
        self.memo[key] = name
        self.keep.append(obj)
        return {kind: name}

    def encode(self, obj, where="obj"):
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, int):
            return obj
        if isinstance(obj, float):
            if math.isfinite(obj):
                return obj
            return {"float": repr(obj)}       # 'inf', '-inf', 'nan' (strict JSON)
        if isinstance(obj, complex):
            return {"complex": [repr(obj.real), repr(obj.imag)]}
        if isinstance(obj, Tensor):
            return self._add(obj, obj._array, "tensor")
        if isinstance(obj, np.ndarray):
            return self._add(obj, obj, "ndarray")
        if isinstance(obj, np.generic):
            return self._add(obj, np.asarray(obj), "npscalar")
        if isinstance(obj, list):
            return [self.encode(v, f"{where}[{i}]") for i, v in enumerate(obj)]
        if isinstance(obj, tuple):
            return {"tuple": [self.encode(v, f"{where}[{i}]") for i, v in enumerate(obj)]}
        if isinstance(obj, dict):
            items = []
            for k, v in obj.items():
                items.append([self._key(k, where), self.encode(v, f"{where}[{k!r}]")])
            return {"dict": items}
        raise TypeError(f"minitensor.save: cannot save {where} of type {type(obj).__name__} "
                        f"(supported: tensors, NumPy arrays and scalars, None, bool, int, "
                        f"float, complex, str, and dicts, lists and tuples of them)")

    def _key(self, k, where):
        if k is None or isinstance(k, (bool, int, float, str)):
            return self.encode(k, where)
        if isinstance(k, tuple):
            return {"tuple": [self._key(v, where) for v in k]}
        raise TypeError(f"minitensor.save: cannot save a dict key of type {type(k).__name__} "
                        f"in {where} (keys must be None, bool, int, float, str or tuples)")


class _Decoder:
    def __init__(self, npz, what):
        self.npz = npz
        self.what = what
        self.cache = {}

    def _bad(self, msg):
        return ValueError(f"minitensor.load: {self.what} is corrupt ({msg})")

    def _array(self, name):
        import zipfile
        import zlib
        if name in self.cache:
            return self.cache[name]
        if not isinstance(name, str) or name.startswith("_") or name not in self.npz.files:
            raise self._bad(f"missing array entry {name!r}")
        try:
            a = self.npz[name]
        except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
            raise self._bad(f"array entry {name!r}: {exc}") from exc
        if a.dtype.hasobject or a.dtype.kind not in "biufc":
            raise self._bad(f"array entry {name!r} has unsupported dtype {a.dtype}")
        if not a.dtype.isnative:
            a = a.astype(a.dtype.newbyteorder("="))
        self.cache[name] = a
        return a

    def decode(self, s):
        if s is None or isinstance(s, (bool, int, float, str)):
            return s
        if isinstance(s, list):
            return [self.decode(v) for v in s]
        if not isinstance(s, dict) or len(s) != 1:
            raise self._bad(f"unexpected structure element {str(s)[:60]!r}")
        (kind, v), = s.items()
        if kind == "tensor":
            key = ("tensor", v)
            if key not in self.cache:
                a = self._array(v)
                if a.dtype not in _FROM_NP:
                    raise self._bad(f"tensor entry {v!r} has dtype {a.dtype}, which is not a "
                                    f"minitensor dtype")
                self.cache[key] = Tensor._new(a)
            return self.cache[key]
        if kind == "ndarray":
            return self._array(v)
        if kind == "npscalar":
            return self._array(v)[()]
        if kind == "float":
            if v not in ("inf", "-inf", "nan"):
                raise self._bad(f"bad float {v!r}")
            return float(v)
        if kind == "complex":
            return complex(float(v[0]), float(v[1]))
        if kind == "tuple":
            return tuple(self.decode(x) for x in v)
        if kind == "dict":
            out = {}
            for item in v:
                if not isinstance(item, list) or len(item) != 2:
                    raise self._bad("bad dict item")
                out[self.decode(item[0])] = self.decode(item[1])
            return out
        raise self._bad(f"unknown element kind {kind!r}")


def _write(f, encoder, structure):
    import json
    header = json.dumps({"format": _MAGIC, "version": _VERSION, "root": structure},
                        allow_nan=False, separators=(",", ":"))
    entries = dict(encoder.arrays)
    entries[_STRUCT] = np.frombuffer(header.encode("utf-8"), dtype=np.uint8)
    np.savez(f, **entries)


def save(obj, f):
    """Save tensors, or (nested) dicts/lists/tuples of tensors and Python
    scalars/strings, to a file.

    Parameters
    ----------
    obj : object
        A tensor, a NumPy array or scalar, ``None``/``bool``/``int``/``float``/
        ``complex``/``str``, or dicts, lists and tuples of these (for example a
        ``state_dict()``).
    f : str, os.PathLike or binary file object
        Destination. A path is written atomically (temporary file in the same
        directory, ``fsync``, ``os.replace``): if ``save`` fails the previous
        file is intact. The name is used as given (no suffix is added).

    Raises
    ------
    TypeError
        If ``obj`` contains an object of another type (named in the message).

    See Also
    --------
    load

    Examples
    --------
    >>> import os, tempfile
    >>> import minitensor as xp
    >>> path = os.path.join(tempfile.mkdtemp(), "ckpt.mt")
    >>> xp.save({"w": xp.asarray([1.0, 2.0]), "epoch": 3}, path)
    >>> xp.load(path)
    {'w': Tensor([1., 2.], dtype=float64), 'epoch': 3}
    """
    encoder = _Encoder()
    structure = encoder.encode(obj)
    if hasattr(f, "write") and not isinstance(f, (str, bytes, os.PathLike)):
        _write(f, encoder, structure)
        return
    path = os.fspath(f)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    import tempfile
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".",
                               suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            _write(fh, encoder, structure)
            fh.flush()
            os.fsync(fh.fileno())
        if os.path.exists(path):
            # keep the permissions of the file being replaced
            try:
                os.chmod(tmp, os.stat(path).st_mode & 0o7777)
            except OSError:
                pass
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:   # make the rename durable (best effort: not every file system allows it)
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def load(f):
    """Load an object saved by :func:`save`.

    Parameters
    ----------
    f : str, os.PathLike or binary file object

    Returns
    -------
    object
        The saved object, with tensors as new (plain) tensors.

    Raises
    ------
    ValueError
        If the file is not a minitensor file or is corrupt (truncated, damaged,
        or an ``.npz`` written by something else).
    FileNotFoundError
        If the path does not exist.

    Notes
    -----
    Loading never unpickles (``numpy.load(..., allow_pickle=False)``), so a
    file from an untrusted source cannot run code.

    Examples
    --------
    >>> import io
    >>> import minitensor as xp
    >>> buf = io.BytesIO()
    >>> xp.save([xp.arange(3), (1.5, "a")], buf)
    >>> _ = buf.seek(0)
    >>> xp.load(buf)
    [Tensor([0, 1, 2], dtype=int64), (1.5, 'a')]
    """
    if hasattr(f, "read") and not isinstance(f, (str, bytes, os.PathLike)):
        return _load(f, repr(getattr(f, "name", "the file")))
    path = os.fspath(f)
    if not os.path.exists(path):
        raise FileNotFoundError(f"minitensor.load: no such file: {path!r}")
    # open the file here: np.load leaks its handle when the archive is corrupt
    with open(path, "rb") as fh:
        return _load(fh, repr(path))


def _load(f, what):
    import json
    import zipfile
    import zlib
    # look at the magic bytes first: np.load's own message for a file that is neither
    # .npy nor .npz ("contains pickled data ... load it unsafely") is misleading here
    try:
        start = f.tell()
        magic = f.read(6)
        f.seek(start)
    except (OSError, AttributeError, ValueError):
        magic = None
    if magic is not None and not magic.startswith((b"PK\x03\x04", b"PK\x05\x06",
                                                   b"\x93NUMPY")):
        raise ValueError(f"minitensor.load: {what} is not a minitensor file (not an .npz "
                         f"archive)" + (" or is empty" if not magic else ""))
    try:
        npz = np.load(f, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise ValueError(f"minitensor.load: {what} is not a minitensor file or is corrupt "
                         f"({exc})") from exc
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise ValueError(f"minitensor.load: {what} is a single .npy array, not a minitensor "
                         f"file (use numpy.load)")
    with npz:
        try:
            if _STRUCT not in npz.files:
                hint = ""
                if any(name.endswith("data.pkl") for name in npz.zip.namelist()):
                    hint = "; it looks like a PyTorch checkpoint (torch.save)"
                raise ValueError(f"minitensor.load: {what} is not a minitensor file (an .npz "
                                 f"archive without a {_STRUCT!r} entry{hint})")
            try:
                raw = npz[_STRUCT]
            except ValueError as exc:
                raise ValueError(f"minitensor.load: {what} is corrupt ({exc})") from exc
            if raw.dtype != np.uint8 or raw.ndim != 1:
                raise ValueError(f"minitensor.load: {what} is corrupt (bad structure entry)")
            try:
                header = json.loads(raw.tobytes().decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise ValueError(f"minitensor.load: {what} is corrupt (structure: {exc})") \
                    from exc
            if not isinstance(header, dict) or header.get("format") != _MAGIC \
                    or "root" not in header:
                raise ValueError(f"minitensor.load: {what} is not a minitensor file")
            if not isinstance(header.get("version"), int) or header["version"] > _VERSION:
                raise ValueError(f"minitensor.load: {what} has format version "
                                 f"{header.get('version')!r}; this minitensor reads versions "
                                 f"<= {_VERSION}")
            return _Decoder(npz, what).decode(header["root"])
        except ValueError:
            raise
        except (OSError, EOFError, KeyError, TypeError, IndexError, zipfile.BadZipFile,
                zlib.error) as exc:
            raise ValueError(f"minitensor.load: {what} is corrupt ({type(exc).__name__}: "
                             f"{exc})") from exc
