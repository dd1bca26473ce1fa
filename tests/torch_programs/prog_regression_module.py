"""Cubic regression with a single ``nn.Linear`` over polynomial features: fresh
noisy batches from ``torch.randn`` every step, the target applied with
``Tensor.mm``, features stacked with ``torch.cat``, and a hand-written update,
``param.data.add_(-lr * param.grad)`` after ``layer.zero_grad()`` (no optimizer)."""
import torch
import torch.nn.functional as F

DEGREE = 3
TRUE_COEFFS = torch.tensor([[0.7], [-0.2], [-0.9]])   # for t, t^2, t^3
TRUE_OFFSET = torch.tensor([0.3])


def powers(t):
    """(n,) -> (n, DEGREE): the columns t, t**2, ..., t**DEGREE."""
    col = t.unsqueeze(1)
    return torch.cat([col ** k for k in range(1, DEGREE + 1)], 1)


def describe(coeffs, offset):
    terms = " ".join("{:+.2f}*t^{}".format(float(c), k) for k, c in enumerate(coeffs, 1))
    return "{} {:+.2f}".format(terms, float(offset[0]))


def sample(n):
    feats = powers(torch.randn(n))
    target = feats.mm(TRUE_COEFFS) + TRUE_OFFSET.item() + 0.1 * torch.randn(n, 1)
    return feats, target


def main(seed=0, steps=200, batch=32, lr=0.05):
    torch.manual_seed(seed)
    layer = torch.nn.Linear(TRUE_COEFFS.size(0), 1)
    history = []
    for step in range(steps):
        feats, target = sample(batch)
        layer.zero_grad()
        err = F.smooth_l1_loss(layer(feats), target)
        err.backward()
        for param in layer.parameters():
            param.data.add_(-lr * param.grad)
        history.append(err.item())

    fitted = describe(layer.weight.detach().view(-1), layer.bias.detach())
    truth = describe(TRUE_COEFFS.view(-1), TRUE_OFFSET)
    if __name__ == "__main__":
        print(f"after {steps} batches: loss {history[-1]:.5f}")
        print("fitted:", fitted)
        print("truth: ", truth)
    return {"losses": history, "fitted": fitted, "truth": truth}


if __name__ == "__main__":
    print(main())
