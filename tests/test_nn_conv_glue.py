"""The CNN step's glue fast paths (issue 14): ReLU through the fused kernel, the
geometry check's fast path, and per-image convolution products."""
import numpy as np
import pytest

import minitensor as xp
import minitensor.nn.functional as F
from minitensor.nn import _conv_ops, _nn_kernels, _ops

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_kernel_equals_maximum(dtype):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((5, 6, 7)).astype(dtype)
    a.flat[:6] = [np.nan, -np.nan, -0.0, 0.0, np.inf, -np.inf]
    for x in (a, a[:, ::2, 1:], a[0, 0, 0], a[:0]):   # contiguous, strided, 0-d, empty
        y = _ops.relu(xp.asarray(x))._array
        ref = np.maximum(x, 0)
        assert y.dtype == ref.dtype and y.shape == ref.shape
        assert np.array_equal(y, ref, equal_nan=True)
        assert np.array_equal(np.signbit(y), np.signbit(ref))   # +0 for -0, as before
    ints = np.array([-3, 0, 4])
    assert np.array_equal(_ops.relu(xp.asarray(ints))._array, [0, 0, 4])


def test_relu_matches_torch_forward_and_backward():
    x = np.random.default_rng(1).standard_normal((4, 3, 8, 8)).astype(np.float32)
    xt = torch.tensor(x, requires_grad=True)
    xm = xp.asarray(x)
    xm.requires_grad_(True)
    g = np.random.default_rng(2).standard_normal(x.shape).astype(np.float32)
    torch.relu(xt).backward(torch.from_numpy(g))
    y = F.relu(xm)
    y.backward(xp.asarray(g))
    assert np.array_equal(y._array, torch.relu(xt).detach().numpy())
    assert np.array_equal(xm.grad._array, xt.grad.numpy())


def _slow_geometry(*args):
    # the checked path: the same arguments as lists
    return _nn_kernels._geometry("f", *[list(a) for a in args])


@pytest.mark.parametrize("args", [
    ((3, 3), (1, 1), (1, 1), (1, 1), (28, 28)),
    ((2, 5), (2, 3), (0, 2), (1, 2), (0, 7)),
])
def test_geometry_fast_path_same_values(args):
    assert _nn_kernels._geometry("f", *args) == _slow_geometry(*args)


@pytest.mark.parametrize("args, exc", [
    (((0, 3), (1, 1), (0, 0), (1, 1), (2, 2)), ValueError),      # kernel size 0
    (((3, 3), (1, 1), (-1, 0), (1, 1), (2, 2)), ValueError),     # negative padding
    (((3, 3), (1, 0), (0, 0), (1, 1), (2, 2)), ValueError),      # stride 0
    (((3, 3), (1, 1), (0, 0), (1, 1), (2, -2)), ValueError),     # negative output size
    (((3, True), (1, 1), (0, 0), (1, 1), (2, 2)), TypeError),    # bool
    (((3, 3.0), (1, 1), (0, 0), (1, 1), (2, 2)), TypeError),     # float
    (((3, 3, 3), (1,), (0, 0), (1, 1), (2, 2)), ValueError),     # 3 + 1 values
])
def test_geometry_fast_path_still_checks(args, exc):
    with pytest.raises(exc):
        _nn_kernels._geometry("f", *args)


def _conv_inputs(case, seed):
    """``(rng, x, k, b)`` for a case ``(n, c, o, h, w, dtype)``: a 3x3 convolution's
    input, filters and bias, drawn in that order."""
    n, c, o, h, w, dt = case
    rng = np.random.default_rng(seed)
    x, k, b = (rng.standard_normal(s).astype(dt) for s in ((n, c, h, w), (o, c, 3, 3), (o,)))
    return rng, x, k, b


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("case", [
    # (n, c, o, h, w, dtype): per-image at one thread and at two (small products)
    (64, 1, 16, 28, 28, np.float32),
    (32, 16, 32, 8, 8, np.float32),     # per image at one thread only
    (3, 2, 4, 9, 10, np.float64),
    (5, 3, 4, 4, 4, np.float64),        # L = 16: whole batch
    (1, 2, 3, 9, 9, np.float64),        # one image: whole batch
])
def test_conv2d_per_image_products_match_torch(threads, case):
    dt = case[-1]
    _, x, k, b = _conv_inputs(case, 3)
    tol = dict(rtol=1e-5, atol=1e-4) if dt == np.float32 else dict(rtol=1e-12, atol=1e-12)
    previous = xp.get_num_threads()
    xp.set_num_threads(threads)
    try:
        for bias in (b, None):
            ref = torch.nn.functional.conv2d(
                torch.from_numpy(x), torch.from_numpy(k),
                None if bias is None else torch.from_numpy(bias), padding=1).numpy()
            y = F.conv2d(xp.asarray(x), xp.asarray(k),
                         None if bias is None else xp.asarray(bias), padding=1)._array
            assert y.dtype == ref.dtype and y.shape == ref.shape and y.flags.c_contiguous
            np.testing.assert_allclose(y, ref, **tol)
    finally:
        xp.set_num_threads(previous)


