"""``minitensor.save`` / ``minitensor.load``: tensors and containers in a safe file format.

The file is a NumPy ``.npz`` archive (a zip of ``.npy`` files, written
uncompressed) holding one ``.npy`` entry per tensor plus one entry,
``__minitensor__``, with a UTF-8 JSON description of the saved object's
structure. The file name is the caller's choice: ``save`` adds no suffix (the
examples use ``.mt``; ``.npz`` works as well). Nothing is pickled: ``load``
reads only ``.npy`` entries of numeric dtypes (never object arrays, which NumPy
pickles) and rebuilds only the types listed below, so loading a file cannot run
code (unlike ``torch.load`` without ``weights_only=True``).

Saved types: tensors, NumPy arrays and scalars, ``None``, ``bool``, ``int``,
``float``, ``complex``, ``str``, and ``dict`` (any keys of those scalar types or
tuples of them), ``list`` and ``tuple`` nesting them -- e.g. a model's
``state_dict()``, an optimizer's, a scheduler's, or a checkpoint dict holding
all of them. Containers may nest up to 100 levels deep; an object that contains
itself cannot be saved (``ValueError``).

``load`` checks a file before it decompresses anything: every archive member's
declared size must agree with its ``.npy`` header and with the bytes the member
really occupies, and the whole archive may expand to at most ``max_expansion``
(default 100) times the file's size, or 16 MiB, whichever is larger -- so a
small crafted file cannot make ``load`` allocate gigabytes. Damaged, truncated
or crafted files raise ``ValueError``.

``save`` to a path is atomic: it writes a temporary file in the target's
directory, ``fsync``\\ s it and renames it over the target (``os.replace``), so
a failure leaves any previous file intact. The temporary file is named
``.<target name>.<host>-<pid>.<random>.tmp``, where ``<host>`` is a hash of the
machine's name and ``<pid>`` the saving process's id. A save killed before the
rename (``SIGKILL``, power loss) leaves it behind; the next save to the same
target removes such leftovers when their process no longer runs on this machine,
or, whatever the machine, when they have not been modified for 24 hours. A
temporary file of a save still running (another thread, process or machine) is
left alone -- machines are told apart by their host names, so containers that
share a directory need distinct host names (as Docker gives them by default).

# Note: as ``torch.save`` a tensor saves its data only: ``load`` returns plain
# tensors (``requires_grad=False``); a tensor object saved twice in one object is
# loaded as one tensor, but distinct tensors sharing memory (views) are saved and
# loaded as independent copies. ``dict`` subclasses (``OrderedDict``,
# ``Counter``) are loaded as plain dicts, with their order.
"""
import math
import os
import re

import numpy as np

from ._array_object import Tensor
from ._dtypes import _FROM_NP

__all__ = ["save", "load"]

_MAGIC = "minitensor"
_VERSION = 1
_STRUCT = "__minitensor__"

_MAX_DEPTH = 100             # containers nested deeper are refused by save (and load)
# JSON nesting a structure of _MAX_DEPTH containers can reach: 1 for the header
# object, 3 per dict ({"dict": [[key, value]]}), 2 for a complex leaf
_MAX_JSON_DEPTH = 3 * _MAX_DEPTH + 4
_MAX_EXPANSION = 100         # load's default max_expansion
_EXPANSION_ALLOWANCE = 1 << 24   # any file may expand to 16 MiB
_DEFLATE_MAX_RATIO = 1032    # deflate codes at most 258 bytes in 2 bits
_READ_CHUNK = 1 << 18        # arrays are read, and CRC-checked, in chunks this big
_STALE_AGE = 24 * 3600       # seconds after which any leftover temporary file is removed
_TEMP_NAME_MAX = 200         # longest target name put into a temporary file's name


# ------------------------------------------------------------------------- save

