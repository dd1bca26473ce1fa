"""PyTorch-style Tensor methods (minitensor/_tensor_methods.py) vs NumPy and PyTorch.

One table of calls: each is checked against a NumPy reference (values, dtype,
shape) and, where torch is importable, against the same method of a torch
tensor (values and, for differentiable calls, the gradient of ``sum(out * w)``).
"""
import numpy as np
import pytest

import minitensor as xp
from minitensor._dtypes import DType
from minitensor._tensor_methods import _METHODS

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None

RNG = np.random.default_rng(7)
X = RNG.standard_normal((3, 4))
XP = np.abs(X) + 0.5          # positive (log, sqrt, pow)
X3 = RNG.standard_normal((2, 1, 3))
V = RNG.standard_normal(4)
TIES = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
ZEROS_MIXED = np.array([-1.0, 0.0, 2.0, 0.0, -0.5])


def _np_std(a, axis=None, ddof=1, keepdims=False):
    return np.std(a, axis=axis, ddof=ddof, keepdims=keepdims)


# (id, input, method name, args, kwargs, NumPy reference, differentiable)
CALLS = [
    ("sum", X, "sum", (), {}, lambda a: np.sum(a), True),
    ("sum-dim", X, "sum", (1,), {}, lambda a: np.sum(a, 1), True),
    ("sum-dim-keepdim", X, "sum", (), {"dim": 0, "keepdim": True},
     lambda a: np.sum(a, 0, keepdims=True), True),
    ("sum-dims-list", X3, "sum", ([0, 2],), {}, lambda a: np.sum(a, (0, 2)), True),
    ("sum-axis-alias", X, "sum", (), {"axis": 1, "keepdims": True},
     lambda a: np.sum(a, 1, keepdims=True), True),
    ("prod", XP, "prod", (1,), {}, lambda a: np.prod(a, 1), True),
    ("mean", X, "mean", (), {}, lambda a: np.mean(a), True),
    ("mean-dim", X, "mean", (-1,), {"keepdim": True}, lambda a: np.mean(a, -1, keepdims=True),
     True),
    ("std", X, "std", (), {}, lambda a: _np_std(a), True),
    ("std-dim", X, "std", (0,), {}, lambda a: _np_std(a, 0), True),
    ("std-biased", X, "std", (1,), {"unbiased": False}, lambda a: _np_std(a, 1, 0), True),
    ("std-correction0", X, "std", (), {"dim": 1, "correction": 0}, lambda a: _np_std(a, 1, 0),
     True),
    ("var", X, "var", (), {}, lambda a: np.var(a, ddof=1), True),
    ("var-dim-keepdim", X, "var", (1,), {"keepdim": True},
     lambda a: np.var(a, 1, ddof=1, keepdims=True), True),
    ("max", X, "max", (), {}, lambda a: np.max(a), True),
    ("min", X, "min", (), {}, lambda a: np.min(a), True),
    ("argmax", X, "argmax", (), {}, lambda a: np.argmax(a), False),
    ("argmax-dim", X, "argmax", (1,), {}, lambda a: np.argmax(a, 1), False),
    ("argmin-dim-keepdim", X, "argmin", (0,), {"keepdim": True},
     lambda a: np.argmin(a, 0, keepdims=True), False),
    ("any", X > 1, "any", (), {}, lambda a: np.any(a), False),
    ("all-dim", X > -1, "all", (1,), {}, lambda a: np.all(a, 1), False),
    ("exp", X, "exp", (), {}, np.exp, True),
    ("log", XP, "log", (), {}, np.log, True),
    ("sqrt", XP, "sqrt", (), {}, np.sqrt, True),
    ("abs", X, "abs", (), {}, np.abs, True),
    ("tanh", X, "tanh", (), {}, np.tanh, True),
    ("sigmoid", X, "sigmoid", (), {}, lambda a: 1 / (1 + np.exp(-a)), True),
    ("relu", ZEROS_MIXED, "relu", (), {}, lambda a: np.maximum(a, 0), True),
    ("clamp", X, "clamp", (-0.5, 0.5), {}, lambda a: np.clip(a, -0.5, 0.5), True),
    ("clamp-min", X, "clamp", (), {"min": 0.0}, lambda a: np.maximum(a, 0.0), True),
    ("pow", XP, "pow", (2.5,), {}, lambda a: a ** 2.5, True),
    ("reshape", X, "reshape", (2, 6), {}, lambda a: a.reshape(2, 6), True),
    ("reshape-tuple", X, "reshape", ((-1,),), {}, lambda a: a.reshape(-1), True),
    ("view", X, "view", (4, 3), {}, lambda a: a.reshape(4, 3), True),
    ("view-minus1", X, "view", (-1, 2), {}, lambda a: a.reshape(-1, 2), True),
    ("permute", X3, "permute", (2, 0, 1), {}, lambda a: a.transpose(2, 0, 1), True),
    ("permute-tuple", X3, "permute", ((1, 2, 0),), {}, lambda a: a.transpose(1, 2, 0), True),
    ("transpose", X3, "transpose", (0, -1), {}, lambda a: np.swapaxes(a, 0, -1), True),
    ("t", X, "t", (), {}, lambda a: a.T, True),
    ("t-1d", V, "t", (), {}, lambda a: a, True),
    ("flatten", X3, "flatten", (), {}, lambda a: a.reshape(-1), True),
    ("flatten-range", X3, "flatten", (1,), {}, lambda a: a.reshape(2, 3), True),
    ("flatten-0d", np.array(2.0), "flatten", (), {}, lambda a: a.reshape(1), True),
    ("squeeze", X3, "squeeze", (), {}, lambda a: np.squeeze(a), True),
    ("squeeze-dim", X3, "squeeze", (1,), {}, lambda a: np.squeeze(a, 1), True),
    ("squeeze-non1-noop", X3, "squeeze", (0,), {}, lambda a: a, True),
    ("unsqueeze", X, "unsqueeze", (1,), {}, lambda a: a[:, None], True),
    ("unsqueeze-neg", X, "unsqueeze", (-1,), {}, lambda a: a[..., None], True),
    ("expand", X3, "expand", (2, 5, 3), {}, lambda a: np.broadcast_to(a, (2, 5, 3)), True),
    ("expand-minus1", X3, "expand", (4, -1, 2, -1), {},
     lambda a: np.broadcast_to(a, (4, 2, 2, 3)), True),
    ("contiguous", X.T, "contiguous", (), {}, lambda a: np.ascontiguousarray(a), True),
    ("clone", X, "clone", (), {}, lambda a: a.copy(), True),
    ("matmul", X, "matmul", (V,), {}, lambda a: a @ V, True),
    ("dot", V, "dot", (V[::-1].copy(),), {}, lambda a: np.dot(a, V[::-1]), True),
    ("float", X, "float", (), {}, lambda a: a.astype(np.float32), True),
    ("double", X.astype(np.float32), "double", (), {}, lambda a: a.astype(np.float64), True),
    ("long", X * 3, "long", (), {}, lambda a: a.astype(np.int64), False),
    ("int", X * 3, "int", (), {}, lambda a: a.astype(np.int32), False),
    ("bool", X > 0, "bool", (), {}, lambda a: a, False),
    ("to-dtype", X, "to", (xp.float32,), {}, lambda a: a.astype(np.float32), True),
    ("to-kw", X, "to", (), {"dtype": xp.float32}, lambda a: a.astype(np.float32), True),
]

