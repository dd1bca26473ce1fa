"""In-place writes through views of tensors of a recorded graph (PyTorch's
CopySlices): the write is recorded on the base, the base's version is bumped,
and the written view and the base's other live views are regenerated from the
new base (``minitensor/autograd/_inplace.py``).

Each case is one program run on PyTorch and, unchanged, on ``minitensor.torch``;
values, first- and second-order gradients must agree (float64), and the
namespace's ``gradcheck``/``gradgradcheck`` compare them with finite differences.
"""
import numpy as np
import pytest

import minitensor as xp
import minitensor.torch as mtorch
from minitensor import autograd


def _x(T):
    return T.tensor(np.linspace(0.3, 2.1, 6), dtype=T.float64, requires_grad=True)


def _w(T):
    return T.tensor([0.7, -1.3], dtype=T.float64, requires_grad=True)


# each case: (T, x, w) -> a scalar; x has 6 elements, w has 2
def basic_setitem(T, x, w):
    y = x * 2
    v = y[1:]
    v[0] = w[0] * w[1]
    return (y * y).sum()


def setitem_slice_of_view(T, x, w):
    y = x.sin()
    v = y.reshape(2, 3)
    v[:, 1:] = w.reshape(2, 1) * x[:2].reshape(1, 2)
    return (v ** 2).sum() + (y * x).sum()


def iadd_through_a_column(T, x, w):
    y = x * x
    c = y.reshape(2, 3)[:, 1]
    c += w * 3
    return (y ** 3).sum()


def imul_through_a_transpose(T, x, w):
    y = x * 1.5
    v = y.reshape(2, 3).T[1:]
    v *= w.reshape(1, 2)
    return (y ** 2).sum() + (v * v).sum()


def mul_method_on_a_view_of_a_view(T, x, w):
    y = x.sin()
    v = y[1:][::2]
    v.mul_(w[0])
    v.add_(w[1] * x[:3])
    return (y * y * x).sum()


def boolean_mask_write_into_a_view(T, x, w):
    y = x * 2
    v = y[::2]
    v[v > 2] = w[0]
    return (y ** 2).sum()


def integer_array_write_into_a_view(T, x, w):
    y = x * 1
    v = y[1:5]
    v[[0, 2]] = w * x[:2]
    return (y * y).sum() + (v * x[:4]).sum()


def other_live_views_see_the_write(T, x, w):
    y = x * 2
    before = y[:3]           # overlaps the written region
    after = y[2:].reshape(2, 2)
    y[2] = w[0] ** 2         # written through the base
    return (before * before).sum() + (after ** 3).sum()


def sibling_view_sees_a_write_through_a_view(T, x, w):
    y = x * 3
    a = y[:4]
    b = y[2:]
    b[0] = w[1] * w[0]       # through one view; a sees it
    return (a ** 2).sum() + (y * x).sum()


def use_before_the_write_keeps_the_old_value(T, x, w):
    y = x * 2
    v = y[:3]
    early = (v + x[:3]).sum()  # recorded before the write: the old values
    y[1] = w[0]
    return early + (v ** 3).sum()


def repeated_writes_through_views(T, x, w):
    y = x * x.cos()
    v = y[1:]
    v[0] = w[0]
    v[1:3] *= w[1]
    u = y.reshape(3, 2)[:, 0]
    u += 1.0
    return (y ** 2).sum() + (v * u.sum()).sum()


def copy_and_fill_through_views(T, x, w):
    y = x * x
    y[:2].copy_(w * 2)
    y[4:].fill_(0.5)
    return (y * x).sum()


def chain_of_views_after_writes(T, x, w):
    y = x * 2
    a = y[1:]
    b = a[1:]
    c = b.reshape(2, 2)
    y[2] = w[0]          # into the base: a, b and c see it
    a.mul_(w[1])         # through the first view: b and c see it
    return (c ** 2).sum() + (b * x[:4]).sum() + (a * a).sum()


def write_into_a_regenerated_view(T, x, w):
    y = x.cos()
    v = y.reshape(3, 2)
    v[0] = w
    v[1:, 0] *= w[0]     # v again, after it was regenerated
    return (y ** 2).sum()


def base_not_c_contiguous(T, x, w):
    y = x.reshape(2, 3).T * 2      # NumPy keeps the transposed layout: a Fortran-order base
    v = y[1:]
    v[0] = w
    v[:, 1] *= w[1]
    return (y ** 2 * x.reshape(3, 2)).sum()


