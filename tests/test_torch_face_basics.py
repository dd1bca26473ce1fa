"""The PyTorch face's creation, dtypes, random numbers, devices, probes, persistence and
module layout (``minitensor.torch``), and that it does not leak into the namespace."""
import io
import subprocess
import sys

import numpy as np
import pytest

import minitensor
import minitensor.torch as mtorch

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")

# --------------------------------------------------------------- creation vs torch
CREATION = {
    "tensor_float": lambda L: L.tensor([1.0, 2.5]),
    "tensor_int": lambda L: L.tensor([[1, 2], [3, 4]]),
    "tensor_bool": lambda L: L.tensor(True),
    "tensor_complex": lambda L: L.tensor([1 + 2j]),
    "tensor_mixed": lambda L: L.tensor([1, 2.5]),
    "tensor_numpy64": lambda L: L.tensor(np.arange(3.0)),
    "tensor_numpy_int32": lambda L: L.tensor(np.arange(3, dtype=np.int32)),
    "tensor_dtype": lambda L: L.tensor([1, 2], dtype=L.float64),
    "tensor_scalar": lambda L: L.tensor(3.5),
    "as_tensor": lambda L: L.as_tensor([1.0, 2.0]),
    "as_tensor_dtype": lambda L: L.as_tensor(np.arange(3), dtype=L.float32),
    "asarray": lambda L: L.asarray([[1.0], [2.0]]),
    "zeros_varargs": lambda L: L.zeros(2, 3),
    "zeros_tuple": lambda L: L.zeros((2, 3)),
    "zeros_list": lambda L: L.zeros([4]),
    "zeros_size_kw": lambda L: L.zeros(size=(2, 1)),
    "zeros_scalar": lambda L: L.zeros(()),
    "zeros_dtype": lambda L: L.zeros(2, dtype=L.long),
    "ones": lambda L: L.ones(3, 2, dtype=L.double),
    "ones_size": lambda L: L.ones(L.Size([2, 2])),
    "empty_shape": lambda L: L.empty(2, 3).shape,
    "full_int": lambda L: L.full((2,), 3),
    "full_float": lambda L: L.full((2, 2), 1.5),
    "full_bool": lambda L: L.full((1,), True),
    "full_dtype": lambda L: L.full([2], 7, dtype=L.float64),
    "zeros_like": lambda L: L.zeros_like(L.tensor([1, 2])),
    "ones_like_dtype": lambda L: L.ones_like(L.tensor([1, 2]), dtype=L.float32),
    "full_like": lambda L: L.full_like(L.zeros(2, dtype=L.int32), 4),
    "empty_like": lambda L: L.empty_like(L.zeros(2, 3)).shape,
    "eye": lambda L: L.eye(3),
    "eye_rect": lambda L: L.eye(2, 3, dtype=L.int64),
    "arange_int": lambda L: L.arange(5),
    "arange_float_end": lambda L: L.arange(5.0),
    "arange_start_stop": lambda L: L.arange(2, 9, 3),
    "arange_float_step": lambda L: L.arange(0, 1, 0.1),
    "arange_negative": lambda L: L.arange(1.0, -1.0, -0.25),
    "arange_dtype": lambda L: L.arange(4, dtype=L.float64),
    "linspace": lambda L: L.linspace(0, 1, 5),
    "linspace_neg": lambda L: L.linspace(-3.0, 7.5, 11),
    "linspace_one": lambda L: L.linspace(2, 3, 1),
    "linspace_dtype": lambda L: L.linspace(0, 10, 4, dtype=L.float64),
    "logspace": lambda L: L.logspace(0, 3, 4),
    "logspace_base2": lambda L: L.logspace(0, 4, 5, base=2),
    "scalar_tensor": lambda L: L.scalar_tensor(2),
    "complex": lambda L: L.complex(L.tensor([1.0]), L.tensor([2.0])),
    "polar": lambda L: L.polar(L.tensor([2.0]), L.tensor([0.5])),
    "tril_ones": lambda L: L.tril(L.ones(3, 3)),
    "finfo_default": lambda L: (L.finfo().bits, float(L.finfo().eps)),
    "iinfo": lambda L: (L.iinfo(L.int16).max, L.iinfo(L.uint8).min),
    "default_dtype": lambda L: L.get_default_dtype(),
    "dtype_aliases": lambda L: [L.float, L.double, L.half, L.long, L.int, L.short, L.cfloat,
                                L.cdouble, L.bool, L.uint8, L.int8],
}