class _Encoder:
    """Walks an object, collecting arrays and building the JSON structure."""

    def __init__(self):
        self.arrays = {}
        self.memo = {}         # id(tensor) -> entry name (tensors saved once)
        self.keep = []         # keep memoised objects alive while encoding
        self.active = {}       # id(container) -> its path, for the containers being encoded

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

    def encode(self, obj, where="obj", depth=0):
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
        if not isinstance(obj, (list, tuple, dict)):
            raise TypeError(f"minitensor.save: cannot save {where} of type "
                            f"{type(obj).__name__} (supported: tensors, NumPy arrays and "
                            f"scalars, None, bool, int, float, complex, str, and dicts, lists "
                            f"and tuples of them)")
        depth = self._enter(obj, where, depth)
        try:
            if isinstance(obj, list):
                out = []
                for i, v in enumerate(obj):
                    out.append(self.encode(v, f"{where}[{i}]", depth))
                return out
            if isinstance(obj, tuple):
                out = []
                for i, v in enumerate(obj):
                    out.append(self.encode(v, f"{where}[{i}]", depth))
                return {"tuple": out}
            items = []
            for k, v in obj.items():
                items.append([self._key(k, where, depth),
                              self.encode(v, f"{where}[{k!r}]", depth)])
            return {"dict": items}
        finally:
            del self.active[id(obj)]

    def _enter(self, obj, where, depth):
        """Registers a container about to be encoded; returns its depth."""
        depth += 1
        if depth > _MAX_DEPTH:
            raise ValueError(f"minitensor.save: {where} is nested more than {_MAX_DEPTH} "
                             f"containers deep (the limit)")
        if id(obj) in self.active:
            raise ValueError(f"minitensor.save: cyclic reference at {where} (it is "
                             f"{self.active[id(obj)]}, which contains it)")
        self.active[id(obj)] = where
        return depth

    def _key(self, k, where, depth):
        if k is None or isinstance(k, (bool, int, float, str)):
            return self.encode(k, where, depth)
        if isinstance(k, tuple):
            depth = self._enter(k, f"a key of {where}", depth)
            try:
                return {"tuple": [self._key(v, where, depth) for v in k]}
            finally:
                del self.active[id(k)]
        raise TypeError(f"minitensor.save: cannot save a dict key of type {type(k).__name__} "
                        f"in {where} (keys must be None, bool, int, float, str or tuples)")


def _write(f, encoder, structure):
    import json
    header = json.dumps({"format": _MAGIC, "version": _VERSION, "root": structure},
                        allow_nan=False, separators=(",", ":"))
    entries = dict(encoder.arrays)
    entries[_STRUCT] = np.frombuffer(header.encode("utf-8"), dtype=np.uint8)
    np.savez(f, **entries)


def _host_tag():
    """8 hex digits identifying this machine in temporary file names."""
    import zlib
    name = os.uname().nodename if hasattr(os, "uname") else os.environ.get("COMPUTERNAME", "")
    return f"{zlib.crc32(name.encode('utf-8', 'replace')):08x}"


def _temp_prefix(path):
    """The start of the names of ``save``'s temporary files for ``path``, up to the pid."""
    return "." + os.path.basename(path)[:_TEMP_NAME_MAX] + "."


def _pid_running(pid):
    if os.name == "nt":      # os.kill(pid, 0) would interrupt the process: rely on age
        return True
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError, ValueError):   # PermissionError: another user's
        return True
    return True


def _remove_stale_temps(directory, path):
    """Best effort: removes temporary files of earlier, killed saves to ``path``."""
    import stat
    import time
    pattern = re.compile(re.escape(_temp_prefix(path))
                         + r"(?P<host>[0-9a-f]{8})-(?P<pid>[0-9]{1,10})\.[^.]+\.tmp")
    host = None
    try:
        entries = os.scandir(directory)
    except OSError:
        return
    with entries:
        for entry in entries:
            m = pattern.fullmatch(entry.name)
            if m is None:
                continue
            try:
                st = entry.stat(follow_symlinks=False)
                if not stat.S_ISREG(st.st_mode):
                    continue
                if host is None:
                    host = _host_tag()
                stale = time.time() - st.st_mtime > _STALE_AGE or (
                    m["host"] == host and not _pid_running(int(m["pid"])))
                if stale:
                    os.unlink(entry.path)
            except OSError:
                pass


