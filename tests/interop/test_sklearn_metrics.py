"""scikit-learn metrics and pairwise functions with Array API support fed
minitensor arrays.

The functions come from scikit-learn's own list (``array_api_metric_checkers`` of
its metrics test suite, shipped with it). Each is run through scikit-learn's own
checker with ``array_namespace="minitensor"`` (values against NumPy inputs), and
called directly: arrays come back as minitensor arrays of NumPy's dtype, shape
and values, scores as Python floats. The metrics that accept mixed inputs are
also run with one input from NumPy and the other from minitensor.
"""
import numpy as np
import pytest

pytest.importorskip("sklearn")

import minitensor as mt  # noqa: E402
from interop_compare import assert_same_result  # noqa: E402

tc = pytest.importorskip("sklearn.metrics.tests.test_common",
                         reason="scikit-learn's test suite is not installed")

pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning"),
    pytest.mark.filterwarnings("ignore::FutureWarning"),
    # scikit-learn's checkers use tiny label vectors that trigger these notices
    pytest.mark.filterwarnings("ignore:No positive class found in y_true:UserWarning"),
    pytest.mark.filterwarnings("ignore:y_pred contains classes not in y_true:UserWarning"),
]

# scikit-learn computes these with scipy.spatial.distance.cdist for NumPy inputs
# (always float64) and with the namespace for the others (the input's float
# dtype): float32 inputs give float32 there, as for PyTorch or CuPy inputs.
_CDIST_FOR_NUMPY = {"manhattan_distances", "laplacian_kernel"}


def _name(metric):
    if hasattr(metric, "__name__"):
        return metric.__name__
    kw = ",".join(f"{k}={v}" for k, v in metric.keywords.items())
    return f"{metric.func.__name__}({kw})"


def _public(metric):
    import sklearn.metrics
    f = getattr(metric, "func", metric)
    if hasattr(sklearn.metrics, f.__name__):
        return f"sklearn.metrics.{f.__name__}"
    return f"{f.__module__.replace('._', '.').rstrip('.')}.{f.__name__}"


CHECKS = [pytest.param(m, c, id=f"{_name(m)}-{c.__name__.replace('check_array_api_', '')}")
          for m, c in tc.yield_metric_checker_combinations()]
METRICS = [pytest.param(m, id=_name(m)) for m in tc.array_api_metric_checkers]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("metric, checker", CHECKS)
def test_sklearn_metric_checker(metric, checker, dtype, sklearn_xp, verified):
    verified(_public(metric))
    checker(metric, "minitensor", None, dtype)


# ---------------------------------------------------------- direct calls
_RNG = np.random.default_rng(0)
_P = _RNG.uniform(0.05, 0.95, 12)
_PM = _RNG.dirichlet(np.ones(3), 12)
_DATA = {
    "binary_classification_metric": (np.array([0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 1]),
                                     np.array([0, 1, 0, 0, 1, 1, 0, 1, 1, 0, 0, 1])),
    "multiclass_classification_metric": (np.array([0, 1, 2, 2, 1, 0, 2, 1, 0, 0, 2, 1]),
                                         np.array([0, 2, 2, 1, 1, 0, 2, 1, 0, 1, 2, 0])),
    "binary_continuous_classification_metric": ((_P > 0.5).astype(int) ^ (np.arange(12) % 5 == 0), _P),
    "multiclass_continuous_classification_metric": (np.argmax(_PM, axis=1) ^ (np.arange(12) % 7 == 0), _PM),
    "regression_metric": (_RNG.uniform(0.5, 3.0, 12), _RNG.uniform(0.5, 3.0, 12)),
    "metric_pairwise": (_RNG.uniform(0.1, 1.0, (5, 3)), _RNG.uniform(0.1, 1.0, (4, 3))),
}
_DATA["binary_continuous_classification_metric"] = (
    _DATA["binary_continuous_classification_metric"][0].astype(int), _P)
_DATA["multiclass_continuous_classification_metric"] = (
    _DATA["multiclass_continuous_classification_metric"][0] % 3, _PM)


def _kind(metric):
    names = [c.__name__.replace("check_array_api_", "")
             for c in tc.array_api_metric_checkers[metric]]
    for k in _DATA:
        if k in names:
            return k
    raise AssertionError(names)  # pragma: no cover


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("metric", METRICS)
def test_metric_outputs(metric, dtype, dispatch, verified):
    verified(_public(metric))
    kind = _kind(metric)
    a, b = (v.astype(dtype) if v.dtype.kind == "f" else v for v in _DATA[kind])
    kwargs = {"beta": 0.5} if _name(metric) == "fbeta_score" else {}
    if kind == "metric_pairwise" and _name(metric).startswith("paired_"):
        b = b[:1].repeat(a.shape[0], axis=0) + a[::-1] * 0.5
    out_np = metric(a, b, **kwargs)
    out_mt = metric(mt.asarray(a), mt.asarray(b), **kwargs)
    if _name(metric) in _CDIST_FOR_NUMPY:
        out_np = out_np.astype(dtype)
    assert_same_result(out_mt, out_np, rtol=2e-5 if dtype == "float32" else 1e-10,
                       atol=1e-6 if dtype == "float32" else 1e-12)