@needs_torch
@pytest.mark.parametrize("name", list(CREATION))
def test_creation_against_torch(name):
    from test_torch_face_functions import _compare
    _compare(CREATION[name](mtorch), CREATION[name](torch))


def test_default_dtype_is_float32_in_the_face_only():
    assert mtorch.get_default_dtype() == mtorch.float32
    for t in (mtorch.tensor([1.0]), mtorch.zeros(3), mtorch.ones(2, 2), mtorch.arange(5.0),
              mtorch.linspace(0, 1, 3), mtorch.rand(2), mtorch.randn(2), mtorch.empty(1),
              mtorch.full((1,), 0.5), mtorch.eye(2)):
        assert t.dtype == minitensor.float32
    # the namespace keeps the Array API's float64
    for t in (minitensor.zeros(3), minitensor.asarray([1.0]), minitensor.arange(5.0),
              minitensor.linspace(0, 1, 3), minitensor.ones(2), minitensor.eye(2)):
        assert t.dtype == minitensor.float64
    assert minitensor.tensor([1.0]).dtype == minitensor.float64


def test_set_default_dtype():
    try:
        mtorch.set_default_dtype(mtorch.float64)
        assert mtorch.get_default_dtype() == mtorch.float64
        assert mtorch.tensor([1.0]).dtype == mtorch.float64
        assert mtorch.tensor([1j]).dtype == mtorch.complex128
        assert mtorch.arange(1.0).dtype == mtorch.float64
        assert mtorch.div(mtorch.tensor([1]), 2).dtype == mtorch.float64
        assert minitensor.zeros(1).dtype == minitensor.float64
        # new nn parameters and buffers follow, as in PyTorch
        assert mtorch.nn.Linear(2, 3).weight.dtype == mtorch.float64
        assert mtorch.nn.BatchNorm1d(3).running_mean.dtype == mtorch.float64
        mtorch.set_default_dtype(mtorch.float16)
        assert mtorch.ones(1).dtype == mtorch.float16
        assert mtorch.rand(2).dtype == mtorch.float16
    finally:
        mtorch.set_default_dtype(mtorch.float32)
    assert mtorch.zeros(1).dtype == mtorch.float32
    assert mtorch.nn.Linear(2, 3).weight.dtype == mtorch.float32
    with pytest.raises(TypeError, match="floating"):
        mtorch.set_default_dtype(mtorch.int64)


