"""Shared setup of minitensor's own conformance tests (``conformance/test_properties_*.py``).

These tests run in the normal ``pytest`` run (CI) without the external
array-api-tests suite: property tests driven by
``hypothesis.extra.array_api.make_strategies_namespace(minitensor)``.

Hypothesis profile ``minitensor-conformance`` (registered in
``conformance_helpers.py``, applied per test with ``@conformance_settings`` so
other test folders keep their own settings): 20 examples per test, derandomized
(the same examples on every run: CI is reproducible), no deadline, no example
database. ``MINITENSOR_CONFORMANCE_EXAMPLES=200 pytest conformance`` runs a
deeper local check.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

import conformance_helpers  # noqa: E402,F401  (registers the hypothesis profile)
