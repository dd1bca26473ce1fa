"""tests/interop: SciPy and scikit-learn fed minitensor arrays (their Array API paths).

SCIPY_ARRAY_API=1 is set by the root tests/conftest.py, before SciPy can be
imported. ``verified(name)`` records the public SciPy/scikit-learn name a test
checks; tests/interop/list_verified.py lists the names of the passing tests.
"""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))  # interop_*.py helpers


def _scipy_array_api_enabled():
    """SciPy's own flag (read once at its first import), not just the variable."""
    from scipy._lib._array_api import SCIPY_ARRAY_API
    return bool(SCIPY_ARRAY_API)


@pytest.fixture(scope="session")
def scipy_xp():
    """Skip unless SciPy is installed with its Array API support switched on."""
    pytest.importorskip("scipy")
    if not _scipy_array_api_enabled():
        pytest.skip("SciPy was imported before SCIPY_ARRAY_API=1 was set "
                    "(set it in the environment)")


@pytest.fixture(scope="session")
def sklearn_xp(scipy_xp):
    """Skip unless scikit-learn is installed and can dispatch (needs SCIPY_ARRAY_API=1)."""
    pytest.importorskip("sklearn")
    if os.environ.get("SCIPY_ARRAY_API") != "1":
        pytest.skip("scikit-learn's array_api_dispatch needs SCIPY_ARRAY_API=1 exactly, "
                    f"got {os.environ.get('SCIPY_ARRAY_API')!r}")


@pytest.fixture
def dispatch(sklearn_xp):
    """scikit-learn's Array API dispatch on for the test."""
    import sklearn
    with sklearn.config_context(array_api_dispatch=True):
        yield


@pytest.fixture
def verified(record_property):
    """``verified("scipy.special.erf")``: the public name this test verifies."""
    def record(name):
        record_property("verified", name)
    return record


def pytest_configure(config):
    # scikit-learn's metrics test module (imported for its metric list) marks some
    # of its own tests with pytest-run-parallel's marker
    config.addinivalue_line("markers", "thread_unsafe: scikit-learn's marker (unused here)")