def test_conv_y_paths_agree(monkeypatch):
    # both paths on the same columns: image by image, and the whole-batch product
    rng = np.random.default_rng(4)
    x = rng.standard_normal((6, 3, 9, 9))
    k = rng.standard_normal((5, 3, 3, 3))
    b = rng.standard_normal(5)
    cols = _conv_ops.cols_of(x, (3, 3), (1, 1), (1, 1), (1, 1), (9, 9))
    per_image = _conv_ops.conv_y(cols, k, b, 1, 6, (9, 9), False)
    monkeypatch.setattr(_conv_ops, "PER_IMAGE_MAX", 0)
    monkeypatch.setattr(_conv_ops, "PER_IMAGE_MAX_1T", 0)
    whole = _conv_ops.conv_y(cols, k, b, 1, 6, (9, 9), False)
    np.testing.assert_allclose(per_image, whole, rtol=1e-13, atol=1e-13)
    # 1-D layout: (N, O, L)
    y1 = _conv_ops.conv_y(cols, k, None, 1, 6, (1, 81), True)
    assert y1.shape == (6, 5, 81)


def test_conv1d_and_grouped_match_torch():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((8, 2, 100))
    w = rng.standard_normal((4, 2, 3))
    np.testing.assert_allclose(
        F.conv1d(xp.asarray(x), xp.asarray(w))._array,
        torch.nn.functional.conv1d(torch.from_numpy(x), torch.from_numpy(w)).numpy(),
        rtol=1e-12, atol=1e-12)
    x = rng.standard_normal((4, 4, 10, 10))
    w = rng.standard_normal((6, 2, 3, 3))
    np.testing.assert_allclose(
        F.conv2d(xp.asarray(x), xp.asarray(w), groups=2)._array,
        torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(w), groups=2).numpy(),
        rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("case", [
    (32, 16, 32, 8, 8, np.float32),     # input gradient image by image at one thread
    (6, 3, 5, 9, 9, np.float64),        # image by image at both
    (6, 3, 1, 9, 9, np.float64),        # one filter: the outer product, whole batch
    (5, 3, 4, 4, 4, np.float64),        # L = 16: whole batch
])
def test_conv2d_gradients_match_torch(threads, case):
    n, c, o, h, w, dt = case
    rng, x, k, b = _conv_inputs(case, 6)
    g = rng.standard_normal((n, o, h, w)).astype(dt)
    tol = dict(rtol=1e-4, atol=1e-3) if dt == np.float32 else dict(rtol=1e-12, atol=1e-11)
    ts = [torch.tensor(a, requires_grad=True) for a in (x, k, b)]
    torch.nn.functional.conv2d(*ts, padding=1).backward(torch.from_numpy(g))
    ms = [xp.asarray(a) for a in (x, k, b)]
    for m in ms:
        m.requires_grad_(True)
    previous = xp.get_num_threads()
    xp.set_num_threads(threads)
    try:
        F.conv2d(*ms, padding=1).backward(xp.asarray(g))
    finally:
        xp.set_num_threads(previous)
    for m, t in zip(ms, ts):
        np.testing.assert_allclose(m.grad._array, t.grad.numpy(), **tol)


@pytest.mark.parametrize("threads", [1, 2])
def test_conv_transpose2d_gradients_match_torch(threads):
    # its input gradient is a convolution: image by image for these sizes (L = 81)
    rng = np.random.default_rng(7)
    x = rng.standard_normal((4, 6, 9, 9))
    k = rng.standard_normal((6, 3, 3, 3))
    g = rng.standard_normal((4, 3, 11, 11))
    ts = [torch.tensor(a, requires_grad=True) for a in (x, k)]
    torch.nn.functional.conv_transpose2d(*ts).backward(torch.from_numpy(g))
    ms = [xp.asarray(a) for a in (x, k)]
    for m in ms:
        m.requires_grad_(True)
    previous = xp.get_num_threads()
    xp.set_num_threads(threads)
    try:
        F.conv_transpose2d(*ms).backward(xp.asarray(g))
    finally:
        xp.set_num_threads(previous)
    for m, t in zip(ms, ts):
        np.testing.assert_allclose(m.grad._array, t.grad.numpy(), rtol=1e-12, atol=1e-11)
