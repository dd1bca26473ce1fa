"""Op records of the ``fft`` extension.

``ref`` is NumPy's pocketfft with the standard's result dtypes (float32 in ->
complex64 out, complex64 in -> float32 out for the real-output transforms).
The ``kwargs`` of each record is one representative non-default call; the test
also runs every record with default keywords.
"""
import numpy as np

from op_records import OpRecord

_CPLX = {"float32": np.complex64, "complex64": np.complex64,
         "float64": np.complex128, "complex128": np.complex128}
_REAL = {"float32": np.float32, "complex64": np.float32,
         "float64": np.float64, "complex128": np.float64}


def _c(f):
    """NumPy transform ``f`` with a complex result of the input's precision."""
    def ref(a, **kw):
        return f(a, **kw).astype(_CPLX[a.dtype.name])
    ref.__name__ = f.__name__
    return ref


def _r(f):
    """NumPy transform ``f`` with a real result of the input's precision."""
    def ref(a, **kw):
        return f(a, **kw).astype(_REAL[a.dtype.name])
    ref.__name__ = f.__name__
    return ref


_TOL = {"rtol": {"float32": 2e-5, "float64": 1e-12}, "atol": {"float32": 2e-5,
                                                             "float64": 1e-12}}
_1D = ((8,), (3, 5), (2, 3, 4), (1,))
_ND = ((8,), (3, 5), (2, 3, 4))


def _rec(name, ref, dtypes, shapes, kwargs):
    return OpRecord(name=f"fft.{name}", category="fft", ref=ref, dtypes=dtypes,
                    shapes=shapes, kwargs=kwargs, differentiable=True, **_TOL)


RECORDS = [
    _rec("fft", _c(np.fft.fft), "complex floating-point", _1D,
         {"n": 6, "axis": 0, "norm": "ortho"}),
    _rec("ifft", _c(np.fft.ifft), "complex floating-point", _1D,
         {"n": 10, "axis": -1, "norm": "forward"}),
    _rec("fftn", _c(np.fft.fftn), "complex floating-point", _ND,
         {"s": (4,), "axes": (0,), "norm": "ortho"}),
    _rec("ifftn", _c(np.fft.ifftn), "complex floating-point", _ND,
         {"s": (3,), "axes": (-1,), "norm": "forward"}),
    _rec("rfft", _c(np.fft.rfft), "real floating-point", _1D,
         {"n": 7, "axis": 0, "norm": "ortho"}),
    _rec("irfft", _r(np.fft.irfft), "complex floating-point", ((8,), (3, 5), (2, 3, 4)),
         {"n": 9, "axis": -1, "norm": "forward"}),
    _rec("rfftn", _c(np.fft.rfftn), "real floating-point", _ND,
         {"s": (5,), "axes": (0,), "norm": "ortho"}),
    _rec("irfftn", _r(np.fft.irfftn), "complex floating-point", ((8,), (3, 5), (2, 3, 4)),
         {"s": (5,), "axes": (0,), "norm": "forward"}),
    _rec("hfft", _r(np.fft.hfft), "complex floating-point", ((8,), (3, 5), (2, 3, 4)),
         {"n": 7, "axis": 0, "norm": "ortho"}),
    _rec("ihfft", _c(np.fft.ihfft), "real floating-point", _1D,
         {"n": 6, "axis": -1, "norm": "forward"}),
    _rec("fftshift", np.fft.fftshift, "all", _1D, {"axes": (0,)}),
    _rec("ifftshift", np.fft.ifftshift, "all", _1D, {"axes": 0}),
]