def test_faces_do_not_leak_in_a_fresh_process():
    code = ("import minitensor as mt, minitensor.torch as torch; "
            "torch.set_default_dtype(torch.float32); "
            "assert mt.zeros(3).dtype == mt.float64; "
            "assert mt.asarray([1.0]).dtype == mt.float64; "
            "assert mt.tensor([1.0]).dtype == mt.float64; "
            "assert mt.linspace(0, 1, 2).dtype == mt.float64; "
            "assert (mt.asarray([1, 2]) / 2).dtype == mt.float64; "
            "assert mt.result_type(mt.int64, mt.float32) == mt.float64; "
            "assert torch.promote_types(torch.int64, torch.float32) == torch.float32; "
            "assert mt.Tensor is torch.Tensor; "
            "assert mt.sum is not torch.sum; "
            "print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_array_api_functions_are_unchanged_by_the_face():
    import importlib
    before = {n: getattr(minitensor, n) for n in minitensor.__all__}
    importlib.import_module("minitensor.torch")
    importlib.import_module("minitensor.torch.nn")
    assert {n: getattr(minitensor, n) for n in minitensor.__all__} == before
    assert minitensor.max(minitensor.asarray([1, 3])).dtype == minitensor.int64


def test_from_numpy_shares_memory():
    a = np.arange(4.0)
    t = mtorch.from_numpy(a)
    assert t.dtype == mtorch.float64
    a[0] = 10.0
    assert float(t[0]) == 10.0
    t[1] = -1.0
    assert a[1] == -1.0
    b = np.arange(3, dtype=np.int32)
    assert mtorch.from_numpy(b).dtype == mtorch.int32
    with pytest.raises(TypeError, match="np.ndarray"):
        mtorch.from_numpy([1.0, 2.0])


def test_tensor_copies_and_as_tensor_shares():
    a = np.zeros(2)
    t = mtorch.tensor(a)
    a[0] = 5.0
    assert float(t[0]) == 0.0
    s = mtorch.as_tensor(a)
    a[1] = 6.0
    assert float(s[1]) == 6.0


def test_requires_grad_creation():
    x = mtorch.zeros(2, requires_grad=True)
    assert x.requires_grad and x.is_leaf
    (x * 2).sum().backward()
    np.testing.assert_array_equal(np.asarray(x.grad), [2.0, 2.0])
    assert mtorch.randn(2, requires_grad=True).requires_grad
    with pytest.raises(RuntimeError, match="floating point"):
        mtorch.zeros(2, dtype=mtorch.long, requires_grad=True)
    with pytest.raises(RuntimeError, match="floating point"):
        mtorch.tensor([1, 2], requires_grad=True)


def test_creation_errors():
    with pytest.raises(RuntimeError, match="negative dimension"):
        mtorch.zeros(2, -1)
    with pytest.raises(TypeError, match="size"):
        mtorch.ones("a")
    with pytest.raises(TypeError, match="both"):
        mtorch.zeros(2, size=(2,))
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        mtorch.arange(0, 1, 0)
    with pytest.raises(RuntimeError, match="inconsistent"):
        mtorch.arange(0, 5, -1)
    with pytest.raises(RuntimeError, match="non-negative"):
        mtorch.linspace(0, 1, -1)
    with pytest.raises(TypeError, match="out= is not supported"):
        mtorch.zeros(2, out=mtorch.zeros(2))
    with pytest.raises(TypeError, match="out= is not supported"):
        mtorch.cat([mtorch.zeros(1)], out=mtorch.zeros(1))
    with pytest.raises(TypeError, match="out= is not supported"):
        mtorch.add(mtorch.zeros(1), 1, out=mtorch.zeros(1))
    with pytest.raises(TypeError, match="unexpected keyword"):
        mtorch.ones(2, sise=3)


def test_function_errors():
    with pytest.raises(RuntimeError, match="cannot be multiplied"):
        mtorch.mm(mtorch.zeros(2, 3), mtorch.zeros(2, 3))
    with pytest.raises(RuntimeError, match="3-D"):
        mtorch.bmm(mtorch.zeros(2, 3), mtorch.zeros(3, 2))
    with pytest.raises(RuntimeError, match="rounding_mode"):
        mtorch.div(mtorch.ones(1), 2, rounding_mode="round")
    with pytest.raises(RuntimeError, match="non-empty"):
        mtorch.cat([])
    with pytest.raises(RuntimeError, match="at least one"):
        mtorch.clamp(mtorch.ones(1))
    with pytest.raises(RuntimeError, match="floating point"):
        mtorch.mean(mtorch.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="exceeds"):
        mtorch.narrow(mtorch.zeros(3), 0, 2, 2)
    with pytest.raises(RuntimeError, match="ambiguous"):
        mtorch.is_nonzero(mtorch.zeros(2))
    with pytest.raises(ValueError, match="operand"):
        mtorch.einsum("ij,jk->ik", mtorch.zeros(2, 2))
    with pytest.raises(ValueError, match="does not appear"):
        mtorch.einsum("ij->k", mtorch.zeros(2, 2))
    with pytest.raises(ValueError, match="invalid subscript"):
        mtorch.einsum("i-j", mtorch.zeros(2, 2))
    with pytest.raises(ValueError, match="dimensions"):
        mtorch.einsum("ijk->i", mtorch.zeros(2, 2))


# ------------------------------------------------------------------- random
def _draws():
    return [mtorch.rand(3), mtorch.randn(2, 2), mtorch.randint(0, 10, (4,)),
            mtorch.randperm(6), mtorch.normal(0.0, 1.0, size=(2,)),
            mtorch.multinomial(mtorch.tensor([0.2, 0.3, 0.5]), 2),
            mtorch.bernoulli(mtorch.full((5,), 0.5)), mtorch.rand_like(mtorch.zeros(2)),
            mtorch.randn_like(mtorch.zeros(2)), mtorch.randint_like(mtorch.zeros(2), 5)]


def test_manual_seed_reproduces_every_sampler():
    mtorch.manual_seed(123)
    a = _draws()
    mtorch.manual_seed(123)
    b = _draws()
    for x, y in zip(a, b):
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))
    mtorch.manual_seed(124)
    c = _draws()
    assert not np.array_equal(np.asarray(a[1]), np.asarray(c[1]))


