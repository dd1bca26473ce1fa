"""Tests of minitensor.save / minitensor.load: round trips, the file format (no pickle),
atomic writes, leftover temporary files, and errors on corrupt, crafted or foreign files."""
import io
import json
import os
import signal
import struct
import subprocess
import sys
import textwrap
import time
import zipfile
from collections import Counter, OrderedDict, namedtuple

import numpy as np
import pytest

import minitensor as xp
from minitensor import _serialization
from minitensor._dtypes import _FROM_NP

DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float32", "float64", "complex64", "complex128"]
DTYPES += [d for d in ["float16"] if np.dtype(d) in _FROM_NP]      # the float16 extension


def _roundtrip(obj, tmp_path, name="obj.mt"):
    path = tmp_path / name
    xp.save(obj, path)
    return xp.load(path)


def _assert_same_tensor(a, b):
    assert type(b) is xp.Tensor
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 0, 3), (4, 5)])
def test_tensor_round_trip(dtype, shape, tmp_path):
    rng = np.random.default_rng(0)
    a = (rng.standard_normal(shape) * 10).astype(np.dtype(dtype)) if dtype != "bool" \
        else rng.standard_normal(shape) > 0
    if np.dtype(dtype).kind == "c":
        a = a + 1j * np.asarray(rng.standard_normal(shape), dtype=dtype)
    t = xp.asarray(a)
    _assert_same_tensor(t, _roundtrip(t, tmp_path))


def test_non_contiguous_and_special_values(tmp_path):
    base = xp.reshape(xp.arange(24.0), (4, 6))
    views = [base[:, ::2], xp.permute_dims(base, (1, 0)), base[1:3, 2:]]
    out = _roundtrip(views, tmp_path)
    for a, b in zip(views, out):
        _assert_same_tensor(a, b)
        assert b.numpy().flags.writeable
    special = xp.asarray([np.inf, -np.inf, np.nan, -0.0, 5e-324])
    got = _roundtrip(special, tmp_path)
    np.testing.assert_array_equal(got.numpy(), special.numpy())
    assert np.signbit(got.numpy()[3])


def test_nested_structures(tmp_path):
    Point = namedtuple("Point", "x y")
    obj = {
        "weights": {"layer.0.weight": xp.ones((2, 3)), "layer.0.bias": xp.zeros(2)},
        "state": {0: {"step": 7, "exp_avg": xp.asarray([1.5, 2.5])}, 1: {}},
        "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "params": [0, 1],
                          "fused": None, "amsgrad": False, "name": "émbedding ✓"}],
        "floats": [float("inf"), float("-inf"), 1e308, -0.0, 3],
        "complex": 1 + 2j,
        "tuple_key": {(1, "a"): "v", None: 1, 2.5: "f", True: "t"},
        "empty": [[], (), {}],
        "numpy": [np.arange(3, dtype=np.int16), np.float32(1.5), np.int64(-3), np.bool_(True)],
        "point": Point(1, 2),
    }
    got = _roundtrip(obj, tmp_path)
    _assert_same_tensor(obj["weights"]["layer.0.weight"], got["weights"]["layer.0.weight"])
    assert list(got["weights"]) == ["layer.0.weight", "layer.0.bias"]
    assert list(got["state"]) == [0, 1] and got["state"][0]["step"] == 7
    _assert_same_tensor(obj["state"][0]["exp_avg"], got["state"][0]["exp_avg"])
    assert got["param_groups"] == obj["param_groups"]
    assert got["floats"][:2] == [float("inf"), float("-inf")] and got["floats"][2:4] == [1e308, 0.0]
    assert np.signbit(got["floats"][3]) and type(got["floats"][4]) is int
    assert got["complex"] == 1 + 2j
    assert got["tuple_key"] == obj["tuple_key"]
    assert got["empty"] == [[], (), {}]
    assert got["numpy"][0].dtype == np.int16 and isinstance(got["numpy"][0], np.ndarray)
    assert got["numpy"][1] == np.float32(1.5) and type(got["numpy"][1]) is np.float32
    assert type(got["numpy"][2]) is np.int64 and type(got["numpy"][3]) is np.bool_
    assert got["point"] == (1, 2)       # namedtuples come back as tuples