# ------------------------------------------------------- mixed namespaces
@pytest.mark.parametrize("direction", ["numpy-to-minitensor", "minitensor-to-numpy"])
@pytest.mark.parametrize("name", sorted(tc.METRICS_SUPPORTING_MIXED_NAMESPACE))
def test_mixed_namespace_metric(name, direction, dispatch, verified):
    """y_true / sample_weight from one namespace, y_pred from the other: the result
    follows y_pred (scikit-learn's own check)."""
    verified(_public(tc.ALL_METRICS[name]))
    from sklearn.utils._array_api import NamespaceAndDevice
    m, n = NamespaceAndDevice("minitensor", None), NamespaceAndDevice("numpy", None)
    other, y_pred = (n, m) if direction == "numpy-to-minitensor" else (m, n)
    tc.test_mixed_array_api_namespace_input_compliance(name, other, y_pred)


# ------------------------------------- other functions scikit-learn tests this way
def _tools():
    from sklearn import metrics
    from sklearn.metrics.cluster import entropy
    from sklearn.preprocessing import label_binarize
    from sklearn.utils.multiclass import is_multilabel, type_of_target, unique_labels

    rng = np.random.default_rng(1)
    X = rng.uniform(0.1, 1.0, (9, 3))
    Y = rng.uniform(0.1, 1.0, (4, 3))
    labels = np.array([0, 2, 1, 1, 0, 2, 2, 1, 0])
    calls = [
        ("sklearn.metrics.calinski_harabasz_score", metrics.calinski_harabasz_score,
         (X, labels), {}),
        ("sklearn.metrics.davies_bouldin_score", metrics.davies_bouldin_score, (X, labels), {}),
        ("sklearn.metrics.cluster.entropy", entropy, (labels,), {}),
        ("sklearn.preprocessing.label_binarize", label_binarize, (labels,),
         {"classes": [0, 1, 2]}),
        ("sklearn.utils.multiclass.unique_labels", unique_labels, (labels, labels[::-1]), {}),
        ("sklearn.utils.multiclass.is_multilabel", is_multilabel,
         (np.array([[1, 0], [0, 1]]),), {}),
        ("sklearn.utils.multiclass.type_of_target", type_of_target, (labels,), {}),
    ]
    for metric in ("cosine", "euclidean", "manhattan"):
        calls.append(("sklearn.metrics.pairwise_distances", metrics.pairwise_distances,
                      (X, Y), {"metric": metric}))
    for kernel in ("rbf", "sigmoid", "polynomial", "linear", "laplacian", "chi2",
                   "additive_chi2"):
        calls.append(("sklearn.metrics.pairwise_kernels",
                      metrics.pairwise.pairwise_kernels, (X, Y), {"metric": kernel}))
    return calls


@pytest.mark.parametrize("name, func, args, kwargs", _tools(),
                         ids=lambda v: v if isinstance(v, str) else
                         (v.get("metric", "") if isinstance(v, dict) else ""))
def test_tools(name, func, args, kwargs, dispatch, verified):
    verified(name)
    out_np = func(*args, **kwargs)
    out_mt = func(*(mt.asarray(a) for a in args), **kwargs)
    if kwargs.get("metric") in ("manhattan", "laplacian"):
        # scipy.spatial.distance.cdist (float64) for NumPy; see _CDIST_FOR_NUMPY
        out_np = out_np.astype(args[0].dtype)
    assert_same_result(out_mt, out_np, rtol=1e-10, atol=1e-12)


def test_label_binarizer(dispatch, verified):
    verified("sklearn.preprocessing.LabelBinarizer")
    from sklearn.preprocessing import LabelBinarizer
    y = np.array([3, 1, 3, 7, 1, 1])
    lb_np, lb_mt = LabelBinarizer().fit(y), LabelBinarizer().fit(mt.asarray(y))
    assert_same_result(lb_mt.transform(mt.asarray(y)), lb_np.transform(y), 0)
    Y = lb_np.transform(y)
    assert_same_result(lb_mt.inverse_transform(mt.asarray(Y)), lb_np.inverse_transform(Y), 0)