def test_manual_seed_is_the_global_generator_of_nn_init_and_dropout():
    import minitensor.torch.nn as nn
    mtorch.manual_seed(5)
    w1 = nn.Linear(3, 2).weight.detach()
    r1 = mtorch.rand(2)
    minitensor.manual_seed(5)  # the namespace's seed is the same generator
    w2 = nn.Linear(3, 2).weight.detach()
    r2 = mtorch.rand(2)
    np.testing.assert_array_equal(np.asarray(w1), np.asarray(w2))
    np.testing.assert_array_equal(np.asarray(r1), np.asarray(r2))
    assert mtorch.manual_seed(5) is mtorch.default_generator
    assert mtorch.initial_seed() == 5


def test_generator_is_its_own_stream():
    g = mtorch.Generator().manual_seed(7)
    a = mtorch.randn(3, generator=g)
    mtorch.manual_seed(0)
    g2 = mtorch.Generator()
    g2.manual_seed(7)
    mtorch.rand(5)  # the global stream does not touch g2
    b = mtorch.randn(3, generator=g2)
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert g.initial_seed() == 7
    state = g.get_state()
    x = mtorch.randint(0, 100, (3,), generator=g)
    g.set_state(state)
    np.testing.assert_array_equal(np.asarray(x),
                                  np.asarray(mtorch.randint(0, 100, (3,), generator=g)))
    s = mtorch.get_rng_state()
    y = mtorch.rand(2)
    mtorch.set_rng_state(s)
    np.testing.assert_array_equal(np.asarray(y), np.asarray(mtorch.rand(2)))
    with pytest.raises(TypeError, match="generator"):
        mtorch.rand(2, generator=3)


def test_generator_works_where_minitensor_takes_a_numpy_generator():
    from minitensor.torch.utils.data import DataLoader, TensorDataset
    ds = TensorDataset(mtorch.arange(10))
    order = [[int(v) for (b,) in DataLoader(ds, batch_size=10, shuffle=True,
                                            generator=mtorch.Generator().manual_seed(3))
              for v in b] for _ in range(2)]
    assert order[0] == order[1] and sorted(order[0]) == list(range(10))
    assert isinstance(mtorch.Generator(), np.random.Generator)