def save(obj, f):
    """Save tensors, or (nested) dicts/lists/tuples of tensors and Python
    scalars/strings, to a file.

    Parameters
    ----------
    obj : object
        A tensor, a NumPy array or scalar, ``None``/``bool``/``int``/``float``/
        ``complex``/``str``, or dicts, lists and tuples of these (for example a
        ``state_dict()``), nested at most 100 containers deep.
    f : str, os.PathLike or binary file object
        Destination. A path is written atomically (temporary file in the same
        directory, ``fsync``, ``os.replace``): if ``save`` fails the previous
        file is intact. The name is used as given (no suffix is added).

    Raises
    ------
    TypeError
        If ``obj`` contains an object of another type (named in the message).
    ValueError
        If ``obj`` contains itself (a cyclic reference, named in the message)
        or nests containers more than 100 deep.
    FileNotFoundError
        If the directory of the path does not exist (the message names the
        path; other ``OSError``\\ s of creating the file also do).

    See Also
    --------
    load

    Notes
    -----
    The temporary file is named ``.<name>.<host>-<pid>.<random>.tmp``. A save
    killed before the rename leaves it behind; the next save to the same path
    removes such leftovers whose process no longer runs on this machine, and
    any not modified for 24 hours. Those of saves still running are left
    alone.

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
    _remove_stale_temps(directory, path)
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp",
                                   prefix=f"{_temp_prefix(path)}{_host_tag()}-{os.getpid()}.")
    except OSError as exc:
        # name the target, as open(path, "wb") would, not the temporary file
        raise OSError(exc.errno, exc.strerror, path) from None
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


# ------------------------------------------------------------------------- load

def _zip_errors():
    """The exceptions a damaged archive can raise while ``zipfile`` reads it."""
    import struct
    import zipfile
    import zlib
    # NotImplementedError: unknown compression method; RuntimeError: encrypted member
    return (OSError, EOFError, zipfile.BadZipFile, zlib.error, struct.error,
            NotImplementedError, RuntimeError, OverflowError, KeyError, IndexError,
            TypeError)


class _Archive:
    """The members of a checked archive, read one ``.npy`` entry at a time."""

    def __init__(self, zf, what, size, max_expansion):
        import zipfile
        self.zf = zf
        self.what = what
        self.members = {}
        declared = compressed = 0
        for info in zf.infolist():
            name = info.filename
            if info.flag_bits & 0x1:
                raise self.bad(f"member {name!r} is encrypted")
            if info.compress_type == zipfile.ZIP_STORED:
                if info.file_size != info.compress_size:
                    raise self.bad(f"member {name!r} is stored uncompressed but declares "
                                   f"{info.file_size} bytes in {info.compress_size}")
            elif info.compress_type == zipfile.ZIP_DEFLATED:
                if info.file_size > _DEFLATE_MAX_RATIO * info.compress_size + 1024:
                    raise self.bad(f"member {name!r} declares {info.file_size} bytes, more "
                                   f"than its {info.compress_size} compressed bytes can hold")
            else:
                raise self.bad(f"member {name!r} uses compression method "
                               f"{info.compress_type}; only stored and deflated members "
                               f"are read")
            declared += info.file_size
            compressed += info.compress_size
            if name.endswith(".npy"):
                self.members[name[:-4]] = info
        if compressed > size:
            raise self.bad(f"its members declare {compressed} bytes of data, more than the "
                           f"file's {size} bytes (truncated, or overlapping members)")
        if max_expansion is not None:
            limit = max(_EXPANSION_ALLOWANCE, max_expansion * size)
            if declared > limit:
                raise ValueError(f"minitensor.load: {what} would expand from {size} to "
                                 f"{declared} bytes, more than max_expansion={max_expansion} "
                                 f"times its size (a decompression bomb?); pass "
                                 f"max_expansion=None to load a trusted file")

    def bad(self, msg):
        return ValueError(f"minitensor.load: {self.what} is corrupt ({msg})")

    def read(self, name):
        """Entry ``name`` as an array, its size checked before it is allocated."""
        import zipfile
        info = self.members.get(name) if isinstance(name, str) else None
        if info is None:
            raise self.bad(f"missing array entry {name!r}")
        if info.compress_type == zipfile.ZIP_STORED:
            m = _StoredMember(self.zf.fp, info, self.bad)
        else:
            m = self.zf.open(info)
        with m:
            fmt = np.lib.format
            try:
                version = fmt.read_magic(m)
                if version == (1, 0):
                    shape, fortran, dtype = fmt.read_array_header_1_0(m)
                elif version == (2, 0):
                    shape, fortran, dtype = fmt.read_array_header_2_0(m)
                else:
                    raise ValueError(f"unsupported .npy format version {version}")
            except Exception as exc:    # a damaged member, or numpy's parser of the header
                # text: ValueError, SyntaxError, tokenize.TokenError...
                raise self.bad(f"array entry {name!r}: {type(exc).__name__}: {exc}") \
                    from exc
            if dtype.hasobject or dtype.kind not in "biufc":
                raise self.bad(f"array entry {name!r} has unsupported dtype {dtype}")
            count = math.prod(shape)
            nbytes = count * dtype.itemsize
            if m.tell() + nbytes != info.file_size:
                raise self.bad(f"array entry {name!r} declares shape {shape} of {dtype} "
                               f"({nbytes} bytes) but holds {info.file_size - m.tell()} bytes")
            flat = np.empty(count, dtype)
            view = memoryview(flat.view(np.uint8))
            pos = 0
            while pos < nbytes:
                n = m.readinto(view[pos:pos + _READ_CHUNK])
                if not n:
                    raise self.bad(f"array entry {name!r} is truncated")
                pos += n
            if isinstance(m, _StoredMember):
                m.check_crc()        # ZipExtFile checks its own
        a = flat.reshape(shape[::-1]).T if fortran else flat.reshape(shape)
        if not a.dtype.isnative:
            a = a.astype(a.dtype.newbyteorder("="))
        return a


class _StoredMember:
    """An uncompressed archive member, read straight into the caller's buffer
    (``zipfile`` would copy it through ``bytes`` objects), its CRC checked."""

    def __init__(self, fp, info, bad):
        import struct
        fp.seek(info.header_offset)
        local = fp.read(30)
        if len(local) != 30 or local[:4] != b"PK\x03\x04":
            raise bad(f"member {info.filename!r} has a bad local header")
        name_len, extra_len = struct.unpack("<HH", local[26:30])
        self.start = info.header_offset + 30 + name_len + extra_len
        fp.seek(self.start)
        self.fp, self.info, self.bad = fp, info, bad
        self.left = info.file_size
        self.crc = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def tell(self):
        return self.info.file_size - self.left

    def read(self, n=-1):
        import zlib
        data = self.fp.read(self.left if n is None or n < 0 else min(n, self.left))
        self.left -= len(data)
        self.crc = zlib.crc32(data, self.crc)
        return data

    def readinto(self, b):
        import zlib
        b = memoryview(b)[:self.left]
        n = self.fp.readinto(b) or 0
        self.left -= n
        self.crc = zlib.crc32(b[:n], self.crc)
        return n

    def check_crc(self):
        if self.left or self.crc != self.info.CRC:
            raise self.bad(f"member {self.info.filename!r} fails its CRC check")


_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)


def _json_depth(text):
    """The nesting depth of JSON ``text`` (bytes), found without parsing it."""
    b = np.frombuffer(_JSON_STRING.sub(b"", text), np.uint8)
    opening = (b == ord("[")) | (b == ord("{"))
    if np.count_nonzero(opening) <= _MAX_JSON_DEPTH:
        return int(np.count_nonzero(opening))      # an upper bound, small enough
    brackets = b[opening | (b == ord("]")) | (b == ord("}"))]
    steps = np.where((brackets == ord("[")) | (brackets == ord("{")), 1, -1)
    return int(np.cumsum(steps).max())


class _Decoder:
    def __init__(self, archive, what):
        self.archive = archive
        self.what = what
        self.cache = {}

    def _bad(self, msg):
        return ValueError(f"minitensor.load: {self.what} is corrupt ({msg})")

    def _array(self, name):
        if not isinstance(name, str) or name.startswith("_"):
            raise self._bad(f"missing array entry {name!r}")
        if name not in self.cache:
            self.cache[name] = self.archive.read(name)
        return self.cache[name]

    def decode(self, s):
        # recursion is bounded: load refuses JSON nested deeper than _MAX_JSON_DEPTH
        if s is None or isinstance(s, (bool, int, float, str)):
            return s
        if isinstance(s, list):
            out = []
            for v in s:
                out.append(self.decode(v))
            return out
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
            a = self._array(v)
            if a.ndim != 0:
                raise self._bad(f"NumPy scalar entry {v!r} has shape {a.shape}")
            return a[()]
        if kind == "float":
            if v not in ("inf", "-inf", "nan"):
                raise self._bad(f"bad float {v!r}")
            return float(v)
        if kind == "complex":
            try:
                re_, im = (float(x) for x in v)
            except (ValueError, TypeError) as exc:
                raise self._bad(f"bad complex {str(v)[:60]!r}") from exc
            return complex(re_, im)
        if kind == "tuple":
            if not isinstance(v, list):
                raise self._bad("bad tuple")
            out = []
            for x in v:
                out.append(self.decode(x))
            return tuple(out)
        if kind == "dict":
            if not isinstance(v, list):
                raise self._bad("bad dict")
            out = {}
            for item in v:
                if not isinstance(item, list) or len(item) != 2:
                    raise self._bad("bad dict item")
                key = self.decode(item[0])
                try:
                    out[key] = self.decode(item[1])
                except TypeError as exc:     # an unhashable key
                    raise self._bad(f"bad dict key ({exc})") from exc
            return out
        raise self._bad(f"unknown element kind {kind!r}")


def load(f, *, max_expansion=_MAX_EXPANSION):
    """Load an object saved by :func:`save`.

    Parameters
    ----------
    f : str, os.PathLike or binary file object
        A seekable binary file object is read from its current position.
    max_expansion : float or None, optional
        Refuse a file whose archive members would take more than
        ``max_expansion`` times the file's size once decompressed (any file
        may take 16 MiB), checked before anything is decompressed. Files
        written by :func:`save` are not compressed and take about their own
        size; the limit stops a small, crafted, highly compressed file (a
        "zip bomb") from making ``load`` allocate gigabytes. ``None`` lifts
        the limit, for a trusted file that was recompressed. Default 100.

    Returns
    -------
    object
        The saved object, with tensors as new (plain) tensors.

    Raises
    ------
    ValueError
        If the file is not a minitensor file or is corrupt (truncated, damaged,
        crafted, nested more deeply than :func:`save` writes, or an ``.npz``
        written by something else), or would expand beyond ``max_expansion``;
        the message names the problem.
    FileNotFoundError
        If the path does not exist.

    Notes
    -----
    Loading never unpickles (object arrays, which NumPy pickles, are refused),
    so a file from an untrusted source cannot run code, and never allocates
    more than the sizes the archive declares, which are checked against the
    file first.

    # Note: ``max_expansion`` is minitensor's; ``torch.load`` has no such limit.

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
    if max_expansion is not None:
        if isinstance(max_expansion, bool) or not isinstance(max_expansion, (int, float)):
            raise TypeError(f"minitensor.load: max_expansion must be a number or None, not "
                            f"{type(max_expansion).__name__}")
        if not max_expansion > 0:
            raise ValueError(f"minitensor.load: max_expansion must be positive, got "
                             f"{max_expansion!r}")
    if hasattr(f, "read") and not isinstance(f, (str, bytes, os.PathLike)):
        return _load(f, repr(getattr(f, "name", "the file")), max_expansion)
    path = os.fspath(f)
    if not os.path.exists(path):
        raise FileNotFoundError(f"minitensor.load: no such file: {path!r}")
    with open(path, "rb") as fh:
        return _load(fh, repr(path), max_expansion)


