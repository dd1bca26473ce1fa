"""nn.Module, Parameter and the containers: registration, iteration, modes,
conversion, state_dict round trips, strict loading errors, repr, subclassing,
copying and pickling."""
import copy
import pickle

import numpy as np
import pytest

import minitensor as xp
from minitensor import nn
import minitensor.nn.functional as F

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.bn = nn.BatchNorm1d(8)
        self.blocks = nn.Sequential(nn.ReLU(), nn.Linear(8, 8), nn.Dropout(0.1))
        self.head = nn.Linear(8, 3)
        self.scale = nn.Parameter(xp.ones(1, dtype=xp.float32))
        self.register_buffer("steps", xp.zeros((), dtype=xp.int64))
        self.register_buffer("cache", xp.zeros(2, dtype=xp.float32), persistent=False)
        self.note = "plain attribute"

    def forward(self, x):
        return self.head(self.blocks(self.bn(self.fc1(x)))) * self.scale


def test_parameter_basics():
    t = xp.asarray([1.0, 2.0])
    p = nn.Parameter(t)
    assert isinstance(p, xp.Tensor)
    assert p.requires_grad and p.is_leaf and p.grad_fn is None
    assert np.shares_memory(p._array, t._array)
    assert not nn.Parameter(t, requires_grad=False).requires_grad
    assert nn.Parameter().shape == (0,)
    assert repr(p).startswith("Parameter containing:\nTensor([1., 2.]")
    with pytest.raises(RuntimeError, match="floating point"):
        nn.Parameter(xp.asarray([1, 2]))
    with pytest.raises(TypeError):
        nn.Parameter(np.zeros(2))
    # usable everywhere a tensor is
    y = xp.sum(p * p)
    y.backward()
    np.testing.assert_array_equal(p.grad._array, [2.0, 4.0])
    q = F.linear(xp.ones((1, 2)), nn.Parameter(xp.ones((3, 2))))
    assert q.shape == (1, 3)


def test_parameter_copy_and_pickle_keep_the_class():
    p = nn.Parameter(xp.asarray([1.0, 2.0]))
    p.grad = xp.asarray([0.5, 0.5])
    d = copy.deepcopy(p)
    assert type(d) is nn.Parameter and d.requires_grad
    assert not np.shares_memory(d._array, p._array)
    np.testing.assert_array_equal(d.grad._array, [0.5, 0.5])
    u = pickle.loads(pickle.dumps(nn.Parameter(xp.ones(3), requires_grad=False)))
    assert type(u) is nn.Parameter and not u.requires_grad


