"""End-to-end training against PyTorch: an MLP and a CNN (conv + max pool +
batchnorm + linear) trained for 20 steps in float64 from the same weights and
batches, with cross-entropy and SGD (momentum, nesterov, weight decay) or Adam
/ AdamW, track PyTorch's loss at every step to 1e-4 relative, and end with the
same parameters, optimizer state and BatchNorm running statistics."""
import numpy as np
import pytest

import minitensor as xp
from minitensor import nn, optim

torch = pytest.importorskip("torch")

STEPS = 20
REL = 1e-4


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """These models are tiny: on a busy 2-core machine PyTorch's intra-op threads
    only wait for each other (10x slower); one thread keeps the file fast."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def _mlp(lib):
    return lib.Sequential(lib.Linear(20, 32), lib.ReLU(), lib.Linear(32, 16), lib.Tanh(),
                          lib.Linear(16, 5))


def _cnn(lib):
    return lib.Sequential(
        lib.Conv2d(1, 4, 3, padding=1), lib.BatchNorm2d(4), lib.ReLU(), lib.MaxPool2d(2),
        lib.Conv2d(4, 6, 3, stride=1, padding="same"), lib.ReLU(), lib.AvgPool2d(2),
        lib.Flatten(), lib.Dropout(0.0), lib.Linear(6 * 2 * 2, 16), lib.BatchNorm1d(16),
        lib.GELU(), lib.Linear(16, 5))


def _data(kind, rng):
    n = 24
    x = rng.standard_normal((STEPS, n, 20) if kind == "mlp" else (STEPS, n, 1, 8, 8))
    teacher = rng.standard_normal((x[0, 0].size, 5))
    y = np.argmax(x.reshape(STEPS, n, -1) @ teacher, axis=-1)   # learnable labels
    return x, y


OPTIMIZERS = {
    "sgd-momentum": ("SGD", dict(lr=0.05, momentum=0.9)),
    "sgd-nesterov-wd": ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3)),
    "adam": ("Adam", dict(lr=3e-3)),
    "adamw-amsgrad": ("AdamW", dict(lr=3e-3, weight_decay=0.05, amsgrad=True)),
}


def _train(lib, model, opt, loss_fn, x, y, to_tensor, sched=None):
    losses = []
    model.train()
    for i in range(len(x)):
        opt.zero_grad()
        loss = loss_fn(model(to_tensor(x[i])), to_tensor(y[i]))
        loss.backward()
        opt.step()
        if sched is not None:
            sched.step()
        losses.append(loss.item())
    return np.array(losses)


@pytest.mark.parametrize("opt_id", sorted(OPTIMIZERS))
@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_training_tracks_pytorch(kind, opt_id):
    make = _mlp if kind == "mlp" else _cnn
    torch.manual_seed(0)
    tm = make(torch.nn).double()
    mm = make(nn).to(xp.float64)
    mm.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    x, y = _data(kind, np.random.default_rng(1))

    opt_name, kw = OPTIMIZERS[opt_id]
    t_opt = getattr(torch.optim, opt_name)(tm.parameters(), **kw)
    m_opt = getattr(optim, opt_name)(mm.parameters(), **kw)
    t_sched = torch.optim.lr_scheduler.StepLR(t_opt, step_size=7, gamma=0.5)
    m_sched = optim.lr_scheduler.StepLR(m_opt, step_size=7, gamma=0.5)
    label_smoothing = 0.1 if kind == "cnn" else 0.0
    t_losses = _train(torch, tm, t_opt, torch.nn.CrossEntropyLoss(label_smoothing=label_smoothing),
                      x, y, torch.from_numpy, t_sched)
    m_losses = _train(xp, mm, m_opt, nn.CrossEntropyLoss(label_smoothing=label_smoothing),
                      x, y, xp.asarray, m_sched)

    rel = np.abs(m_losses - t_losses) / np.abs(t_losses)
    assert rel.max() < REL, (rel.max(), m_losses, t_losses)
    assert t_losses[-1] < t_losses[0]      # the run actually trains
    # parameters, running statistics and optimizer state agree at the end
    tsd = tm.state_dict()
    for k, v in mm.state_dict().items():
        np.testing.assert_allclose(v._array, tsd[k].numpy(), rtol=1e-6, atol=1e-8, err_msg=k)
    t_state = t_opt.state_dict()["state"]
    m_state = m_opt.state_dict()["state"]
    assert sorted(m_state) == sorted(t_state)
    for i, st in m_state.items():
        for name, val in st.items():
            ref = t_state[i][name]
            ref = ref.numpy() if hasattr(ref, "numpy") else ref
            got = val._array if hasattr(val, "_array") else val
            np.testing.assert_allclose(got, ref, rtol=1e-6, atol=1e-9, err_msg=f"{i}.{name}")


def test_eval_mode_after_training_matches_pytorch():
    """BatchNorm and Dropout switch to evaluation behaviour identically."""
    torch.manual_seed(0)
    tm = _cnn(torch.nn).double()
    mm = _cnn(nn).to(xp.float64)
    mm.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    x, y = _data("cnn", np.random.default_rng(2))
    t_opt = torch.optim.SGD(tm.parameters(), lr=0.05, momentum=0.9)
    m_opt = optim.SGD(mm.parameters(), lr=0.05, momentum=0.9)
    _train(torch, tm, t_opt, torch.nn.CrossEntropyLoss(), x[:5], y[:5], torch.from_numpy)
    _train(xp, mm, m_opt, nn.CrossEntropyLoss(), x[:5], y[:5], xp.asarray)
    tm.eval()
    mm.eval()
    with torch.no_grad():
        ref = tm(torch.from_numpy(x[-1])).numpy()
    with xp.no_grad():
        got = mm(xp.asarray(x[-1]))._array
    np.testing.assert_allclose(got, ref, rtol=1e-6, atol=1e-9)
