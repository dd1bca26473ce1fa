"""Binary logistic regression: a module wrapping one ``nn.Linear`` with
``torch.sigmoid`` in ``forward``, ``nn.BCELoss``, plain SGD over mini-batches
indexed by a fresh ``torch.randperm`` each epoch; the features are two
standardised Gaussian blobs made with NumPy and brought in with
``torch.from_numpy(...).float()``; accuracy by rounding the probabilities and
comparing with ``Tensor.eq``."""
import numpy as np
import torch
import torch.nn as nn


class Logistic(nn.Module):
    def __init__(self, n_features):
        super().__init__()
        self.linear = nn.Linear(n_features, 1)

    def forward(self, x):
        return torch.sigmoid(self.linear(x))


def two_blobs(per_class=100, seed=0):
    rng = np.random.RandomState(seed)
    neg = rng.randn(per_class, 2) + np.array([-1.5, 1.0])
    pos = rng.randn(per_class, 2) + np.array([1.5, -0.5])
    return np.vstack([neg, pos]), np.repeat([0.0, 1.0], per_class)


def main(seed=0, epochs=25, lr=0.1, batch=50):
    torch.manual_seed(seed)
    feats, labels = two_blobs()
    feats = (feats - feats.mean(axis=0)) / feats.std(axis=0)
    X = torch.from_numpy(feats).float()
    y = torch.from_numpy(labels).float().view(-1, 1)
    n_samples, n_features = X.shape

    model = Logistic(n_features)
    criterion = nn.BCELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history = []
    for epoch in range(epochs):
        order = torch.randperm(X.size()[0])
        for start in range(0, X.size()[0], batch):
            idx = order[start:start + batch]
            loss = criterion(model(X[idx]), y[idx])
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            history.append(loss.item())
        if __name__ == "__main__" and (epoch + 1) % 5 == 0:
            print(f"epoch {epoch + 1}: loss {loss.item():.4f}")

    with torch.no_grad():
        hard = model(X).round()
        accuracy = hard.eq(y).sum() / float(n_samples)
    assert model.linear.weight.shape == (1, n_features) and model.linear.bias.shape == (1,)
    return {"losses": history, "accuracy": accuracy.item()}


if __name__ == "__main__":
    print(main())