def test_registration_and_named_members():
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["scale", "fc1.weight", "fc1.bias", "bn.weight", "bn.bias",
                     "blocks.1.weight", "blocks.1.bias", "head.weight", "head.bias"]
    assert len(list(net.parameters())) == 9
    assert [n for n, _ in net.named_buffers()] == [
        "steps", "cache", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked"]
    assert [n for n, _ in net.named_children()] == ["fc1", "bn", "blocks", "head"]
    assert [n for n, _ in net.named_modules()] == [
        "", "fc1", "bn", "blocks", "blocks.0", "blocks.1", "blocks.2", "head"]
    assert [n for n, _ in net.named_parameters(recurse=False)] == ["scale"]
    assert [n for n, _ in net.named_parameters(prefix="model")][0] == "model.scale"
    assert net.note == "plain attribute"
    assert net.get_submodule("blocks.1") is net.blocks[1]
    assert net.get_parameter("blocks.1.bias") is net.blocks[1].bias
    assert "fc1" in dir(net) and "scale" in dir(net)
    # re-assigning moves an attribute between kinds
    net.head = nn.Identity()
    assert "head.weight" not in dict(net.named_parameters())
    del net.head
    assert "head" not in dict(net.named_children())
    with pytest.raises(AttributeError, match="no attribute 'missing'"):
        net.missing


def test_shared_parameters_are_deduplicated():
    a = nn.Linear(3, 3)
    seq = nn.Sequential(a, nn.ReLU(), a)
    assert len(list(seq.parameters())) == 2
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias"]
    assert len(list(seq.named_parameters(remove_duplicate=False))) == 4
    assert len(list(seq.modules())) == 3
    tied = nn.Module()
    tied.enc = nn.Linear(2, 2, bias=False)
    tied.dec = nn.Linear(2, 2, bias=False)
    tied.dec.weight = tied.enc.weight
    assert [n for n, _ in tied.named_parameters()] == ["enc.weight"]
    assert list(tied.state_dict()) == ["enc.weight", "dec.weight"]


def test_registration_errors():
    m = nn.Module()
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter"):
        m.w = nn.Parameter(xp.ones(1))
        m.w = xp.ones(1)
    with pytest.raises(KeyError, match="contain"):
        m.register_buffer("a.b", xp.ones(1))
    with pytest.raises(KeyError, match="already exists"):
        m.register_buffer("w", xp.ones(1))
    with pytest.raises(TypeError, match="buffer"):
        m.register_buffer("b", np.ones(1))
    with pytest.raises(TypeError, match="Parameter or None"):
        m.register_parameter("p", xp.ones(1))
    with pytest.raises(TypeError, match="not a Module subclass"):
        m.add_module("x", 3)

    class Forgot(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(2, 2)

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Forgot()
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        nn.Module()(1)


def test_buffer_marker_and_buffer_assignment():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.count = nn.Buffer(xp.zeros(1))
            self.tmp = nn.Buffer(xp.zeros(1), persistent=False)

    m = M()
    assert list(m.state_dict()) == ["count"]
    m.count = xp.ones(1)
    assert float(m.count) == 1.0 and "count" in dict(m.named_buffers())
    with pytest.raises(TypeError, match="buffer"):
        m.count = 3


def test_train_eval_and_requires_grad():
    net = Net()
    assert net.training and all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(ValueError, match="boolean"):
        net.train("yes")
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_zero_grad_and_apply():
    net = Net()
    net.eval()
    out = net(xp.ones((2, 4), dtype=xp.float32))
    xp.sum(out).backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not np.any(p.grad._array) for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    seen = []
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net
    assert seen[-1] == "Net" and seen[0] == "Linear"

    def init_weights(m):
        if isinstance(m, nn.Linear):
            nn.init.zeros_(m.weight)
    net.apply(init_weights)
    assert not np.any(net.fc1.weight._array) and not np.any(net.head.weight._array)


def test_to_converts_in_place_keeping_parameter_objects():
    net = Net()
    w = net.fc1.weight
    assert net.to(xp.float64) is net
    assert net.fc1.weight is w and w.dtype == xp.float64
    assert net.bn.running_mean.dtype == xp.float64
    assert net.bn.num_batches_tracked.dtype == xp.int64   # integer buffers stay
    assert net(xp.ones((2, 4))).dtype == xp.float64
    net.float()
    assert w.dtype == xp.float32
    net.to("cpu", dtype="float64")
    assert w.dtype == xp.float64
    net.to(xp.ones(1, dtype=xp.float32))
    assert w.dtype == xp.float32
    with pytest.raises(TypeError, match="floating point"):
        net.to(xp.int32)
    with pytest.raises(RuntimeError, match="cpu"):  # and AssertionError, as torch
        net.to("cuda")


def test_state_dict_round_trip():
    a, b = Net(), Net()
    a.bn(xp.asarray(np.random.default_rng(0).standard_normal((4, 8)).astype(np.float32)))
    sd = a.state_dict()
    assert list(sd) == ["scale", "steps", "fc1.weight", "fc1.bias", "bn.weight", "bn.bias",
                        "bn.running_mean", "bn.running_var", "bn.num_batches_tracked",
                        "blocks.1.weight", "blocks.1.bias", "head.weight", "head.bias"]
    assert "cache" not in sd   # non-persistent
    assert all(type(v) is xp.Tensor and not v.requires_grad for v in sd.values())
    assert np.shares_memory(sd["fc1.weight"]._array, a.fc1.weight._array)
    w_before = b.fc1.weight
    res = b.load_state_dict(sd)
    assert res.missing_keys == [] and res.unexpected_keys == []
    assert repr(res) == "<All keys matched successfully>"
    assert b.fc1.weight is w_before
    for k, v in b.state_dict().items():
        np.testing.assert_array_equal(v._array, sd[k]._array)
        assert not np.shares_memory(v._array, sd[k]._array)
    # NumPy arrays are accepted as values (e.g. a checkpoint loaded with numpy)
    b.load_state_dict({k: np.asarray(v._array) for k, v in sd.items()})
    assert list(a.state_dict(keep_vars=True).values())[0] is a.scale
    assert list(a.state_dict(prefix="net.")) [0] == "net.scale"


def test_load_state_dict_strict_errors():
    net = Net()
    sd = net.state_dict()
    del sd["head.bias"]
    sd["extra.weight"] = xp.ones(1)
    sd["fc1.weight.junk"] = xp.ones(1)
    with pytest.raises(RuntimeError) as e:
        Net().load_state_dict(sd)
    msg = str(e.value)
    assert "Error(s) in loading state_dict for Net" in msg
    assert 'Missing key(s) in state_dict: "head.bias"' in msg
    assert '"extra.weight"' in msg and '"fc1.weight.junk"' in msg
    res = Net().load_state_dict(sd, strict=False)
    assert res.missing_keys == ["head.bias"]
    assert sorted(res.unexpected_keys) == ["extra.weight", "fc1.weight.junk"]
    sd = net.state_dict()
    sd["fc1.weight"] = xp.ones((3, 3), dtype=xp.float32)
    for strict in (True, False):
        with pytest.raises(RuntimeError, match=r"size mismatch for fc1.weight: copying a param "
                                               r"with shape \(3, 3\) from checkpoint, the shape "
                                               r"in current model is \(8, 4\)"):
            Net().load_state_dict(sd, strict=strict)
    with pytest.raises(TypeError, match="dict-like"):
        Net().load_state_dict([1, 2])


@pytest.mark.skipif(torch is None, reason="PyTorch not installed")
def test_state_dict_keys_and_values_interoperate_with_torch():
    def make(lib):
        return lib.Sequential(lib.Conv2d(1, 2, 3), lib.BatchNorm2d(2), lib.ReLU(), lib.Flatten(),
                              lib.Linear(8, 3), lib.LSTM(3, 4))
    tm, mm = make(torch.nn), make(nn)
    tsd = tm.state_dict()
    assert list(mm.state_dict()) == list(tsd)
    mm.load_state_dict({k: v.numpy() for k, v in tsd.items()})
    for k, v in mm.state_dict().items():
        np.testing.assert_array_equal(v._array, tsd[k].numpy())
    # PyTorch tensors directly (through DLPack), e.g. a torch model's state_dict()
    tm2 = make(torch.nn)
    assert not torch.equal(tm2[0].weight, tm[0].weight)
    mm.load_state_dict(tm2.state_dict())
    for k, v in mm.state_dict().items():
        np.testing.assert_array_equal(v._array, tm2.state_dict()[k].numpy())
    with pytest.raises(RuntimeError, match=r'"0.weight", expected a Tensor or an array.*list'):
        mm.load_state_dict({**tm2.state_dict(), "0.weight": [[1.0]]})


def test_repr_matches_torch_format():
    net = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(inplace=True),
        nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.25),
        nn.Sequential(nn.Linear(16, 4, bias=False), nn.GELU(approximate="tanh")))
    expected = """Sequential(
  (0): Conv2d(1, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
  (1): BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
  (2): ReLU(inplace=True)
  (3): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
  (4): Flatten(start_dim=1, end_dim=-1)
  (5): Dropout(p=0.25, inplace=False)
  (6): Sequential(
    (0): Linear(in_features=16, out_features=4, bias=False)
    (1): GELU(approximate='tanh')
  )
)"""
    assert repr(net) == expected
    if torch is not None:
        tnet = torch.nn.Sequential(
            torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.BatchNorm2d(16),
            torch.nn.ReLU(inplace=True), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
            torch.nn.Dropout(0.25), torch.nn.Sequential(torch.nn.Linear(16, 4, bias=False),
                                                        torch.nn.GELU(approximate="tanh")))
        assert repr(tnet) == expected
    for m, s in [(nn.LSTM(3, 4, num_layers=2, batch_first=True), "LSTM(3, 4, num_layers=2, "
                  "batch_first=True)"), (nn.Embedding(5, 2, padding_idx=0),
                                         "Embedding(5, 2, padding_idx=0)"),
                 (nn.LayerNorm(4), "LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)"),
                 (nn.GroupNorm(2, 4, bias=False),
                  "GroupNorm(2, 4, eps=1e-05, affine=True, bias=False)"),
                 (nn.LeakyReLU(0.2), "LeakyReLU(negative_slope=0.2)"),
                 (nn.Softmax(dim=1), "Softmax(dim=1)"), (nn.MSELoss(), "MSELoss()")]:
        assert repr(m) == s
        if torch is not None:
            assert repr(eval("torch.nn." + s)) == s


