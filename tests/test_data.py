"""Tests of minitensor.utils.data: datasets, samplers, collation, DataLoader, random_split."""
from collections import namedtuple

import numpy as np
import pytest

import minitensor as xp
from minitensor.utils.data import (
    BatchSampler, ConcatDataset, DataLoader, Dataset, IterableDataset, RandomSampler,
    SequentialSampler, Subset, TensorDataset, default_collate, random_split,
)

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None


def _ds(n=10):
    x = xp.reshape(xp.arange(n * 3, dtype=xp.float32), (n, 3))
    y = xp.arange(n)
    return TensorDataset(x, y), x, y


class Pairs(Dataset):
    """A map-style dataset returning (tensor, int) pairs (generic collation path)."""

    def __init__(self, x, y):
        self.x, self.y = x, y

    def __len__(self):
        return self.x.shape[0]

    def __getitem__(self, i):
        return self.x[i], int(self.y[i])


def test_tensor_dataset():
    ds, x, y = _ds()
    assert len(ds) == 10
    a, b = ds[3]
    np.testing.assert_array_equal(a.numpy(), x.numpy()[3])
    assert int(b) == 3
    with pytest.raises(ValueError, match="Size mismatch"):
        TensorDataset(xp.ones((3, 2)), xp.ones(4))
    with pytest.raises(TypeError, match="not a Tensor"):
        TensorDataset(np.ones(3))
    with pytest.raises(ValueError, match="at least one tensor"):
        TensorDataset()
    with pytest.raises(ValueError, match="0-dimensional"):
        TensorDataset(xp.asarray(1.0))


@pytest.mark.parametrize("batch_size,drop_last", [(1, False), (3, False), (3, True), (10, True),
                                                  (16, False)])
def test_sequential_batches(batch_size, drop_last):
    ds, x, y = _ds()
    loader = DataLoader(ds, batch_size=batch_size, drop_last=drop_last)
    batches = list(loader)
    n_full, rest = divmod(10, batch_size)
    assert len(batches) == len(loader) == n_full + (rest > 0 and not drop_last)
    xs = np.concatenate([b[0].numpy() for b in batches]) if batches else np.zeros((0, 3))
    expected = 10 if not drop_last else n_full * batch_size
    np.testing.assert_array_equal(xs, x.numpy()[:expected])
    for bx, by in batches:
        assert bx.dtype == xp.float32 and by.dtype == xp.int64
        assert bx.shape[0] == by.shape[0] <= batch_size


def test_fast_path_equals_generic_collation():
    ds, x, y = _ds(11)
    fast = list(DataLoader(ds, batch_size=4, shuffle=True, generator=5))
    slow = list(DataLoader(ds, batch_size=4, shuffle=True, generator=5,
                           collate_fn=lambda b: default_collate(b)))
    assert isinstance(fast[0], list) and isinstance(slow[0], list)
    for f, s in zip(fast, slow):
        for a, b in zip(f, s):
            assert a.dtype == b.dtype and a.shape == b.shape
            np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_shuffle_is_a_permutation_and_reproducible():
    ds, x, y = _ds(50)
    loader = DataLoader(ds, batch_size=8, shuffle=True, generator=np.random.default_rng(0))
    e1 = np.concatenate([b[1].numpy() for b in loader])
    e2 = np.concatenate([b[1].numpy() for b in loader])
    assert sorted(e1) == list(range(50)) and sorted(e2) == list(range(50))
    assert not np.array_equal(e1, e2)                      # a new order every epoch
    again = DataLoader(ds, batch_size=8, shuffle=True, generator=np.random.default_rng(0))
    np.testing.assert_array_equal(np.concatenate([b[1].numpy() for b in again]), e1)
    # the global generator: manual_seed makes runs repeatable
    orders = []
    for _ in range(2):
        xp.manual_seed(123)
        loader = DataLoader(ds, batch_size=50, shuffle=True)
        orders.append(next(iter(loader))[1].numpy())
    np.testing.assert_array_equal(*orders)
    assert not np.array_equal(orders[0], np.arange(50))


def test_collate_types():
    Point = namedtuple("Point", "x y")
    batch = [{"img": np.ones((2, 2), np.float32) * i, "label": i, "w": 0.5 * i, "ok": i > 0,
              "name": f"s{i}", "pair": (xp.asarray([i, i]), [i])} for i in range(3)]
    out = default_collate(batch)
    assert out["img"].shape == (3, 2, 2) and out["img"].dtype == xp.float32
    assert out["label"].dtype == xp.int64 and out["label"].tolist() == [0, 1, 2]
    assert out["w"].dtype == xp.float64 and out["ok"].dtype == xp.bool
    assert out["name"] == ["s0", "s1", "s2"]
    assert isinstance(out["pair"], list) and out["pair"][0].shape == (3, 2)
    assert out["pair"][1][0].tolist() == [0, 1, 2]
    pts = default_collate([Point(1, 2.0), Point(3, 4.0)])
    assert isinstance(pts, Point) and pts.x.tolist() == [1, 3] and pts.y.dtype == xp.float64
    assert default_collate([np.float32(1), np.float32(2)]).dtype == xp.float32
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([[1, 2], [1]])
    with pytest.raises(ValueError, match="equal size"):
        default_collate([xp.ones(2), xp.ones(3)])
    with pytest.raises(TypeError, match="found object"):
        default_collate([object()])
    with pytest.raises(ValueError, match="non-empty"):
        default_collate([])