def zero_d_base(T, x, w):
    y = (x * w[0]).sum()
    v = y[None]          # a one-element view of a 0-d tensor
    v *= w[1]
    u = y[...]
    u += x[0]
    return y * x.sum() + (v * v).sum()


CASES = [zero_d_base, base_not_c_contiguous, chain_of_views_after_writes, write_into_a_regenerated_view, basic_setitem, setitem_slice_of_view, iadd_through_a_column, imul_through_a_transpose,
         mul_method_on_a_view_of_a_view, boolean_mask_write_into_a_view,
         integer_array_write_into_a_view, other_live_views_see_the_write,
         sibling_view_sees_a_write_through_a_view, use_before_the_write_keeps_the_old_value,
         repeated_writes_through_views, copy_and_fill_through_views]


def _run(T, case):
    """Value, first-order gradients and the gradient of their sum of squares (second
    order) of ``case`` on face ``T``, as NumPy."""
    x, w = _x(T), _w(T)
    out = case(T, x, w)
    gx, gw = T.autograd.grad(out, (x, w), create_graph=True)
    hx, hw = T.autograd.grad((gx * gx).sum() + (gw * gw).sum(), (x, w))
    return [np.array(t.detach().numpy()) for t in (out, gx, gw, hx, hw)]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_against_torch(case):
    torch = pytest.importorskip("torch")
    want = _run(torch, case)
    got = _run(mtorch, case)
    for name, g, t in zip(("value", "grad x", "grad w", "2nd x", "2nd w"), got, want):
        np.testing.assert_allclose(g, t, rtol=1e-12, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_against_finite_differences(case):
    f = lambda x, w: case(mtorch, x, w)  # noqa: E731
    x = xp.asarray(np.linspace(0.3, 2.1, 6)).requires_grad_()
    w = xp.asarray([0.7, -1.3]).requires_grad_()
    assert autograd.gradcheck(f, (x, w))
    assert autograd.gradgradcheck(f, (x, w))


def test_view_positions_from_the_memory_layout():
    from minitensor.autograd._inplace import _view_key
    base = np.arange(120.0).reshape(4, 5, 6)
    fortran = np.asfortranarray(base)
    for b in (base, fortran, base.transpose(1, 0, 2)):   # C order, F order, a strided base
        for v in (b[1:, ::2, 3], b[:, 1, ::-1], b.transpose(2, 0, 1)[1:4], b[::-1, ::-2, ::3],
                  b[2], b[..., 0:1], b[0:0]):
            key = _view_key(b, v)
            np.testing.assert_array_equal(b[key], v)
            assert np.unique(np.ravel_multi_index(key, b.shape)).size == v.size
    assert _view_key(base, base.view(np.int64)) is None           # another dtype
    assert _view_key(np.broadcast_to(base[:1], (3, 5, 6)), base[:1]) is None  # overlapping


def test_the_base_takes_the_write():
    x = xp.asarray([1.0, 2.0, 3.0, 4.0]).requires_grad_()
    y = x * 2
    v = y[1:]
    old = y._meta
    version = old.version
    v[0] = 10.0
    assert y.tolist() == [2.0, 10.0, 6.0, 8.0] and v.tolist() == [10.0, 6.0, 8.0]
    assert old.version > version and y._meta is not old  # the base's old place is stale
    assert y.grad_fn is not None and v.grad_fn is not None
    xp.sum(y * y).backward()
    assert x.grad.tolist() == [8.0, 0.0, 24.0, 32.0]


def test_a_view_of_a_leaf_raises_pytorchs_error():
    x = xp.asarray([1.0, 2.0, 3.0]).requires_grad_()
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x[1:][0] = 5.0
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        xp.reshape(x, (3, 1))[0] += 1.0
    with mtorch.no_grad():
        x[1:][0] = 5.0  # allowed outside grad mode
    assert x.tolist() == [1.0, 5.0, 3.0]


def test_a_clobbered_saved_value_raises_at_backward():
    x = xp.asarray([1.0, 2.0, 3.0]).requires_grad_()
    y = xp.exp(x)          # exp saves its result
    y[1:][0] = 0.5         # written through a view: recorded, but exp's result is gone
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        xp.sum(y).backward()
    x.grad = None
    y = x * 2
    v = y[:2]
    p = v * x[:2]          # multiply saves v
    y[1] = 0.0             # v's memory is written
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        xp.sum(p).backward()
    z = x * x              # multiply saves x, not z: fine
    z[::2] *= 3.0
    xp.sum(z).backward()
    assert x.grad.tolist() == [6.0, 4.0, 18.0]


def test_a_clobbered_saved_value_torch():
    torch = pytest.importorskip("torch")
    x = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
    y = x.exp()
    y[1:][0] = 0.5
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_a_view_of_another_dtype_is_refused_clearly():
    z = xp.asarray([1 + 2j, 3 - 1j]).requires_grad_()
    y = z * 2
    r = xp.real(y)
    if np.shares_memory(r._array, y._array):  # a NumPy view of another dtype
        with pytest.raises(RuntimeError, match="cannot be recorded"):
            r[0] = 1.0


def test_no_grad_writes_through_views_are_not_recorded():
    x = xp.asarray([1.0, 2.0, 3.0]).requires_grad_()
    y = x * 2
    with mtorch.no_grad():
        y[1:][0] = 7.0
    assert y.tolist() == [2.0, 7.0, 6.0]
    xp.sum(y * 3).backward()   # the graph of y is unchanged: d(3*2x)/dx
    assert x.grad.tolist() == [6.0, 6.0, 6.0]


# ---------------------------------------------- writes outside grad mode (the fast path)
# ``on_write`` runs such writes on a plain alias and only bumps the version and notes
# the write on the buffer; a value saved for backward that they clobber is still caught.
def _saved_sin():
    a = np.linspace(0.1, 0.9, 5)
    x = xp.asarray(a).requires_grad_()   # shares a's memory
    return a, x, xp.sin(x)               # sin saves x


def test_fast_path_write_into_a_saved_leaf_is_caught():
    _, x, y = _saved_sin()
    with mtorch.no_grad():
        x -= 0.5                         # the leaf itself (an optimizer-style step)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        xp.sum(y).backward()


@pytest.mark.parametrize("how", ["view", "numpy alias", "numpy out=", "zero_", "torch method"])
def test_fast_path_write_through_another_tensor_is_caught(how):
    a, x, y = _saved_sin()
    with mtorch.no_grad():
        if how == "view":
            x[1:3] *= 2.0                # a view of the saved tensor
        elif how == "numpy alias":
            t = xp.asarray(a[2:])        # another tensor over the same NumPy buffer
            t += 1.0
        elif how == "numpy out=":
            t = xp.asarray(a[::2])
            np.multiply(t, 2.0, out=t)
        elif how == "zero_":
            xp.asarray(a).zero_()
        else:
            mtorch.as_tensor(a)[0:2].mul_(3.0)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        xp.sum(y).backward()


def test_fast_path_plain_write_in_grad_mode_is_caught():
    a, x, y = _saved_sin()
    t = xp.asarray(a[1:])                # grad mode on, nothing requires grad: fast path
    t[0] = 5.0
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        xp.sum(y).backward()


def test_fast_path_writes_that_clobber_nothing_saved():
    a, x, y = _saved_sin()
    other = xp.asarray(np.ones(5))
    with mtorch.no_grad():
        other -= 0.25 * xp.ones(5)
        other.zero_()
    xp.sum(y).backward()
    np.testing.assert_allclose(x.grad._array, np.cos(a))
    g = x.grad
    g.zero_()                            # the .grad buffer: nothing saved it
    assert g.tolist() == [0.0] * 5 and x.grad is g
    with mtorch.no_grad():
        x -= 0.1 * x.grad
    assert x.requires_grad and x.is_leaf


def test_fast_path_fill_and_zero_values():
    t = xp.asarray(np.full(3, np.nan))
    assert t.zero_().tolist() == [0.0, 0.0, 0.0]
    assert t.fill_(2 ** 70).tolist() == [2.0 ** 70] * 3
    assert t.fill_(-1.5).tolist() == [-1.5] * 3
    f32 = xp.asarray(np.ones(2, dtype=np.float32))
    assert f32.zero_().tolist() == [0.0, 0.0] and f32.dtype == xp.float32
    with pytest.raises(OverflowError):
        t.fill_(10 ** 400)
    ro = xp.broadcast_to(xp.asarray([1.0]), (3,))
    with pytest.raises((ValueError, RuntimeError)):
        ro.zero_()