def test_default_generator_is_the_global_stream():
    g = mtorch.default_generator
    assert g is mtorch.default_generator
    mtorch.manual_seed(11)
    a = mtorch.rand(2)
    g.manual_seed(11)
    np.testing.assert_array_equal(np.asarray(a), np.asarray(mtorch.rand(2)))
    assert g.initial_seed() == mtorch.initial_seed() == 11
    mtorch.manual_seed(11)
    first = g.random()  # drawing from it advances the global stream
    mtorch.manual_seed(11)
    assert minitensor._random.default_generator().random() == first


def test_random_shapes_dtypes_and_ranges():
    mtorch.manual_seed(0)
    x = mtorch.rand(1000, dtype=mtorch.float64)
    assert x.dtype == mtorch.float64 and 0 <= float(x.min()) and float(x.max()) < 1
    assert abs(float(x.mean()) - 0.5) < 0.05
    n = mtorch.randn(20000)
    assert n.dtype == mtorch.float32
    assert abs(float(n.mean())) < 0.05 and abs(float(n.std()) - 1) < 0.05
    r = mtorch.randint(3, 7, (2, 500))
    assert r.dtype == mtorch.int64 and r.shape == (2, 500)
    assert set(np.unique(np.asarray(r))) == {3, 4, 5, 6}
    assert mtorch.randint(5, size=(3,), dtype=mtorch.int32).dtype == mtorch.int32
    assert sorted(mtorch.randperm(10).tolist()) == list(range(10))
    m = mtorch.normal(mtorch.full((4000,), 2.0), 0.5)
    assert abs(float(m.mean()) - 2) < 0.05 and abs(float(m.std()) - 0.5) < 0.05
    m2 = mtorch.normal(mtorch.zeros(2, 1), mtorch.ones(3))
    assert m2.shape == (2, 3)
    b = mtorch.bernoulli(mtorch.full((4000,), 0.25))
    assert set(np.unique(np.asarray(b))) <= {0.0, 1.0} and abs(float(b.mean()) - 0.25) < 0.03
    assert mtorch.bernoulli(mtorch.zeros(3), p=1.0).tolist() == [1.0, 1.0, 1.0]
    assert mtorch.poisson(mtorch.full((3000,), 4.0)).mean().item() == pytest.approx(4, abs=0.15)
    with pytest.raises(RuntimeError, match="floating point"):
        mtorch.rand(2, dtype=mtorch.int64)
    with pytest.raises(RuntimeError, match="from"):
        mtorch.randint(5, 5, (2,))
    with pytest.raises(RuntimeError, match="std"):
        mtorch.normal(0.0, -1.0, size=(2,))
    with pytest.raises(RuntimeError, match="0 <= p <= 1"):
        mtorch.bernoulli(mtorch.full((2,), 1.5))


def test_normal_is_differentiable_in_mean_and_std():
    mean = mtorch.zeros(3, requires_grad=True)
    std = mtorch.ones(3, requires_grad=True)
    mtorch.manual_seed(1)
    y = mtorch.normal(mean, std)
    y.sum().backward()
    np.testing.assert_array_equal(np.asarray(mean.grad), [1.0, 1.0, 1.0])
    np.testing.assert_allclose(np.asarray(std.grad), np.asarray(y.detach()))


def test_multinomial():
    mtorch.manual_seed(0)
    probs = mtorch.tensor([0.1, 0.0, 0.6, 0.3])
    s = mtorch.multinomial(probs, 4000, replacement=True)
    counts = np.bincount(np.asarray(s), minlength=4) / 4000
    np.testing.assert_allclose(counts, [0.1, 0.0, 0.6, 0.3], atol=0.03)
    w = mtorch.tensor([[1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 5.0, 1.0]])  # unnormalised rows
    s = mtorch.multinomial(w, 2)
    assert s.shape == (2, 2) and s.dtype == mtorch.int64
    for row in s.tolist():
        assert len(set(row)) == 2  # without replacement: distinct
    assert set(mtorch.multinomial(w[1], 2).tolist()) == {2, 3}
    with pytest.raises(RuntimeError, match="without replacement"):
        mtorch.multinomial(probs, 5)
    with pytest.raises(RuntimeError, match="not enough"):
        mtorch.multinomial(probs, 4)
    with pytest.raises(RuntimeError, match="element < 0"):
        mtorch.multinomial(mtorch.tensor([0.5, -0.1]), 1)
    with pytest.raises(RuntimeError, match="sum"):
        mtorch.multinomial(mtorch.zeros(3), 1, True)
    with pytest.raises(RuntimeError, match="1 or 2 dim"):
        mtorch.multinomial(mtorch.ones(2, 2, 2), 1)