# the torch spelling of an argument
_TORCH_DTYPE = {}
if torch is not None:
    _TORCH_DTYPE = {xp.float32: torch.float32, xp.float64: torch.float64}


def _torch_arg(a):
    if isinstance(a, np.ndarray):
        return torch.tensor(a)
    if isinstance(a, DType):
        return _TORCH_DTYPE[a]
    return a


def _xp_arg(a):
    return xp.asarray(a) if isinstance(a, np.ndarray) else a


def _values(r):
    return r.values if isinstance(r, tuple) else r


@pytest.mark.parametrize("case", CALLS, ids=[c[0] for c in CALLS])
def test_method_matches_numpy(case):
    _, data, name, args, kwargs, ref, _ = case
    x = xp.asarray(data)
    out = getattr(x, name)(*[_xp_arg(a) for a in args], **kwargs)
    expected = np.asarray(ref(data))
    assert isinstance(out, xp.Tensor)
    assert out.shape == expected.shape, (out.shape, expected.shape)
    assert out._array.dtype == expected.dtype, (out.dtype, expected.dtype)
    np.testing.assert_allclose(out._array, expected, rtol=1e-6 if out.dtype == xp.float32
                               else 1e-12, atol=1e-12)


@pytest.mark.skipif(torch is None, reason="PyTorch is not installed")
@pytest.mark.parametrize("case", CALLS, ids=[c[0] for c in CALLS])
def test_method_matches_torch_values_and_gradient(case):
    _, data, name, args, kwargs, _, differentiable = case
    kw = {k: _torch_arg(v) for k, v in kwargs.items()
          if k not in ("axis", "keepdims")}
    if "axis" in kwargs:
        kw["dim"] = kwargs["axis"]
    if "keepdims" in kwargs:
        kw["keepdim"] = kwargs["keepdims"]
    if differentiable:
        x = xp.tensor(data, requires_grad=True)
        tx = torch.tensor(data, requires_grad=True)
    else:
        x, tx = xp.asarray(data), torch.tensor(data)
    out = _values(getattr(x, name)(*[_xp_arg(a) for a in args], **kwargs))
    tout = _values(getattr(tx, name)(*[_torch_arg(a) for a in args], **kw))
    assert out.shape == tuple(tout.shape)
    np.testing.assert_allclose(out._array, tout.detach().numpy(),
                               rtol=1e-6 if out.dtype == xp.float32 else 1e-12, atol=1e-12)
    assert out.requires_grad == tout.requires_grad
    if not differentiable or not tout.requires_grad:
        return
    w = RNG.standard_normal(out.shape).astype(out._array.dtype)
    xp.sum(out * xp.asarray(w)).backward()
    (tout * torch.tensor(w)).sum().backward()
    assert x.grad.shape == x.shape and x.grad.dtype == x.dtype
    np.testing.assert_allclose(x.grad._array, tx.grad.numpy(), rtol=1e-6, atol=1e-12)