def test_nan_float_and_dict_subclasses(tmp_path):
    got = _roundtrip({"nan": float("nan"), "od": OrderedDict(b=1, a=2), "c": Counter([3, 3])},
                     tmp_path)
    assert np.isnan(got["nan"])
    assert type(got["od"]) is dict and list(got["od"]) == ["b", "a"]
    assert got["c"] == {3: 2}


def test_scalars_and_strings_top_level(tmp_path):
    for obj in [None, True, 0, -12345678901234567890, 2.5, "text", b"" if False else "é"]:
        assert _roundtrip(obj, tmp_path) == obj


def test_shared_tensor_is_saved_once(tmp_path):
    t = xp.arange(5.0)
    got = _roundtrip({"a": t, "b": [t]}, tmp_path)
    assert got["a"] is got["b"][0]
    with zipfile.ZipFile(tmp_path / "obj.mt") as z:
        assert sorted(z.namelist()) == ["__minitensor__.npy", "a0.npy"]


def test_grad_tensors_save_their_data(tmp_path):
    w = xp.tensor([1.0, 2.0], requires_grad=True)
    got = _roundtrip({"w": w, "y": w * 2}, tmp_path)
    assert got["w"].requires_grad is False
    np.testing.assert_array_equal(got["y"].numpy(), [2.0, 4.0])


def test_file_objects_and_paths(tmp_path):
    buf = io.BytesIO()
    xp.save([xp.ones(2), "x"], buf)
    buf.seek(0)
    got = xp.load(buf)
    _assert_same_tensor(xp.ones(2), got[0])
    assert got[1] == "x"
    for p in [str(tmp_path / "s.mt"), tmp_path / "p.mt", os.fsencode(tmp_path / "b.mt")]:
        xp.save({"k": 1}, p)
        assert xp.load(p) == {"k": 1}
    assert not (tmp_path / "s.mt.npz").exists()     # no suffix added


def test_format_is_a_plain_npz_without_pickles(tmp_path):
    path = tmp_path / "f.mt"
    xp.save({"t": xp.asarray([1, 2, 3], dtype=xp.int32), "n": 1.5}, path)
    with np.load(path, allow_pickle=False) as z:
        header = json.loads(z["__minitensor__"].tobytes().decode())
        assert header["format"] == "minitensor" and header["version"] == 1
        arrays = [k for k in z.files if k != "__minitensor__"]
        assert len(arrays) == 1
        np.testing.assert_array_equal(z[arrays[0]], [1, 2, 3])
        assert z[arrays[0]].dtype == np.int32


def test_load_never_unpickles(tmp_path):
    flag = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (open, (str(flag), "w"))

    path = tmp_path / "evil.mt"
    header = json.dumps({"format": "minitensor", "version": 1, "root": {"tensor": "a0"}})
    with open(path, "wb") as f:
        np.savez(f, a0=np.array([Evil()], dtype=object),
                 __minitensor__=np.frombuffer(header.encode(), np.uint8))
    with pytest.raises(ValueError, match="corrupt"):
        xp.load(path)
    assert not flag.exists()