def _load(f, what, max_expansion):
    import zipfile
    try:
        start = f.tell()
        magic = f.read(6)
        size = f.seek(0, os.SEEK_END) - start
        f.seek(start)
    except (OSError, AttributeError, ValueError) as exc:
        raise ValueError(f"minitensor.load: cannot read {what} ({exc}); a file object must "
                         f"be readable and seekable") from exc
    if not isinstance(magic, bytes):
        raise TypeError(f"minitensor.load: {what} must be opened in binary mode")
    # look at the magic bytes first: np.load's own message for a file that is neither
    # .npy nor .npz ("contains pickled data ... load it unsafely") is misleading here
    if magic.startswith(b"\x93NUMPY"):
        raise ValueError(f"minitensor.load: {what} is a single .npy array, not a minitensor "
                         f"file (use numpy.load)")
    if not magic.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        raise ValueError(f"minitensor.load: {what} is not a minitensor file (not an .npz "
                         f"archive)" + (" or is empty" if not magic else ""))
    errors = _zip_errors()
    try:
        zf = zipfile.ZipFile(f)
    except errors as exc:
        raise ValueError(f"minitensor.load: {what} is not a minitensor file or is corrupt "
                         f"({exc})") from exc
    with zf:
        try:
            return _read_archive(zf, what, size, max_expansion)
        except ValueError as exc:
            if str(exc).startswith("minitensor.load:"):
                raise
            raise ValueError(f"minitensor.load: {what} is corrupt ({exc})") from exc
        except RecursionError as exc:     # not expected: the nesting depth is checked
            raise ValueError(f"minitensor.load: {what} is corrupt (structure nested too "
                             f"deeply)") from exc
        except errors as exc:
            raise ValueError(f"minitensor.load: {what} is corrupt ({type(exc).__name__}: "
                             f"{exc})") from exc


