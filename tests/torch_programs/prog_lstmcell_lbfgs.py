"""Next-value prediction on shifted sine waves with two stacked
``nn.LSTMCell``s stepped through time by hand in float64 (``model.double()``),
optimised by ``optim.LBFGS`` with a ``closure`` and the strong-Wolfe line
search; after training, the model runs on its own outputs to extrapolate a
few steps past the end (the classic "time sequence prediction" setting)."""
import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

UNITS = 12


class StackedCells(nn.Module):
    def __init__(self):
        super().__init__()
        self.lower = nn.LSTMCell(1, UNITS)
        self.upper = nn.LSTMCell(UNITS, UNITS)
        self.readout = nn.Linear(UNITS, 1)

    def step(self, value, states):
        (h1, c1), (h2, c2) = states
        h1, c1 = self.lower(value, (h1, c1))
        h2, c2 = self.upper(h1, (h2, c2))
        return self.readout(h2), ((h1, c1), (h2, c2))

    def forward(self, series, extra=0):
        n = series.size(0)
        blank = torch.zeros(n, UNITS, dtype=torch.double)
        states = ((blank, blank), (blank, blank))
        preds = []
        for column in series.split(1, dim=1):          # one time step: (n, 1)
            guess, states = self.step(column, states)
            preds.append(guess)
        for _ in range(extra):                          # feed back its own guesses
            guess, states = self.step(guess, states)
            preds.append(guess)
        return torch.cat(preds, dim=1)


def sine_waves(count=12, length=25, period=20, seed=2):
    rng = np.random.RandomState(seed)
    starts = rng.randint(-4 * period, 4 * period, count).reshape(count, 1)
    return np.sin((np.arange(length) + starts) / period).astype('float64')


def main(seed=0, steps=5, extra=10):
    np.random.seed(0)
    torch.manual_seed(seed)
    waves = torch.from_numpy(sine_waves())
    train_in, train_out = waves[3:, :-1], waves[3:, 1:]
    test_in, test_out = waves[:3, :-1], waves[:3, 1:]

    model = StackedCells()
    model.double()
    mse = nn.MSELoss()
    opt = optim.LBFGS(model.parameters(), lr=1, max_iter=5, line_search_fn="strong_wolfe")
    history = []
    for it in range(steps):
        def closure():
            opt.zero_grad()
            err = mse(model(train_in), train_out)
            err.backward()
            return err
        err = opt.step(closure)          # the loss at the start of this step
        history.append(err.item())
        if __name__ == "__main__":
            print(f"LBFGS step {it}: loss {err.item():.6f}")
    with torch.no_grad():
        history.append(mse(model(train_in), train_out).item())
        forecast = model(test_in, extra=extra)
        test_loss = mse(forecast[:, :-extra], test_out).item()
        curve = forecast.detach().cpu().numpy()
    assert curve.shape == (3, test_in.size(1) + extra)
    return {"losses": history, "test_loss": test_loss}


if __name__ == "__main__":
    print(main())
