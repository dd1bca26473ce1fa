"""Tests of minitensor.save / minitensor.load: round trips, the file format (no pickle),
atomic writes and errors on corrupt or foreign files."""
import io
import json
import os
import zipfile
from collections import Counter, OrderedDict, namedtuple

import numpy as np
import pytest

import minitensor as xp
from minitensor import _serialization

DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float32", "float64", "complex64", "complex128"]


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
    p = tmp_path / "f16.mt"
    header = json.dumps({"format": "minitensor", "version": 1, "root": {"tensor": "a0"}})
    with open(p, "wb") as f:
        np.savez(f, a0=np.ones(2, np.float16), __minitensor__=np.frombuffer(header.encode(),
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