# ---------------------------------------------------------------- specifics
def test_max_min_with_dim_return_values_and_indices():
    x = xp.asarray(TIES)
    r = x.max(dim=1)
    assert r._fields == ("values", "indices")
    np.testing.assert_array_equal(r.values._array, [3.0, 2.0])
    np.testing.assert_array_equal(r.indices._array, [1, 0])  # first of the ties
    v, i = x.min(0, keepdim=True)
    np.testing.assert_array_equal(v._array, [[1.0, 2.0, 0.0]])
    np.testing.assert_array_equal(i._array, [[0, 1, 1]])
    np.testing.assert_array_equal(x.max(xp.asarray([2.0, 2.0, 2.0]))._array,
                                  np.maximum(TIES, 2.0))
    # the gradient goes to the selected element only (PyTorch's rule along a dim)
    t = xp.tensor(TIES, requires_grad=True)
    xp.sum(t.max(dim=1).values).backward()
    np.testing.assert_array_equal(t.grad._array, [[0, 1, 0], [1, 0, 0]])
    if torch is not None:
        tt = torch.tensor(TIES, requires_grad=True)
        tt.max(dim=1).values.sum().backward()
        np.testing.assert_array_equal(t.grad._array, tt.grad.numpy())
        assert tuple(r.indices._array) == tuple(torch.tensor(TIES).max(dim=1).indices.numpy())