def test_save_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.mt"
    xp.save({"epoch": 1, "w": xp.ones(3)}, path)
    before = path.read_bytes()

    # 1. unsupported object: nothing is written
    with pytest.raises(TypeError, match="cannot save obj\\['bad'\\] of type object"):
        xp.save({"epoch": 2, "bad": object()}, path)
    assert path.read_bytes() == before

    # 2. failure in the middle of writing the archive
    real = np.savez

    def failing_savez(f, **arrays):
        f.write(b"partial data")
        raise OSError("disk full")

    monkeypatch.setattr(_serialization.np, "savez", failing_savez)
    with pytest.raises(OSError, match="disk full"):
        xp.save({"epoch": 2, "w": xp.zeros(3)}, path)
    monkeypatch.setattr(_serialization.np, "savez", real)
    assert path.read_bytes() == before
    assert xp.load(path)["epoch"] == 1
    assert sorted(os.listdir(tmp_path)) == ["ckpt.mt"]        # no temporary file left over

    # 3. interrupted by KeyboardInterrupt during fsync
    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(_serialization.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        xp.save({"epoch": 3}, path)
    monkeypatch.undo()
    assert xp.load(path)["epoch"] == 1
    assert sorted(os.listdir(tmp_path)) == ["ckpt.mt"]

    # a successful save replaces the file and keeps its permissions
    os.chmod(path, 0o600)
    xp.save({"epoch": 4}, path)
    assert xp.load(path) == {"epoch": 4}
    assert os.stat(path).st_mode & 0o777 == 0o600


def test_corrupt_and_foreign_files(tmp_path):
    good = tmp_path / "good.mt"
    xp.save({"w": xp.arange(1000.0), "k": "v"}, good)
    data = good.read_bytes()
    cases = {
        "truncated": data[: len(data) // 2],
        "empty": b"",
        "garbage": bytes(range(256)) * 4,
        "flipped": data[:200] + bytes(b ^ 0xFF for b in data[200:260]) + data[260:],
        "text": b"hello world\n",
    }
    for name, content in cases.items():
        p = tmp_path / f"{name}.mt"
        p.write_bytes(content)
        with pytest.raises(ValueError, match="minitensor.load: .*(corrupt|not a minitensor)") \
                as info:
            xp.load(p)
        assert "pickle" not in str(info.value)     # never suggests loading unsafely
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, x=np.ones(3))
    with pytest.raises(ValueError, match="not a minitensor file"):
        xp.load(foreign)
    npy = tmp_path / "single.npy"
    np.save(npy, np.ones(3))
    with pytest.raises(ValueError, match="single .npy array"):
        xp.load(npy)


@pytest.mark.parametrize("header,match", [
    (b"{not json", "structure"),
    (json.dumps({"format": "other", "root": 1}).encode(), "not a minitensor file"),
    (json.dumps({"format": "minitensor", "version": 99, "root": 1}).encode(), "version 99"),
    (json.dumps({"format": "minitensor", "version": 1, "root": {"tensor": "a7"}}).encode(),
     "missing array entry"),
    (json.dumps({"format": "minitensor", "version": 1, "root": {"evil": 1}}).encode(),
     "unknown element kind"),
    (json.dumps({"format": "minitensor", "version": 1, "root": {"float": "1e5"}}).encode(),
     "bad float"),
    (json.dumps({"format": "minitensor", "version": 1,
                 "root": {"tensor": "__minitensor__"}}).encode(), "missing array entry"),
])
def test_bad_structure_entry(header, match, tmp_path):
    p = tmp_path / "bad.mt"
    with open(p, "wb") as f:
        np.savez(f, a0=np.ones(2), __minitensor__=np.frombuffer(header, np.uint8))
    with pytest.raises(ValueError, match=match):
        xp.load(p)


def test_unsupported_dtype_in_file(tmp_path):
    foreign = [d for d in (np.float16, np.longdouble, np.clongdouble)
               if np.dtype(d) not in _FROM_NP and np.dtype(d).kind in "fc"]
    if not foreign:
        pytest.skip("every NumPy float dtype is a minitensor dtype here")
    p = tmp_path / "foreign_dtype.mt"
    header = json.dumps({"format": "minitensor", "version": 1, "root": {"tensor": "a0"}})
    with open(p, "wb") as f:
        np.savez(f, a0=np.ones(2, foreign[0]), __minitensor__=np.frombuffer(header.encode(),
                                                                            np.uint8))
    with pytest.raises(ValueError, match="not a minitensor dtype"):
        xp.load(p)


def test_save_errors(tmp_path):
    with pytest.raises(TypeError, match="cannot save obj\\[0\\] of type set"):
        xp.save([{1, 2}], tmp_path / "x.mt")
    with pytest.raises(TypeError, match="dict key of type frozenset"):
        xp.save({frozenset(): 1}, tmp_path / "x.mt")
    with pytest.raises(TypeError, match="dtype object"):
        xp.save(np.array([None]), tmp_path / "x.mt")
    with pytest.raises(FileNotFoundError):
        xp.save(1, tmp_path / "missing_dir" / "x.mt")
    with pytest.raises(FileNotFoundError):
        xp.load(tmp_path / "nope.mt")
    assert not (tmp_path / "x.mt").exists()


def test_optimizer_and_model_like_state_round_trip(tmp_path):
    from minitensor import optim
    w = xp.tensor(np.ones((3, 2), np.float32), requires_grad=True)
    opt = optim.AdamW([w], lr=0.01, amsgrad=True)
    w.grad = xp.ones((3, 2), dtype=xp.float32)
    opt.step()
    ckpt = {"model": {"w": w}, "optimizer": opt.state_dict(), "epoch": 1}
    got = _roundtrip(ckpt, tmp_path)
    st = got["optimizer"]["state"][0]
    assert st["step"] == 1 and st["exp_avg"].dtype == xp.float32
    assert got["optimizer"]["param_groups"][0]["betas"] == (0.9, 0.999)
    _assert_same_tensor(w.detach(), got["model"]["w"])


def test_pytorch_checkpoint_is_named(tmp_path):
    torch = pytest.importorskip("torch")
    path = tmp_path / "model.pt"
    torch.save({"w": torch.ones(2)}, path)
    with pytest.raises(ValueError, match="not a minitensor file.*PyTorch checkpoint"):
        xp.load(path)
    with open(path, "rb") as f:          # file objects too
        with pytest.raises(ValueError, match="PyTorch checkpoint"):
            xp.load(f)


# ------------------------------------------------------- crafted files (issue 11)

def _npy(array):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.asarray(array), allow_pickle=False)
    return buf.getvalue()


