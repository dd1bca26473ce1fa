"""sin(x) on [-pi, pi] fitted by a cubic whose four coefficients are bare
tensors with ``requires_grad=True`` (no nn, no optim): the sum of squared errors
is back-propagated and each coefficient is stepped by hand inside
``with torch.no_grad(): w -= lr * w.grad``, then ``w.grad.zero_()``."""
import math

import torch


def main(seed=0, steps=1000, lr=2e-6):
    torch.manual_seed(seed)
    device = torch.device("cpu")
    xs = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=torch.float)
    ys = torch.sin(xs)

    coeffs = [torch.randn((), device=device, dtype=torch.float, requires_grad=True)
              for _ in range(4)]
    history = []
    for it in range(steps):
        c0, c1, c2, c3 = coeffs
        approx = c0 + c1 * xs + c2 * xs ** 2 + c3 * xs ** 3
        sse = (approx - ys).pow(2).sum()
        history.append(sse.item())
        sse.backward()
        with torch.no_grad():
            for w in coeffs:
                w -= lr * w.grad
            for w in coeffs:
                w.grad.zero_()
        if __name__ == "__main__" and (it + 1) % 250 == 0:
            print(f"iteration {it + 1}: sum of squared errors {sse.item():.3f}")
    assert all(w.is_leaf and w.requires_grad and w.grad is not None for w in coeffs)
    poly = " + ".join(f"{w.item():.4f} x^{k}" for k, w in enumerate(coeffs))
    return {"losses": history, "poly": poly}


if __name__ == "__main__":
    print(main())