# ---------------------------------------------------------- devices and probes
def test_device_objects():
    d = mtorch.device("cpu")
    assert d.type == "cpu" and d.index is None and str(d) == "cpu"
    assert repr(d) == "device(type='cpu')"
    assert d == "cpu" and d == minitensor.Device("cpu") and d == mtorch.device("cpu", 0)
    assert hash(d) == hash(minitensor.Device("cpu"))
    c = mtorch.device("cuda:1")
    assert (c.type, c.index, str(c)) == ("cuda", 1, "cuda:1")
    assert c != d and c != mtorch.device("cuda:0")
    assert mtorch.device("mps").type == "mps"
    with pytest.raises(RuntimeError, match="device type"):
        mtorch.device("gpu")
    with pytest.raises(RuntimeError, match="Invalid device"):
        mtorch.device("cuda:x")
    x = mtorch.ones(2, device=d)
    assert x.to(d) is x
    assert x.to(mtorch.device("cpu"), mtorch.float64).dtype == mtorch.float64


@pytest.mark.parametrize("where", ["cuda", "cuda:0", "mps"])
def test_no_tensor_on_an_accelerator(where):
    for make in (lambda: mtorch.zeros(2, device=where), lambda: mtorch.tensor([1.0], device=where),
                 lambda: mtorch.randn(2, device=mtorch.device(where)),
                 lambda: mtorch.arange(3, device=where)):
        with pytest.raises(RuntimeError, match="CPU only"):
            make()
    # Note: moving with Tensor.to() is checked by the core's device check (its error
    # type is the core's choice: ValueError today, RuntimeError in PyTorch).
    with pytest.raises((RuntimeError, ValueError), match="cuda|mps"):
        mtorch.ones(2).to(where)


def test_cuda_accelerator_backends_probes():
    assert mtorch.cuda.is_available() is False
    assert mtorch.cuda.device_count() == 0
    assert mtorch.cuda.manual_seed(0) is None and mtorch.cuda.manual_seed_all(0) is None
    with pytest.raises(RuntimeError, match="no CUDA"):
        mtorch.cuda.current_device()
    assert mtorch.accelerator.is_available() is False
    assert mtorch.accelerator.device_count() == 0
    assert mtorch.accelerator.current_accelerator() is None
    mtorch.accelerator.manual_seed(1)
    mtorch.accelerator.manual_seed_all(1)
    assert mtorch.backends.mps.is_available() is False
    assert mtorch.backends.cudnn.is_available() is False
    old = (mtorch.backends.cudnn.benchmark, mtorch.backends.cudnn.deterministic,
           mtorch.backends.cudnn.enabled, mtorch.backends.cuda.matmul.allow_tf32)
    try:
        mtorch.backends.cudnn.benchmark = True
        mtorch.backends.cudnn.deterministic = True
        mtorch.backends.cudnn.enabled = False
        mtorch.backends.cuda.matmul.allow_tf32 = True
        import minitensor.torch.backends.cudnn as cudnn
        assert cudnn.benchmark and cudnn.deterministic and not cudnn.enabled
        assert mtorch.backends.cuda.matmul.allow_tf32 is True
    finally:
        (mtorch.backends.cudnn.benchmark, mtorch.backends.cudnn.deterministic,
         mtorch.backends.cudnn.enabled, mtorch.backends.cuda.matmul.allow_tf32) = old
    # the idiom of PyTorch's examples
    device = mtorch.device("cuda" if mtorch.cuda.is_available() else
                           "mps" if mtorch.backends.mps.is_available() else "cpu")
    acc = (mtorch.accelerator.current_accelerator().type
           if mtorch.accelerator.is_available() else "cpu")
    assert device.type == acc == "cpu"


