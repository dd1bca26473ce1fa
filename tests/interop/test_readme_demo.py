"""The README demo (a scikit-learn pipeline fed minitensor arrays) runs as written.

The snippet is read from docs/interop.md, between the ``readme-demo`` markers,
executed as is, and its output compared with the same pipeline fitted on NumPy
inputs. The README carries a copy of the same snippet.
"""
import contextlib
import io
import os
import re

import numpy as np
import pytest

pytest.importorskip("sklearn")

DOC = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "docs", "interop.md")
_BLOCK = re.compile(r"<!-- readme-demo-start -->\s*```python\n(.*?)```\s*<!-- readme-demo-end -->",
                    re.S)


def _snippet():
    with open(DOC, encoding="utf-8") as f:
        m = _BLOCK.search(f.read())
    assert m, "docs/interop.md has no readme-demo block"
    return m.group(1)


def test_snippet_is_short():
    assert len(_snippet().strip().splitlines()) <= 15


def test_readme_demo_runs(sklearn_xp, verified):
    verified("sklearn.pipeline.Pipeline")
    import sklearn
    from sklearn.datasets import load_iris
    from sklearn.decomposition import PCA
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    out = io.StringIO()
    # config_context restores the global configuration the snippet sets
    with sklearn.config_context(), contextlib.redirect_stdout(out):
        exec(compile(_snippet(), "docs/interop.md:readme-demo", "exec"), {"__name__": "demo"})
    lines = out.getvalue().splitlines()

    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), PCA(n_components=2),
                         LinearDiscriminantAnalysis()).fit(X, y)
    labels = ", ".join(str(v) for v in pipe.predict(X[::30]))
    assert lines[0] == f"Tensor([{labels}], dtype={np.asarray(y).dtype})", lines
    assert lines[1] == f"training accuracy: {pipe.score(X, y):.3f}", lines