@pytest.mark.skipif(torch is None, reason="PyTorch is not installed")
def test_collate_matches_pytorch_structure():
    from torch.utils.data import default_collate as tcollate
    batch = [({"a": 1, "b": 2.5}, [3, 4], "s") for _ in range(2)]
    ours, theirs = default_collate(batch), tcollate(batch)
    assert type(ours) is type(theirs) and len(ours) == len(theirs)
    assert ours[0]["a"].tolist() == theirs[0]["a"].tolist()
    assert [t.tolist() for t in ours[1]] == [t.tolist() for t in theirs[1]]
    assert ours[2] == theirs[2]


def test_generic_dataset_and_custom_collate():
    _, x, y = _ds(7)
    loader = DataLoader(Pairs(x, y), batch_size=3, collate_fn=lambda b: len(b))
    assert list(loader) == [3, 3, 1]
    bx, by = next(iter(DataLoader(Pairs(x, y), batch_size=4)))
    assert bx.shape == (4, 3) and by.tolist() == [0, 1, 2, 3]


def test_batch_size_none_sampler_and_batch_sampler():
    ds, x, y = _ds(5)
    samples = list(DataLoader(ds, batch_size=None))
    assert len(samples) == 5 and isinstance(samples[0], tuple)
    order = [4, 0, 2]
    got = [int(b[1][0]) for b in DataLoader(ds, sampler=order)]
    assert got == order
    got = [b[1].tolist() for b in DataLoader(ds, batch_sampler=[[1, 2], [0]])]
    assert got == [[1, 2], [0]]
    assert list(BatchSampler(SequentialSampler(range(5)), 2, True)) == [[0, 1], [2, 3]]
    assert len(BatchSampler(range(5), 2, False)) == 3
    assert sorted(RandomSampler(range(6), generator=1)) == list(range(6))


def test_iterable_dataset():
    class Stream(IterableDataset):
        def __iter__(self):
            return iter([(float(i), i) for i in range(7)])

    batches = list(DataLoader(Stream(), batch_size=3))
    assert [b[1].tolist() for b in batches] == [[0, 1, 2], [3, 4, 5], [6]]
    assert len(list(DataLoader(Stream(), batch_size=3, drop_last=True))) == 2
    with pytest.raises(ValueError, match="shuffle"):
        DataLoader(Stream(), shuffle=True)


def test_subset_concat_and_add():
    s = Subset(list("abcdef"), [5, 1])
    assert len(s) == 2 and s[0] == "f" and s[[0, 1]] == ["f", "b"]

    class L(Dataset):
        def __init__(self, items):
            self.items = items

        def __len__(self):
            return len(self.items)

        def __getitem__(self, i):
            return self.items[i]

    c = L([1, 2]) + L([3])
    assert isinstance(c, ConcatDataset) and [c[i] for i in range(3)] == [1, 2, 3] and c[-3] == 1
    with pytest.raises(IndexError):
        c[3]
    with pytest.raises(ValueError, match="empty"):
        ConcatDataset([])


@pytest.mark.parametrize("lengths", [[7, 3], [0.7, 0.3], [0.34, 0.33, 0.33], [10, 0], [1.0]])
def test_random_split(lengths):
    parts = random_split(range(10), lengths, generator=np.random.default_rng(0))
    allidx = sorted(i for p in parts for i in p)
    assert allidx == list(range(10))
    if torch is not None:
        tparts = torch.utils.data.random_split(range(10), lengths)
        assert [len(p) for p in parts] == [len(p) for p in tparts]
    xp.manual_seed(3)
    a = [list(p) for p in random_split(range(10), lengths)]
    xp.manual_seed(3)
    b = [list(p) for p in random_split(range(10), lengths)]
    assert a == b


def test_random_split_errors():
    with pytest.raises(ValueError, match="does not equal the length"):
        random_split(range(10), [5, 4])
    with pytest.raises(ValueError, match="sum to 1"):
        random_split(range(10), [0.5, 0.4])
    with pytest.raises(ValueError, match="between 0 and 1"):
        random_split(range(10), [1.5, -0.5])
    with pytest.raises(ValueError, match=">= 0"):
        random_split(range(10), [11, -1])
    with pytest.raises(TypeError, match="generator"):
        random_split(range(10), [5, 5], generator="seed")


def test_dataloader_errors():
    ds, _, _ = _ds()
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        DataLoader(ds, batch_size=0)
    with pytest.raises(ValueError, match="mutually exclusive with shuffle"):
        DataLoader(ds, sampler=[0, 1], shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(ds, batch_sampler=[[0]], batch_size=2)
    with pytest.raises(ValueError, match="drop_last"):
        DataLoader(ds, batch_size=None, drop_last=True)
    with pytest.raises(ValueError, match="num_workers"):
        DataLoader(ds, num_workers=2)
    with pytest.raises(TypeError, match="generator"):
        DataLoader(ds, shuffle=True, generator=1.5)
    with pytest.raises(IndexError, match="out of range"):
        list(DataLoader(ds, sampler=[10]))