def test_size():
    s = mtorch.Size([2, 3, 4])
    assert isinstance(s, tuple) and s == (2, 3, 4) and s.numel() == 24
    assert repr(s) == "Size([2, 3, 4])" and isinstance(s[1:], mtorch.Size)
    assert mtorch.zeros(s).shape == (2, 3, 4)
    with pytest.raises(TypeError):
        mtorch.Size([1.5])


def test_tensor_class_and_grad_modes():
    assert mtorch.Tensor is minitensor.Tensor
    assert isinstance(mtorch.zeros(1), mtorch.Tensor)
    w = mtorch.ones(2, requires_grad=True)
    with mtorch.no_grad():
        assert not (w * 2).requires_grad
        assert not mtorch.is_grad_enabled()
        with mtorch.enable_grad():
            assert (w * 2).requires_grad
    with mtorch.set_grad_enabled(False):
        assert not (w * 2).requires_grad
    with mtorch.inference_mode():
        assert not (w * 2).requires_grad and mtorch.is_inference_mode_enabled()
    with mtorch.inference_mode(False):
        assert (w * 2).requires_grad
    assert not mtorch.is_inference_mode_enabled()

    @mtorch.inference_mode()
    def f(x):
        return x * 2
    assert not f(w).requires_grad
    assert mtorch.autograd.grad((w * w).sum(), w)[0].tolist() == [2.0, 2.0]


def test_threads_and_flags():
    n = mtorch.get_num_threads()
    try:
        mtorch.set_num_threads(1)
        assert mtorch.get_num_threads() == minitensor.get_num_threads() == 1
    finally:
        mtorch.set_num_threads(n)
    assert mtorch.get_num_interop_threads() == 1
    mtorch.use_deterministic_algorithms(True)
    assert mtorch.are_deterministic_algorithms_enabled()
    mtorch.use_deterministic_algorithms(False)
    assert (mtorch.inf, mtorch.pi, mtorch.e) == (float("inf"), np.pi, np.e)
    assert np.isnan(mtorch.nan)


# --------------------------------------------------------------- persistence
def test_checkpoint_round_trip(tmp_path):
    import minitensor.torch.nn as nn
    import minitensor.torch.optim as optim
    mtorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    opt = optim.Adam(model.parameters(), lr=0.01)
    x, y = mtorch.randn(8, 3), mtorch.randn(8, 1)
    for _ in range(3):
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
    path = tmp_path / "ckpt.pt"
    mtorch.save({"epoch": 3, "model_state_dict": model.state_dict(),
                 "optimizer_state_dict": opt.state_dict(), "loss": float(loss),
                 "note": "resume me"}, path)
    ckpt = mtorch.load(path, map_location=mtorch.device("cpu"), weights_only=True)
    assert ckpt["epoch"] == 3 and ckpt["note"] == "resume me"
    model2 = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    opt2 = optim.Adam(model2.parameters(), lr=0.01)
    model2.load_state_dict(ckpt["model_state_dict"])
    opt2.load_state_dict(ckpt["optimizer_state_dict"])
    for a, b in zip(model.parameters(), model2.parameters()):
        np.testing.assert_array_equal(np.asarray(a.detach()), np.asarray(b.detach()))
    # one more identical step on both
    for m, o in ((model, opt), (model2, opt2)):
        o.zero_grad()
        nn.functional.mse_loss(m(x), y).backward()
        o.step()
    for a, b in zip(model.parameters(), model2.parameters()):
        np.testing.assert_array_equal(np.asarray(a.detach()), np.asarray(b.detach()))
    buf = io.BytesIO()
    mtorch.save(model.state_dict(), buf)
    buf.seek(0)
    sd = mtorch.load(buf, map_location="cpu")
    assert set(sd) == set(model.state_dict())
    buf.seek(0)
    assert set(mtorch.load(buf, map_location=lambda s, loc: s)) == set(sd)
    buf.seek(0)
    with pytest.raises(RuntimeError, match="CPU only"):
        mtorch.load(buf, map_location="cuda:0")
    with pytest.raises(TypeError, match="pickle"):
        mtorch.save({}, io.BytesIO(), pickle_module=object())