def test_subclass_with_custom_forward_trains():
    xp.manual_seed(0)

    class Residual(nn.Module):
        def __init__(self, d):
            super().__init__()
            self.lin = nn.Linear(d, d)

        def forward(self, x):
            return x + F.relu(self.lin(x))

        def extra_repr(self):
            return f"d={self.lin.in_features}"

    model = nn.Sequential(Residual(4), nn.Linear(4, 1))
    assert "Residual(\n    d=4\n    (lin)" in repr(model)
    r = np.random.default_rng(0)
    x = xp.asarray(r.standard_normal((32, 4)).astype(np.float32))
    y = xp.asarray((r.standard_normal((32, 1)) * 0.1).astype(np.float32))
    losses = []
    for _ in range(30):
        model.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        with xp.no_grad():
            for p in model.parameters():
                p -= 0.05 * p.grad
        losses.append(float(loss))
    assert losses[-1] < 0.5 * losses[0]


def test_containers():
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    seq.append(nn.Linear(3, 1))
    assert len(seq) == 3 and isinstance(seq[-1], nn.Linear)
    assert isinstance(seq[:2], nn.Sequential) and len(seq[:2]) == 2
    seq.insert(1, nn.Tanh())
    assert [type(m).__name__ for m in seq] == ["Linear", "Tanh", "ReLU", "Linear"]
    del seq[1]
    assert list(seq._modules) == ["0", "1", "2"]
    with pytest.raises(IndexError):
        seq[5]
    from collections import OrderedDict
    named = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.ReLU())]))
    assert named.fc is named[0]
    ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    ml.append(nn.ReLU())
    ml.extend([nn.Tanh()])
    assert len(ml) == 5 and len(list(ml.parameters())) == 6
    assert isinstance(ml[1:3], nn.ModuleList)
    ml[0] = nn.Identity()
    assert len(list(ml.parameters())) == 4
    md = nn.ModuleDict({"a": nn.Linear(1, 1)})
    md["b"] = nn.ReLU()
    assert list(md.keys()) == ["a", "b"] and "a" in md and len(md) == 2
    assert [n for n, _ in md.named_parameters()] == ["a.weight", "a.bias"]
    md.pop("a")
    assert list(md) == ["b"]
    pl = nn.ParameterList([nn.Parameter(xp.ones(2)), xp.zeros(3)])
    assert isinstance(pl[1], nn.Parameter) and len(pl) == 2
    assert [n for n, _ in pl.named_parameters()] == ["0", "1"]
    pd = nn.ParameterDict({"w": xp.ones(2)})
    assert isinstance(pd["w"], nn.Parameter) and list(pd.keys()) == ["w"]