def _structure(root):
    header = json.dumps({"format": "minitensor", "version": 1, "root": root}).encode()
    return _npy(np.frombuffer(header, np.uint8))


def _archive(members, compression=zipfile.ZIP_STORED):
    """The bytes of a zip holding ``name.npy`` for each ``name: npy bytes`` item."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression, compresslevel=9) as z:
        for name, data in members.items():
            z.writestr(name + ".npy", data)
    return buf.getvalue()


def _patch_central_directory(data, offset, fmt, value):
    """Writes ``value`` at ``offset`` of every central directory entry."""
    out = bytearray(data)
    start = out.find(b"PK\x01\x02")
    assert start > 0
    i = start
    while i >= 0:
        struct.pack_into(fmt, out, i + offset, value)
        i = out.find(b"PK\x01\x02", i + 4)
    return bytes(out)


def test_load_refuses_a_decompression_bomb(tmp_path):
    # 24 MiB of zeros deflate to ~24 KB: 1000 times the file's size
    n = 3 << 20
    path = tmp_path / "bomb.mt"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("__minitensor__.npy", _structure({"tensor": "a0"}))
        with z.open("a0.npy", "w") as m:
            np.lib.format.write_array_header_1_0(
                m, {"descr": "<f8", "fortran_order": False, "shape": (n,)})
            chunk = bytes(1 << 20)
            for _ in range(8 * n // len(chunk)):
                m.write(chunk)
    size = path.stat().st_size
    assert size < 200_000
    with pytest.raises(ValueError, match=f"would expand from {size} to .* bytes, more than "
                                         f"max_expansion=100 .*max_expansion=None"):
        xp.load(path)
    with pytest.raises(ValueError, match="max_expansion=500 times"):
        xp.load(path, max_expansion=500)
    got = xp.load(path, max_expansion=None)       # a trusted file
    assert got.shape == (n,) and got.dtype == xp.float64 and not np.any(got.numpy())
    assert xp.load(path, max_expansion=2000.0).shape == (n,)
    with pytest.raises(ValueError, match="max_expansion must be positive"):
        xp.load(path, max_expansion=0)
    with pytest.raises(TypeError, match="max_expansion must be a number or None"):
        xp.load(path, max_expansion="100")
    # files written by save are not compressed: the limit never gets in their way,
    # and small files may always expand to 16 MiB
    small = tmp_path / "small.mt"
    xp.save({"w": xp.zeros(1000)}, small)
    assert xp.load(small, max_expansion=1.0)["w"].shape == (1000,)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("__minitensor__.npy", _structure({"tensor": "a0"}))
        z.writestr("a0.npy", _npy(np.zeros(1 << 20)))         # 8 MiB in ~8 KB
    assert xp.load(path).shape == (1 << 20,)


@pytest.mark.parametrize("shape,dtype", [((12_500_000_000,), "<f8"),      # 100 GB
                                         ((10**15, 10**15), "<c16"),
                                         ((2**62, 4), "<i8")])
def test_load_checks_declared_sizes_before_allocating(shape, dtype):
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": dtype, "fortran_order": False,
                                                  "shape": shape})
    member = header.getvalue() + bytes(16)
    for compression in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        data = _archive({"__minitensor__": _structure({"tensor": "a0"}), "a0": member},
                        compression)
        for kwargs in ({}, {"max_expansion": None}):
            with pytest.raises(ValueError, match=r"corrupt \(array entry 'a0' declares shape "
                                                 r".* but holds 16 bytes"):
                xp.load(io.BytesIO(data), **kwargs)


def test_load_checks_zip_sizes(tmp_path):
    good = _archive({"__minitensor__": _structure({"tensor": "a0"}), "a0": _npy(np.ones(3))})
    assert xp.load(io.BytesIO(good)).shape == (3,)
    # central directory entry: uncompressed size at offset 24, compressed size at 20
    stored_lie = _patch_central_directory(good, 24, "<I", 2**32 - 1)
    with pytest.raises(ValueError, match="stored uncompressed but declares 4294967295 bytes"):
        xp.load(io.BytesIO(stored_lie), max_expansion=None)
    both_lie = _patch_central_directory(stored_lie, 20, "<I", 2**32 - 1)
    with pytest.raises(ValueError, match="more than the file's .* bytes"):
        xp.load(io.BytesIO(both_lie), max_expansion=None)
    deflated = _archive({"__minitensor__": _structure({"tensor": "a0"}),
                         "a0": _npy(np.ones(3))}, zipfile.ZIP_DEFLATED)
    assert xp.load(io.BytesIO(deflated)).shape == (3,)
    deflate_lie = _patch_central_directory(deflated, 24, "<I", 2**32 - 1)
    with pytest.raises(ValueError, match="more than its .* compressed bytes can hold"):
        xp.load(io.BytesIO(deflate_lie), max_expansion=None)


@pytest.mark.parametrize("method", [1, 12, 14, 99, 0xFFFF])
def test_flipped_compression_method_is_a_value_error(method, tmp_path):
    path = tmp_path / "ok.mt"
    xp.save({"w": xp.arange(10.0)}, path)
    # central directory entry: compression method at offset 10
    data = _patch_central_directory(path.read_bytes(), 10, "<H", method)
    with pytest.raises(ValueError, match=f"corrupt .*compression method {method}"):
        xp.load(io.BytesIO(data))


@pytest.mark.parametrize("root", [
    "[" * 1000 + "]" * 1000,                                      # a 2 KB structure
    '{"tuple":[' * 500 + "]}" * 500,                              # 6 KB
    '{"dict":[[1,' * 110 + "0" + "]]}" * 110,                     # 111 dicts
    '{"dict":[["a",' * 300 + '"x"' + "]]}" * 300 + ' "[[[[[[[[[[" ',   # brackets in strings
])
def test_deeply_nested_structure_entry_is_a_value_error(root, tmp_path):
    header = ('{"format":"minitensor","version":1,"root":' + root + "}").encode()
    path = tmp_path / "deep.mt"
    path.write_bytes(_archive({"__minitensor__": _npy(np.frombuffer(header, np.uint8))}))
    assert path.stat().st_size < 8000
    with pytest.raises(ValueError, match="corrupt .*nested more than 100 containers deep"):
        xp.load(path)


def test_save_refuses_cyclic_and_too_deep_objects(tmp_path):
    path = tmp_path / "x.mt"
    cyclic = [1]
    cyclic.append(cyclic)
    with pytest.raises(ValueError, match=r"cyclic reference at obj\[1\] \(it is obj, which "
                                         r"contains it\)"):
        xp.save(cyclic, path)
    d = {"model": {}}
    d["model"]["parent"] = d
    with pytest.raises(ValueError, match=r"cyclic reference at obj\['model'\]\['parent'\] "
                                         r"\(it is obj,"):
        xp.save(d, path)
    t = ([],)
    t[0].append(t)
    with pytest.raises(ValueError, match=r"cyclic reference at obj\['t'\]\[0\]\[0\] \(it is "
                                         r"obj\['t'\], which"):
        xp.save({"a": 1, "t": t}, path)
    inner = {"x": []}
    inner["x"].append(inner)
    with pytest.raises(ValueError, match=r"cyclic reference at obj\[2\]\['x'\]\[0\] \(it is "
                                         r"obj\[2\], which"):
        xp.save([0, 1, inner], io.BytesIO())
    deep = []
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(ValueError, match=r"obj\[0\]\[0\].* is nested more than 100 containers "
                                         r"deep \(the limit\)"):
        xp.save(deep, path)
    deep_key = "k"
    for _ in range(5000):
        deep_key = (deep_key,)
    with pytest.raises(ValueError, match="a key of obj is nested more than 100 containers"):
        xp.save({deep_key: 1}, path)
    assert not path.exists()
    # the same object twice, not nested in itself, is not a cycle (saved as copies)
    shared = [1, 2]
    assert _roundtrip({"a": shared, "b": (shared, shared)}, tmp_path) == \
        {"a": [1, 2], "b": ([1, 2], [1, 2])}


@pytest.mark.parametrize("kind", ["dict", "list", "tuple", "mixed"])
def test_nesting_at_the_depth_limit_round_trips(kind, tmp_path):
    def nest(depth):
        obj = [1 + 2j, float("-inf"), xp.ones(2)]          # the deepest leaves' encodings
        for i in range(depth - 1):
            k = kind if kind != "mixed" else ("dict", "list", "tuple")[i % 3]
            obj = {(i, "k") if i % 2 else str(i): obj} if k == "dict" else \
                [obj] if k == "list" else (obj,)
        return obj
    obj = nest(100)
    got = _roundtrip(obj, tmp_path)
    for _ in range(99):
        obj = next(iter(obj.values())) if isinstance(obj, dict) else obj[0]
        got = next(iter(got.values())) if isinstance(got, dict) else got[0]
    assert got[:2] == [1 + 2j, float("-inf")]
    _assert_same_tensor(xp.ones(2), got[2])
    with pytest.raises(ValueError, match="nested more than 100"):
        xp.save(nest(101), tmp_path / "deeper.mt")


def _fuzz_base_files():
    buf = io.BytesIO()
    xp.save({"w": xp.arange(40.0), "k": "v", "t": (1, 2.5, None), "n": {"a": [1, 2]},
             "z": xp.zeros((2, 3), dtype=xp.int32), "c": 1j}, buf)
    stored = buf.getvalue()
    with zipfile.ZipFile(io.BytesIO(stored)) as z:
        deflated = _archive({name[:-4]: z.read(name) for name in z.namelist()},
                            zipfile.ZIP_DEFLATED)
    return {"stored": stored, "deflated": deflated}


@pytest.mark.parametrize("which", ["stored", "deflated"])
def test_fuzzed_files_raise_only_value_error(which):
    data = _fuzz_base_files()[which]
    assert xp.load(io.BytesIO(data))["k"] == "v"
    rng = np.random.default_rng(11)
    directory = data.find(b"PK\x01\x02")
    cases = []
    for i in range(directory, len(data)):         # every byte of the central directory
        cases.append(data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:])
    for _ in range(600):
        b = bytearray(data)
        what = rng.integers(5)
        if what == 0:                              # 1 to 4 random bytes changed anywhere
            for i in rng.integers(len(b), size=rng.integers(1, 5)):
                b[i] ^= int(rng.integers(1, 256))
        elif what == 1:                            # a byte of the zip headers
            i = int(rng.choice([rng.integers(directory, len(b)), rng.integers(0, 80)]))
            b[i] = int(rng.integers(256))
        elif what == 2:                            # truncated
            del b[rng.integers(1, len(b)):]
        elif what == 3:                            # a byte inserted or removed
            i = int(rng.integers(len(b)))
            if rng.integers(2):
                b.insert(i, int(rng.integers(256)))
            else:
                del b[i]
        else:                                      # a 4-byte size or offset field set large
            i = int(rng.integers(len(b) - 4))
            struct.pack_into("<I", b, i, int(rng.choice([2**31 - 1, 2**32 - 1, 10**9])))
        cases.append(bytes(b))
    _assert_only_value_errors(cases)


def test_fuzzed_structure_entries_raise_only_value_error():
    # the CRC check catches random damage to an entry: damage the JSON structure of
    # otherwise valid archives, to exercise the decoder
    with zipfile.ZipFile(io.BytesIO(_fuzz_base_files()["stored"])) as z:
        members = {name[:-4]: z.read(name) for name in z.namelist()}
    text = np.lib.format.read_array(io.BytesIO(members["__minitensor__"])).tobytes()
    pieces = [b"[", b"]", b"{", b"}", b'"', b",", b":", b"\\", b"1e999", b"-0", b"nan",
              b'"tensor"', b'"a9"', b'"dict"', b'"tuple"', b'"float"', b'"complex"',
              b'"npscalar"', b'"ndarray"', b"null", b"true", b"[[[[", b"9" * 5000]
    rng = np.random.default_rng(12)
    cases = []
    for _ in range(300):
        b = bytearray(text)
        for _ in range(rng.integers(1, 4)):
            i = int(rng.integers(len(b)))
            what = rng.integers(3)
            if what == 0:
                b[i:i + 1] = pieces[rng.integers(len(pieces))]
            elif what == 1:
                del b[i:i + int(rng.integers(1, 8))]
            else:
                j = int(rng.integers(len(text)))
                b[i:i] = text[j:j + int(rng.integers(1, 12))]
        cases.append(_archive(dict(members, __minitensor__=_npy(np.frombuffer(bytes(b),
                                                                           np.uint8)))))
    _assert_only_value_errors(cases)


def _assert_only_value_errors(cases):
    outcomes = {"loaded": 0, "ValueError": 0}
    for case in cases:
        try:
            xp.load(io.BytesIO(case))
            outcomes["loaded"] += 1
        except ValueError as exc:                  # nothing else may come out
            assert str(exc).startswith("minitensor.load: "), str(exc)
            outcomes["ValueError"] += 1
    assert outcomes["ValueError"] > len(cases) // 2, outcomes


# ---------------------------------------------- temporary files of killed saves

def _temp_name(target, host, pid, rand="k2j4h5g6"):
    return f".{target}.{host}-{pid}.{rand}.tmp"


def _dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_save_removes_stale_temporary_files_of_its_target(tmp_path):
    host = _serialization._host_tag()
    other_host = "0" * 8 if host != "0" * 8 else "1" * 8
    dead = _dead_pid()
    stale = [_temp_name("ckpt.mt", host, dead),                    # killed save, this machine
             _temp_name("ckpt.mt", other_host, dead, "old0old0")]  # 2 days old, any machine
    kept = [_temp_name("ckpt.mt", host, os.getpid()),     # a save still running
            _temp_name("ckpt.mt", other_host, dead),      # maybe running on another machine
            _temp_name("other.mt", host, dead),           # another target's
            _temp_name("ckpt", host, dead),
            ".ckpt.mt.backup", "ckpt.mt.tmp", f".ckpt.mt.{host}-{dead}.tmp"]
    for name in stale + kept:
        (tmp_path / name).write_bytes(b"x" * 100)
    two_days_ago = time.time() - 2 * 86400
    os.utime(tmp_path / stale[1], (two_days_ago, two_days_ago))
    xp.save({"epoch": 1}, tmp_path / "ckpt.mt")
    assert sorted(os.listdir(tmp_path)) == sorted(kept + ["ckpt.mt"])
    assert xp.load(tmp_path / "ckpt.mt") == {"epoch": 1}


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killed_save_leftover_is_removed_by_the_next_save(tmp_path):
    target = tmp_path / "ckpt.mt"
    xp.save({"epoch": 1}, target)
    child = textwrap.dedent("""
        import sys, time
        import numpy as np
        import minitensor as xp

        def slow_savez(f, **arrays):          # a save that hangs half-way
            f.write(b"partial" * 1000)
            f.flush()
            print("writing", flush=True)
            time.sleep(60)

        np.savez = slow_savez
        xp.save({"epoch": 2, "w": xp.ones(1000)}, sys.argv[1])
    """)
    proc = subprocess.Popen([sys.executable, "-c", child, str(target)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline() == "writing\n"
        temps = [n for n in os.listdir(tmp_path) if n != "ckpt.mt"]
        assert len(temps) == 1 and temps[0].startswith(".ckpt.mt.")
        assert f"-{proc.pid}." in temps[0]
        # a concurrent save leaves the running save's temporary file alone
        xp.save({"epoch": 3}, target)
        assert sorted(os.listdir(tmp_path)) == sorted(temps + ["ckpt.mt"])
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
    assert sorted(os.listdir(tmp_path)) == sorted(temps + ["ckpt.mt"])    # the leftover
    assert xp.load(target) == {"epoch": 3}
    xp.save({"epoch": 4}, target)
    assert os.listdir(tmp_path) == ["ckpt.mt"]
    assert xp.load(target) == {"epoch": 4}


def test_save_errors_name_the_target_not_a_temporary_file(tmp_path):
    target = tmp_path / "missing_dir" / "x.mt"
    with pytest.raises(FileNotFoundError) as info:
        xp.save({"epoch": 1}, target)
    assert info.value.filename == str(target)
    assert str(info.value) == f"[Errno 2] No such file or directory: {str(target)!r}"
    (tmp_path / "afile").write_text("")
    with pytest.raises(NotADirectoryError) as info:
        xp.save(1, os.fsencode(tmp_path / "afile" / "x.mt"))
    assert info.value.filename == str(tmp_path / "afile" / "x.mt")
    assert ".tmp" not in str(info.value)
    assert sorted(os.listdir(tmp_path)) == ["afile"]


def test_load_from_the_current_position_of_a_file_object():
    buf = io.BytesIO()
    buf.write(b"other data " * 10)
    xp.save({"w": xp.arange(4.0)}, buf)
    buf.seek(110)
    _assert_same_tensor(xp.arange(4.0), xp.load(buf)["w"])

    class Unseekable(io.RawIOBase):
        def readable(self):
            return True

        def readinto(self, b):
            return 0

    with pytest.raises(ValueError, match="must be readable and seekable"):
        xp.load(Unseekable())