def _read_archive(zf, what, size, max_expansion):
    import json
    names = zf.namelist()
    if _STRUCT + ".npy" not in names:
        hint = ""
        if any(name.endswith("data.pkl") for name in names):
            hint = "; it looks like a PyTorch checkpoint (torch.save)"
        raise ValueError(f"minitensor.load: {what} is not a minitensor file (an .npz "
                         f"archive without a {_STRUCT!r} entry{hint})")
    archive = _Archive(zf, what, size, max_expansion)
    raw = archive.read(_STRUCT)
    if raw.dtype != np.uint8 or raw.ndim != 1:
        raise archive.bad("bad structure entry")
    text = raw.tobytes()
    if _json_depth(text) > _MAX_JSON_DEPTH:
        raise archive.bad(f"structure nested more than {_MAX_DEPTH} containers deep, "
                          f"deeper than minitensor.save writes")
    try:
        header = json.loads(text.decode("utf-8"))
    except ValueError as exc:    # UnicodeDecodeError, JSONDecodeError, huge integers
        raise archive.bad(f"structure: {exc}") from exc
    if not isinstance(header, dict) or header.get("format") != _MAGIC or "root" not in header:
        raise ValueError(f"minitensor.load: {what} is not a minitensor file")
    if not isinstance(header.get("version"), int) or header["version"] > _VERSION:
        raise ValueError(f"minitensor.load: {what} has format version "
                         f"{header.get('version')!r}; this minitensor reads versions "
                         f"<= {_VERSION}")
    return _Decoder(archive, what).decode(header["root"])
