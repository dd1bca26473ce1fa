import os
import sys

# records_*.py and op_records.py are imported as top-level modules
sys.path.insert(0, os.path.dirname(__file__))

# tests/interop: SciPy reads SCIPY_ARRAY_API once, at its first import, and
# scikit-learn's array_api_dispatch needs exactly "1". This root conftest runs
# before any test module is collected, so no SciPy import can come first.
os.environ.setdefault("SCIPY_ARRAY_API", "1")


import pytest  # noqa: E402


@pytest.fixture
def threads():
    """``minitensor._kernels.set_num_threads``, the library's thread count restored after
    the test."""
    from minitensor import _kernels
    old = _kernels.get_num_threads()
    yield _kernels.set_num_threads
    _kernels.set_num_threads(old)
