"""Max pooling on several threads: the kernels give each thread one contiguous block of
planes; every thread count must give the serial result, bit for bit (values, the
sign of zeros, NaN and the index PyTorch picks on ties), forward and backward."""
import os

import numpy as np
import pytest

import minitensor._pythran as P
from minitensor.nn import _nn_kernels as NK


def _input(shape, dtype, seed):
    r = np.random.default_rng(seed)
    x = r.standard_normal(shape).astype(dtype)
    x[:, ::3] = np.round(x[:, ::3])                       # ties
    flat = x.reshape(-1)
    flat[r.integers(0, x.size, 40)] = np.nan
    flat[r.integers(0, x.size, 40)] = -np.inf
    flat[r.integers(0, x.size, 40)] = -0.0
    flat[r.integers(0, x.size, 40)] = 0.0
    return x


# (NC, H, W), kernel, stride, padding, dilation: each above the kernels' parallel threshold
# (2**17 elements of work), with more planes than threads and a plane count that does not
# split evenly; the 2x2/2 path (even and odd sizes) and the general one
GEOMETRIES = [
    ((1024, 28, 28), (2, 2), (2, 2), (0, 0), (1, 1)),
    ((2049, 14, 13), (2, 2), (2, 2), (0, 0), (1, 1)),
    ((257, 27, 28), (3, 3), (2, 2), (1, 1), (1, 1)),
    ((301, 20, 17), (2, 3), (1, 2), (1, 1), (2, 1)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("geo", GEOMETRIES, ids=lambda g: "x".join(map(str, g[0])) + f"_k{g[1][0]}{g[1][1]}")
def test_maxpool_threads_bit_equal(dtype, geo, threads):
    shape, k, s, p, d = geo
    x = _input(shape, dtype, seed=shape[0])
    out_hw = tuple(NK.pool_out_size(n, k[i], s[i], p[i], d[i], False)
                   for i, n in enumerate(shape[1:]))
    grad = np.random.default_rng(1).standard_normal((shape[0],) + out_hw).astype(dtype)
    res = {}
    for nt in (1, 2, 3):
        threads(nt)
        out, idx = NK.maxpool2d(x, k, s, p, d, out_hw)
        gx = NK.maxpool2d_backward(grad, idx, shape[1:])
        if P.COMPILED.get("_nn"):
            # the kernel's parallel backward (the glue keeps these sizes serial)
            gx = np.empty(x.shape, dtype)
            P._nn.maxpool2d_backward(grad.reshape(shape[0], -1), idx.reshape(shape[0], -1),
                                     gx.reshape(shape[0], -1), nt)
        res[nt] = (out, idx, gx)
    out1, idx1, gx1 = res[1]
    # the serial result itself: each output is the element of x its index points at
    planes = x.reshape(shape[0], -1)
    np.testing.assert_array_equal(
        np.take_along_axis(planes, idx1.reshape(shape[0], -1).astype(np.int64), 1).view(
            np.uint8), out1.reshape(shape[0], -1).view(np.uint8))
    for nt in (2, 3):
        out, idx, gx = res[nt]
        assert out.dtype == out1.dtype and idx.dtype == idx1.dtype
        np.testing.assert_array_equal(out.view(np.uint8), out1.view(np.uint8))
        np.testing.assert_array_equal(idx, idx1)
        np.testing.assert_array_equal(gx.view(np.uint8), gx1.view(np.uint8))
    # the backward's sums: grad scattered to the indices
    ref = np.zeros(planes.shape, np.float64)
    np.add.at(ref, (np.arange(shape[0])[:, None], idx1.reshape(shape[0], -1)),
              grad.reshape(shape[0], -1).astype(np.float64))
    np.testing.assert_allclose(gx1.reshape(shape[0], -1), ref, rtol=1e-6 if dtype == np.float32
                               else 1e-14, atol=1e-6 if dtype == np.float32 else 1e-14)


def test_openblas_thread_timeout_default():
    # import minitensor sets OpenBLAS's idle-thread timeout before NumPy loads it,
    # unless the user set one (docs/guide/kernels.rst)
    import subprocess
    import sys
    code = ("import os; import minitensor; import numpy as np; "
            "print(os.environ.get('OPENBLAS_THREAD_TIMEOUT'))")
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_THREAD_TIMEOUT"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=120, cwd=os.path.dirname(__file__))
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["14"]
    env["OPENBLAS_THREAD_TIMEOUT"] = "20"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=120, cwd=os.path.dirname(__file__))
    assert out.stdout.split() == ["20"], out.stderr