# ------------------------------------------------------------------ modules
def test_submodules_are_the_namespace_modules():
    import minitensor.nn
    import minitensor.nn.functional
    import minitensor.optim
    import minitensor.optim.lr_scheduler
    import minitensor.utils.data
    import minitensor.torch.nn as nn
    import minitensor.torch.nn.functional as F
    import minitensor.torch.nn.init as init
    import minitensor.torch.optim as optim
    from minitensor.torch.optim.lr_scheduler import StepLR
    from minitensor.torch.utils.data import DataLoader, Dataset, TensorDataset
    import minitensor.torch.utils.data as data
    import minitensor.torch.autograd as autograd
    assert F is minitensor.nn.functional and init is minitensor.nn.init
    assert nn.functional is F and mtorch.nn is nn
    assert data is minitensor.utils.data
    assert StepLR is minitensor.optim.lr_scheduler.StepLR
    assert (DataLoader, Dataset, TensorDataset) == (
        minitensor.utils.data.DataLoader, minitensor.utils.data.Dataset,
        minitensor.utils.data.TensorDataset)
    for name in minitensor.nn.__all__:
        assert getattr(nn, name) is getattr(minitensor.nn, name), name
    for name in minitensor.optim.__all__:
        assert getattr(optim, name) is getattr(minitensor.optim, name), name
    assert set(minitensor.nn.__all__) <= set(nn.__all__)
    assert autograd.grad is minitensor.autograd.grad
    assert autograd.Function is minitensor.autograd.Function
    assert nn.Parameter is minitensor.nn.Parameter
    import minitensor.torch.nn.utils as nn_utils
    assert nn_utils.clip_grad_norm_ is minitensor.nn.utils.clip_grad_norm_
    import minitensor.nn.parameter
    import minitensor.torch.nn.parameter as parameter
    assert parameter is minitensor.nn.parameter
    from minitensor.torch.autograd import Variable
    assert Variable(mtorch.ones(1), requires_grad=True).requires_grad


def test_nn_utils_rnn():
    import minitensor.torch.nn.utils.rnn as rnn
    from minitensor.torch.nn.utils.rnn import pad_sequence
    padded = pad_sequence([mtorch.ones(2), mtorch.ones(3)], batch_first=True)
    assert padded.shape == (2, 3) and padded.tolist()[0] == [1.0, 1.0, 0.0]
    assert rnn.pad_sequence is pad_sequence


def test_no_second_copy_of_functional(tmp_path):
    code = ("import sys, minitensor.torch.nn.functional as F, minitensor.nn.functional as G; "
            "assert F is G; "
            "mods = [m for m in sys.modules.values() "
            "        if getattr(m, '__file__', None) and m.__file__.endswith('nn/functional.py')]; "
            "assert len(set(map(id, mods))) == 1, mods; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_import_does_not_load_nn_or_autograd():
    code = ("import sys, minitensor.torch; "
            "print(sorted(m for m in ('minitensor.nn', 'minitensor.optim', 'minitensor.autograd',"
            " 'minitensor.utils.data', 'numpy.random', 'scipy', 'torch') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