def test_relu_gradient_at_zero_is_zero():
    x = xp.tensor(ZEROS_MIXED, requires_grad=True)
    xp.sum(x.relu()).backward()
    np.testing.assert_array_equal(x.grad._array, [0.0, 0.0, 1.0, 0.0, 0.0])
    assert x.relu().dtype == x.dtype
    assert xp.asarray([-2, 3]).relu().tolist() == [0, 3]
    if torch is not None:
        tx = torch.tensor(ZEROS_MIXED, requires_grad=True)
        tx.relu().sum().backward()
        np.testing.assert_array_equal(x.grad._array, tx.grad.numpy())


def test_sigmoid_saturates_without_warnings():
    x = xp.asarray([-1000.0, 0.0, 1000.0])
    np.testing.assert_array_equal(x.sigmoid()._array, [0.0, 0.5, 1.0])


def test_view_needs_compatible_strides():
    x = xp.asarray(X)
    v = x.view(12)
    assert np.shares_memory(v._array, x._array)
    with pytest.raises(RuntimeError, match="reshape"):
        x.T.view(12)
    with pytest.raises(RuntimeError, match="invalid for input of size"):  # as torch
        x.view(5)
    np.testing.assert_array_equal(x.T.contiguous().view(12)._array, X.T.reshape(-1))
    if torch is not None:
        with pytest.raises(RuntimeError):
            torch.tensor(X).T.view(12)


@pytest.mark.parametrize("src, dtype", [("complex128", float), ("float64", float),
                                        ("float32", "int32"), ("float32", np.complex64),
                                        ("int64", xp.float64), ("uint8", xp.int8)])
def test_view_dtype(src, dtype):
    # NumPy's a.view(dtype) (SciPy's RBFInterpolator calls d.view(float))
    a = (X + 1j * X).astype(src) if src.startswith("complex") else X.astype(src)
    x = xp.asarray(a)
    v = x.view(dtype)
    ref = a.view(np.dtype(dtype if not isinstance(dtype, DType) else dtype.name))
    assert v.dtype.name == ref.dtype.name and v.shape == ref.shape
    np.testing.assert_array_equal(v._array, ref)
    assert np.shares_memory(v._array, x._array)
    if torch is not None and src != "uint8":
        tdt = {float: torch.float64, "int32": torch.int32, np.complex64: torch.complex64,
               xp.float64: torch.float64}[dtype]
        assert tuple(torch.from_numpy(a.copy()).view(tdt).shape) == v.shape
    with pytest.raises(RuntimeError, match="view"):
        xp.asarray(X.astype(np.float64))[:, ::2].view(xp.float32)


def test_views_share_memory():
    x = xp.asarray(X3)
    for v in (x.reshape(6), x.permute(2, 1, 0), x.transpose(0, 2), x.squeeze(), x.unsqueeze(0),
              x.expand(2, 4, 3), x.flatten(), x.view(3, 2)):
        assert np.shares_memory(v._array, x._array)
    c = x.clone()
    assert not np.shares_memory(c._array, x._array)
    assert x.contiguous() is x
    assert x.float().dtype == xp.float32 and x.double() is x  # no cast: itself, as PyTorch


def test_sizes_and_array_api_attributes_stay():
    x = xp.asarray(X3)
    assert x.size == 6 and isinstance(x.size, int)  # the standard's attribute
    assert x.shape == (2, 1, 3) and x.ndim == 3
    assert x.numel() == 6 and x.dim() == 3
    assert x.T is not None if x.ndim == 2 else True
    assert x.size() == (2, 1, 3) and x.size(-1) == 3  # and PyTorch's method
    assert xp.asarray(X).T.shape == (4, 3)


def test_dtype_methods_and_to_type_as():
    x = xp.asarray([1.7, -2.2])
    assert x.long().tolist() == [1, -2] and x.long().dtype == xp.int64
    assert x.int().dtype == xp.int32 and x.bool().tolist() == [True, True]
    assert x.to(xp.float32).dtype == xp.float32
    assert x.to("cpu") is x and x.to("cpu", xp.float32).dtype == xp.float32
    y = x.to(dtype=xp.float64, copy=True)
    assert y.dtype == xp.float64 and not np.shares_memory(y._array, x._array)
    assert x.type_as(xp.asarray([1], dtype=xp.int16)).dtype == xp.int16
    assert x.to(xp.asarray([1], dtype=xp.float32)).dtype == xp.float32
    with pytest.raises(RuntimeError, match="device"):  # as torch without CUDA
        x.to("cuda")
    with pytest.raises(ValueError, match="device"):
        x.to("tpu")


