"""``nn.Module`` forward hooks and their handles, against PyTorch.

Each scenario runs the same code on ``torch`` and on ``minitensor.torch`` and
compares what the hooks saw, the outputs, and the hook bookkeeping: argument
conventions (``args`` tuples, ``kwargs`` with ``with_kwargs=True``), the
replacement rules (a pre-hook's non-tuple result becomes a 1-tuple, a forward
hook's non-None result replaces the output), ``prepend``, ``always_call``,
``RemovableHandle.remove`` / context manager, and that hooks stay out of
``state_dict`` and survive ``copy.deepcopy`` and pickling of hook-free modules.
"""
import copy
import pickle

import numpy as np
import pytest

import minitensor
import minitensor.torch as mtorch
from minitensor.torch.utils.hooks import RemovableHandle

torch = pytest.importorskip("torch")


class _Scale:
    """A module class built for either library: forward(x, *, k=1.0) = x * w * k."""

    @staticmethod
    def make(lib):
        class Scale(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.w = lib.nn.Parameter(lib.full((2,), 2.0))
                self.register_buffer("tmp", lib.zeros(2), persistent=False)

            def forward(self, x, k=1.0):
                return x * self.w * k

        return Scale()


def _np(t):
    return np.asarray(t.detach().numpy() if hasattr(t, "numpy") and not isinstance(
        t, minitensor.Tensor) else t._array)


def _run(lib, scenario):
    m = _Scale.make(lib)
    x = lib.tensor([1.0, 3.0])
    log = []
    out = scenario(lib, m, x, log)
    return [(_np(o) if not isinstance(o, (str, int, float, tuple, type(None))) else o)
            for o in (out if isinstance(out, list) else [out])], log


def _same(scenario):
    got, log_m = _run(mtorch, scenario)
    want, log_t = _run(torch, scenario)
    assert log_m == log_t
    assert len(got) == len(want)
    for g, w in zip(got, want):
        if isinstance(w, np.ndarray):
            np.testing.assert_allclose(g, w)
        else:
            assert g == w


def _kinds(args):
    return tuple(type(a).__name__ if not hasattr(a, "shape") else ("T", tuple(a.shape))
                 for a in args)


def test_forward_hook_sees_args_and_replaces_output():
    def scenario(lib, m, x, log):
        def hook(mod, args, out):
            log.append(("fwd", mod is m, _kinds(args), float(out.detach().sum())))
            return out + 1

        h = m.register_forward_hook(hook)
        a = m(x)
        b = m(x, 3.0)                    # positional extras are in args
        h.remove()
        h.remove()                       # a second remove is a no-op
        c = m(x)
        return [a, b, c]

    _same(scenario)


def test_forward_pre_hook_replaces_args():
    def scenario(lib, m, x, log):
        def pre_tensor(mod, args):       # a non-tuple result becomes args = (result,)
            log.append(("pre", _kinds(args)))
            return args[0] * 10

        def pre_none(mod, args):
            log.append(("none", _kinds(args)))

        h1 = m.register_forward_pre_hook(pre_none)
        h2 = m.register_forward_pre_hook(pre_tensor)
        a = m(x, 0.5)                    # the 0.5 is dropped by pre_tensor's result
        h2.remove()
        h3 = m.register_forward_pre_hook(lambda mod, args: (args[0], 4.0))
        b = m(x)
        h1.remove(), h3.remove()
        return [a, b, m(x)]

    _same(scenario)


def test_with_kwargs_hooks():
    def scenario(lib, m, x, log):
        def pre(mod, args, kwargs):
            log.append(("pre", _kinds(args), sorted(kwargs)))
            return args, {**kwargs, "k": 5.0}

        def post(mod, args, kwargs, out):
            log.append(("post", _kinds(args), dict(kwargs)))
            return None

        m.register_forward_pre_hook(pre, with_kwargs=True)
        m.register_forward_hook(post, with_kwargs=True)
        return [m(x), m(x, k=2.0)]

    _same(scenario)


def test_pre_hook_with_kwargs_must_return_a_pair():
    for lib in (torch, mtorch):
        m = _Scale.make(lib)
        m.register_forward_pre_hook(lambda mod, args, kwargs: args, with_kwargs=True)
        with pytest.raises(RuntimeError, match="new_args, new_kwargs"):
            m(lib.tensor([1.0, 2.0]))


def test_prepend_and_order():
    def scenario(lib, m, x, log):
        m.register_forward_hook(lambda mod, a, o: log.append("first"))
        m.register_forward_hook(lambda mod, a, o: log.append("second"))
        m.register_forward_hook(lambda mod, a, o: log.append("prepended"), prepend=True)
        m.register_forward_pre_hook(lambda mod, a: log.append("pre1"))
        m.register_forward_pre_hook(lambda mod, a: log.append("pre0"), prepend=True)
        # each replacement feeds the next hook
        m.register_forward_hook(lambda mod, a, o: o * 2)
        m.register_forward_hook(lambda mod, a, o: o + 1)
        return m(x)

    _same(scenario)


def test_always_call_runs_when_forward_raises():
    for lib in (torch, mtorch):
        m = _Scale.make(lib)
        log = []
        m.register_forward_hook(lambda mod, a, o: log.append(("always", o)), always_call=True)
        m.register_forward_hook(lambda mod, a, o: log.append(("plain", o)))
        with pytest.raises((RuntimeError, ValueError)):  # the libraries' broadcast errors
            m(lib.ones(3))               # (3,) * (2,) does not broadcast
        assert log == [("always", None)], lib
        log.clear()
        m(lib.ones(2))
        assert [k for k, _ in log] == ["always", "plain"]


def test_handles():
    m = _Scale.make(mtorch)
    seen = []
    with m.register_forward_hook(lambda mod, a, o: seen.append(1)) as h:
        assert isinstance(h, RemovableHandle) and h.id in m._forward_hooks
        m(mtorch.ones(2))
    m(mtorch.ones(2))
    assert seen == [1] and not m._forward_hooks
    h1 = m.register_forward_hook(lambda mod, a, o: None, with_kwargs=True, always_call=True)
    h2 = m.register_forward_pre_hook(lambda mod, a, k: None, with_kwargs=True)
    assert h1.id != h2.id
    h1.remove(), h2.remove()
    assert not any(getattr(m, k) for k in ("_forward_hooks", "_forward_hooks_with_kwargs",
                                           "_forward_hooks_always_called", "_forward_pre_hooks",
                                           "_forward_pre_hooks_with_kwargs"))
    # a handle does not keep the module alive, and a pickled handle still removes
    m2 = mtorch.nn.Linear(2, 2)
    h = m2.register_forward_hook(_record)
    m3, h3 = pickle.loads(pickle.dumps((m2, h)))
    h3.remove()
    assert not m3._forward_hooks and m2._forward_hooks


def _record(mod, args, out):  # a module-level hook: picklable
    return out * 0


def test_hooks_not_in_state_dict_and_modules_copy():
    net = mtorch.nn.Sequential(mtorch.nn.Linear(2, 3), mtorch.nn.Tanh())
    mtorch.nn.init.ones_(net[0].weight)
    keys = set(net.state_dict())
    h = net[0].register_forward_hook(_record)
    assert set(net.state_dict()) == keys
    x = mtorch.ones(1, 2)
    c = copy.deepcopy(net)
    assert float(c(x).abs().sum()) == 0          # the copy has the hook too
    h.remove()
    assert float(c(x).abs().sum()) == 0 and float(net(x).abs().sum()) > 0
    p = pickle.loads(pickle.dumps(net))
    np.testing.assert_array_equal(p(x)._array, net(x)._array)
    # a module pickled before hooks existed (no hook dicts) still works
    state = net.__dict__.copy()
    for k in list(state):
        if "hooks" in k:
            del state[k]
    old = mtorch.nn.Sequential.__new__(mtorch.nn.Sequential)
    old.__setstate__(state)
    np.testing.assert_array_equal(old(x)._array, net(x)._array)
    old.register_forward_hook(_record)
    assert float(old(x).abs().sum()) == 0


def test_hooks_with_autograd():
    lin = mtorch.nn.Linear(2, 1)
    lin.register_forward_hook(lambda mod, a, o: o * 3)
    x = mtorch.ones(4, 2)
    lin(x).sum().backward()
    np.testing.assert_allclose(lin.weight.grad._array, np.full((1, 2), 12.0))


def test_module_utilities_match_torch():
    def build(lib):
        torch_ = lib
        net = torch_.nn.Sequential(torch_.nn.Linear(2, 3), torch_.nn.Sequential(
            torch_.nn.Tanh(), torch_.nn.Linear(3, 1)))
        net.register_buffer("scratch", torch_.zeros(1), persistent=False)
        return net

    nets = {lib: build(lib) for lib in (torch, mtorch)}
    for lib, net in nets.items():
        names = []
        net.apply(lambda m: names.append(type(m).__name__))
        assert names == ["Linear", "Tanh", "Linear", "Sequential", "Sequential"]
        assert [n for n, _ in net.named_modules()] == ["", "0", "1", "1.0", "1.1"]
        assert len(list(net.modules())) == 5 and len(list(net.children())) == 2
        assert "scratch" not in net.state_dict()
        assert net.get_submodule("1.1") is net[1][1]
        assert net.get_parameter("1.1.bias") is net[1][1].bias
        assert net.eval() is net and not net[1][0].training
        assert net.train() is net and net[1][0].training
        net.requires_grad_(False)
        assert not any(p.requires_grad for p in net.parameters())
        net.requires_grad_(True)
        net(lib.ones(2, 2)).sum().backward()
        net.zero_grad()
        assert all(p.grad is None for p in net.parameters())
        assert net.to(lib.float64) is net and net[0].weight.dtype == lib.float64
        assert net[0].extra_repr() == "in_features=2, out_features=3, bias=True"


def _grads(gs):
    return [None if g is None else np.round(np.asarray(
        g.detach().numpy() if type(g).__module__.startswith("torch") else g._array), 6).tolist()
        for g in gs]


def _backward_scenario(lib):
    lin = lib.nn.Linear(3, 2)
    with lib.no_grad():
        lin.weight.copy_(lib.tensor([[1.0, 2, 3], [4, 5, 6]]))
        lin.bias.fill_(0.5)
    log = []

    def hook(m, gi, go):
        log.append(("hook", m is lin, _grads(gi), _grads(go)))
        return None if gi[0] is None else (gi[0] * 2,)   # replaces grad_input

    h = lin.register_full_backward_hook(hook)
    h0 = lin.register_full_backward_hook(lambda m, gi, go: log.append("first"), prepend=True)
    x = lib.tensor([[1.0, -1, 2]], requires_grad=True)
    (lin(x) ** 2).sum().backward()
    log += [x.grad.tolist(), lin.weight.grad.tolist()]
    lin.zero_grad()
    with pytest.warns(UserWarning, match="no inputs require gradients"):
        lin(lib.ones(1, 3)).sum().backward()             # grad_input is (None,)
    log.append(lin.weight.grad.tolist())
    h.remove(), h0.remove()
    x2 = lib.tensor([[1.0, -1, 2]], requires_grad=True)
    lin(x2).sum().backward()
    log.append(x2.grad.tolist())

    class Two(lib.nn.Module):                            # a non-tensor input, two outputs
        def forward(self, a, k, b):
            return a * b * k, a + b

    two = Two()
    two.register_full_backward_hook(lambda m, gi, go: log.append(("two", _grads(gi), _grads(go))))
    a, b = lib.tensor([1.0, 2], requires_grad=True), lib.tensor([3.0, 4])
    o1, o2 = two(a, 2.0, b)
    (o1.sum() + 3 * o2.sum()).backward()
    log.append(a.grad.tolist())
    # second order through a hooked module
    tanh = lib.nn.Tanh()
    tanh.register_full_backward_hook(lambda m, gi, go: None)
    z = lib.tensor([0.3, -0.2], requires_grad=True)
    g, = lib.autograd.grad(tanh(z).sum(), z, create_graph=True)
    g.sum().backward()
    log.append(np.round(np.asarray(z.grad.tolist()), 6).tolist())
    return log


def test_full_backward_hook_as_torch():
    assert _backward_scenario(mtorch) == _backward_scenario(torch)


def test_full_backward_hook_errors_and_no_grad():
    for lib in (torch, mtorch):
        lin = lib.nn.Linear(2, 2)
        lin.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
        with pytest.raises(RuntimeError, match="invalid number of grad_input"):
            lin(lib.ones(1, 2, requires_grad=True)).sum().backward()
        seen = []
        lin2 = lib.nn.Linear(2, 2)
        lin2.register_full_backward_hook(lambda m, gi, go: seen.append(1))
        with lib.no_grad():
            lin2(lib.ones(1, 2))
        assert seen == []
