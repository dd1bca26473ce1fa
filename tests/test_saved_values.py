"""What a graph node keeps (issue 12, part 4): only the values its gradient rule
reads, as PyTorch's saved variables; the rest is freed when the caller drops it."""
import gc
import weakref

import numpy as np
import pytest

import minitensor as xp
import minitensor.autograd  # noqa: F401
from minitensor.autograd._engine import RULES


@pytest.mark.parametrize("name, inputs, outputs", [
    ("add", False, False), ("subtract", False, False), ("sum", False, False),
    ("reshape", False, False), ("mean", False, False),
    ("multiply", True, False), ("divide", True, False), ("matmul", True, False),
    ("tanh", True, True),
])
def test_what_a_rule_keeps(name, inputs, outputs):
    r = RULES[name]
    assert (r.keeps_inputs, r.keeps_outputs) == (inputs, outputs)


def _alive_after_del(make):
    x = xp.tensor(np.linspace(-1.0, 1.0, 1000), requires_grad=True)
    y, keep = make(x)
    ref = weakref.ref(y._array)
    del y
    gc.collect()
    return ref() is not None, x, keep


def test_an_addition_result_is_freed_when_dropped():
    # sum and add read no tensor: the intermediate's buffer goes with the caller's name
    alive, x, loss = _alive_after_del(lambda x: (lambda b: (b, xp.sum(b)))(x * 2.0 + 1.0))
    assert not alive
    loss.backward()
    np.testing.assert_array_equal(x.grad._array, np.full(1000, 2.0))


def test_a_value_the_rule_reads_is_kept():
    # exp's rule reads its result and multiply its operands: the buffer stays
    alive, x, loss = _alive_after_del(lambda x: (lambda e: (e, xp.sum(e * e)))(xp.exp(x)))
    assert alive
    loss.backward()
    xa = np.linspace(-1.0, 1.0, 1000)
    np.testing.assert_allclose(x.grad._array, 2 * np.exp(2 * xa), rtol=1e-12)


def test_released_nodes_still_differentiate_twice():
    x = xp.tensor([0.5, -1.5, 2.0], requires_grad=True)
    y = xp.sum(xp.reshape(x * x + x, (3, 1)))
    (g,) = minitensor.autograd.grad(y, [x], create_graph=True)
    np.testing.assert_allclose(g._array, 2 * x._array + 1)
    (h,) = minitensor.autograd.grad(xp.sum(g), [x])
    np.testing.assert_allclose(h._array, [2.0, 2.0, 2.0])