def test_dim_errors():
    x = xp.asarray(X)
    with pytest.raises(IndexError, match="dim 2"):
        x.transpose(0, 2)
    with pytest.raises(IndexError):
        x.max(dim=5)
    with pytest.raises(RuntimeError, match="2 dimensions"):
        xp.asarray(X3).t()
    with pytest.raises(RuntimeError, match="1-D"):
        x.dot(x)
    with pytest.raises(RuntimeError, match="expand"):
        x.expand(4)
    with pytest.raises(RuntimeError, match="expanded size"):  # as torch
        x.expand(5, 4)
    with pytest.raises(TypeError, match="both"):
        x.sum(0, axis=1)


def test_inplace_fill_zero_copy():
    x = xp.asarray([[1.0, 2.0], [3.0, 4.0]])
    assert x.zero_() is x and x.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    x.fill_(2.5)
    assert x.tolist() == [[2.5, 2.5], [2.5, 2.5]]
    x.copy_(xp.asarray([1, 2]))  # broadcast and cast, as PyTorch
    assert x.tolist() == [[1.0, 2.0], [1.0, 2.0]]
    i = xp.asarray([0, 0])
    i.copy_(xp.asarray([1.9, -1.9]))  # float into int truncates, as PyTorch
    assert i.tolist() == [1, -1]
    with pytest.raises(RuntimeError, match="broadcast"):
        x.copy_(xp.ones(3))
    with pytest.raises(TypeError, match="complex"):
        x.fill_(1j)
    with pytest.raises(ValueError, match="read-only"):
        xp.broadcast_to(xp.ones(2), (2, 2)).zero_()
    # in place on a tensor that requires grad: no_grad only (see test_autograd.py)
    w = xp.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="zero_"):
        w.zero_()
    with xp.no_grad():
        w.zero_()
    assert w.tolist() == [0.0, 0.0] and w.requires_grad


def test_new_tensors():
    x = xp.asarray(X.astype(np.float32))
    z = x.new_zeros((2, 3))
    assert z.shape == (2, 3) and z.dtype == xp.float32 and not z._array.any()
    o = x.new_ones(2, 3, dtype=xp.int64)
    assert o.dtype == xp.int64 and o.tolist() == [[1, 1, 1]] * 2
    f = x.new_full((2,), 7.0)
    assert f.tolist() == [7.0, 7.0] and f.dtype == xp.float32
    assert x.new_empty(4).shape == (4,)
    r = x.new_zeros(3, requires_grad=True)
    assert r.requires_grad and r.is_leaf


def test_methods_record_gradients_chain():
    # a PyTorch-style expression built from methods only
    w = xp.tensor(X, requires_grad=True)
    loss = (w.t().matmul(xp.asarray(X)).relu().sum(dim=0) ** 2).mean()
    loss.backward()
    if torch is not None:
        tw = torch.tensor(X, requires_grad=True)
        tl = (tw.t().matmul(torch.tensor(X)).relu().sum(dim=0) ** 2).mean()
        tl.backward()
        np.testing.assert_allclose(w.grad._array, tw.grad.numpy(), rtol=1e-12)
        np.testing.assert_allclose(loss._array, tl.detach().numpy(), rtol=1e-12)
    assert w.grad.shape == w.shape


def test_table_is_attached():
    for name, f in _METHODS.items():
        assert getattr(xp.Tensor, name) is f
    assert {"sum", "view", "numel", "zero_", "new_zeros", "type_as"} <= set(_METHODS)
    assert "size" not in _METHODS  # a property of Tensor itself