def test_deepcopy_and_pickle_module():
    net = Net()
    net2 = copy.deepcopy(net)
    for (k, p), (k2, p2) in zip(net.named_parameters(), net2.named_parameters()):
        assert k == k2 and type(p2) is nn.Parameter and p2 is not p
        np.testing.assert_array_equal(p._array, p2._array)
    net3 = pickle.loads(pickle.dumps(net))
    assert list(net3.state_dict()) == list(net.state_dict())
    x = xp.ones((2, 4), dtype=xp.float32)
    net.eval(), net3.eval()
    np.testing.assert_array_equal(net(x)._array, net3(x)._array)


def test_manual_seed_makes_init_reproducible():
    xp.manual_seed(123)
    a = Net().state_dict()
    xp.manual_seed(123)
    b = Net().state_dict()
    for k in a:
        np.testing.assert_array_equal(a[k]._array, b[k]._array)
    assert xp.initial_seed() == 123
    c = Net().state_dict()
    assert not np.array_equal(a["fc1.weight"]._array, c["fc1.weight"]._array)


def test_nn_utils_clip_and_vectors():
    a = nn.Parameter(xp.zeros(2))
    b = nn.Parameter(xp.zeros((2, 2)))
    a.grad = xp.asarray([3.0, 0.0])
    b.grad = xp.asarray([[0.0, 4.0], [0.0, 0.0]])
    total = nn.utils.clip_grad_norm_([a, b], 2.5)
    assert float(total) == 5.0
    np.testing.assert_allclose(a.grad._array, [1.5, 0.0], rtol=1e-6)
    np.testing.assert_allclose(b.grad._array, [[0.0, 2.0], [0.0, 0.0]], rtol=1e-6)
    assert float(nn.utils.clip_grad_norm_([a, b], 10.0, norm_type="inf")) == pytest.approx(2.0,
                                                                                          rel=1e-5)
    nn.utils.clip_grad_value_([a, b], 1.0)
    assert a.grad._array.max() == 1.0 and b.grad._array.max() == 1.0
    v = nn.utils.parameters_to_vector([a, b])
    assert v.shape == (6,)
    nn.utils.vector_to_parameters(xp.arange(6.0), [a, b])
    np.testing.assert_array_equal(b._array, [[2.0, 3.0], [4.0, 5.0]])
    with pytest.raises(ValueError, match="5 elements, the parameters 6"):
        nn.utils.vector_to_parameters(xp.arange(5.0), [a, b])
