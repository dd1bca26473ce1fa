"""The gradient rules' calling convention (``minitensor/autograd/_rules``):
rules receive the recorded call's arguments by parameter name, bound when
backward runs the node (not when the call is recorded)."""
import inspect

import numpy as np
import pytest

import minitensor as xp
from minitensor.autograd import _rules
from minitensor.autograd._engine import RULES
from minitensor.autograd._rules import rule


def leaf(a):
    return xp.tensor(np.asarray(a, dtype=float), requires_grad=True)


def test_every_rule_is_a_binder_of_a_by_name_rule():
    for name, r in RULES.items():
        fn = r.__wrapped__
        params = list(inspect.signature(fn).parameters.values())
        assert params[0].name == "ctx", name
        for p in params[1:]:
            # gradients positional; the call's arguments keyword-only, by name
            assert p.kind in (p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL, p.KEYWORD_ONLY), name


def test_unknown_parameter_fails_at_registration():
    with pytest.raises(TypeError, match="'axes' is not a parameter of sum"):
        @rule("sum")
        def bad(ctx, g, *, axes):  # sum's parameter is axis
            return g
    assert RULES["sum"].__wrapped__.__name__ == "sum_vjp"  # not replaced
    with pytest.raises(TypeError, match="index argument"):
        rule("take", index_args=("idx",))(lambda ctx, g, *, x_shape: g)


def test_arguments_by_name_positional_keyword_and_default():
    seen = []

    def probe(ctx, g, *, x, x_shape, n, axis, prepend, append_shape, needs):
        seen.append((x.shape, x_shape, n, axis, prepend is None, append_shape, sorted(needs)))
        return {"x": xp.zeros(x_shape)}

    saved = RULES["diff"]
    try:
        rule("diff")(probe)
        x = leaf(np.arange(12.0).reshape(3, 4))
        xp.sum(xp.diff(x, 1, 0)).backward()           # n, axis positionally
        xp.sum(xp.diff(x, axis=0, n=2)).backward()    # by keyword
        xp.sum(xp.diff(x, append=xp.zeros((3, 1)))).backward()   # defaults
    finally:
        RULES["diff"] = saved
    assert seen == [((3, 4), (3, 4), 1, 0, True, None, ["x"]),
                    ((3, 4), (3, 4), 2, 0, True, None, ["x"]),
                    ((3, 4), (3, 4), 1, -1, True, (3, 1), ["x"])]


def test_gradients_by_name_for_lists_and_scalars():
    a, b = leaf([1.0, 2.0]), leaf([3.0])
    c = xp.asarray([5.0])  # a plain tensor in the list: no gradient
    xp.sum(xp.concat([a, c, b]) * xp.asarray([1.0, 2.0, 3.0, 4.0])).backward()
    np.testing.assert_array_equal(a.grad.numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(b.grad.numpy(), [4.0])
    x = leaf([1.0, -2.0, 3.0])
    xp.sum(xp.clip(x, 0.0, 2.0) + xp.clip(x, min=0.0, max=2.0)).backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 0.0, 0.0])


def test_shape_parameters_do_not_read_the_saved_input():
    # sum reads x_shape only: writing into x after the call does not invalidate it
    x = leaf([1.0, 2.0])
    y = xp.sum(x)
    with xp.no_grad():
        x += 1.0
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0])
    # sin reads x: the same write makes backward raise
    x = leaf([1.0, 2.0])
    y = xp.sum(xp.sin(x))
    with xp.no_grad():
        x += 1.0
    with pytest.raises(RuntimeError, match="modified by an in-?place operation"):
        y.backward()


def test_index_arguments_are_version_checked():
    x = leaf([1.0, 2.0, 3.0])
    i = xp.asarray([0, 2])
    y = xp.sum(xp.take(x, i))
    i[0] = 1
    with pytest.raises(RuntimeError, match="index tensor or mask"):
        y.backward()


def test_modules_follow_the_namespace():
    names = {m: {n for n, r in RULES.items() if r.__wrapped__.__module__ == m}
             for m in {r.__wrapped__.__module__ for r in RULES.values()}}
    pkg = _rules.__name__
    assert {"sum", "cumulative_prod"} <= names[f"{pkg}.statistical"]
    assert {"__getitem__", "take", "take_along_axis"} <= names[f"{pkg}.indexing"]
    assert {"matmul", "tensordot", "vecdot"} <= names[f"{pkg}.linear_algebra"]
    assert all(n.startswith("linalg.") for n in names[f"{pkg}.linalg"])
    assert all(n.startswith("fft.") for n in names[f"{pkg}.fft"])


def test_rules_read_no_saved_value_they_do_not_name():
    # meshgrid and diff read shapes only: a write into an input after the call
    # does not invalidate their gradients
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0, 5.0])
    u, v = xp.meshgrid(a, b)
    p = leaf([[0.0], [1.0]])
    d = xp.diff(leaf(np.ones((2, 3))), prepend=p)
    with xp.no_grad():
        a += 1.0
        p += 1.0
    xp.sum(u + 2 * v).backward()
    np.testing.assert_array_equal(a.grad.numpy(), [3.0, 3.0])
    np.testing.assert_array_equal(b.grad.numpy(), [4.0, 4.0, 4.0])
    xp.sum(d).backward()
    np.testing.assert_array_equal(p.grad.numpy(), [[-1.0], [-1.0]])
