"""A digit classifier in the shape of the classic MNIST convnet: two 3x3
convolutions, ``F.max_pool2d``, ``nn.Dropout2d`` on the feature maps, a hidden
fully connected layer with ``nn.Dropout``, ``F.log_softmax`` + ``F.nll_loss``,
``optim.Adadelta(lr=1.0)`` decayed per epoch by ``StepLR(gamma=0.7)``, separate
``train_epoch`` / ``evaluate`` functions taking a device (chosen through
``torch.accelerator``), and accuracy counted with ``argmax(keepdim=True)`` /
``eq(target.view_as(pred))``. The data are synthetic 28x28 "digits": ten random
blocky glyphs, shifted by up to two pixels, noised and normalised like MNIST."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, TensorDataset


class ConvNet(nn.Module):
    def __init__(self):
        super(ConvNet, self).__init__()
        self.c1 = nn.Conv2d(1, 6, 3, 1)
        self.c2 = nn.Conv2d(6, 12, 3, 1)
        self.map_drop = nn.Dropout2d(0.25)
        self.hidden = nn.Linear(12 * 12 * 12, 64)
        self.drop = nn.Dropout(0.5)
        self.logits = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.c1(x))
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        x = torch.flatten(self.map_drop(x), 1)
        x = self.drop(F.relu(self.hidden(x)))
        return F.log_softmax(self.logits(x), dim=1)


def glyph_digits(count, seed):
    glyphs = np.random.default_rng(1234).random((10, 7, 7)) > 0.6
    glyphs = np.kron(glyphs, np.ones((4, 4))).astype(np.float32)       # 28x28 each
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, size=count)
    images = np.empty((count, 1, 28, 28), dtype=np.float32)
    for img, digit in zip(images, labels):
        shift = tuple(rng.integers(-2, 3, size=2))
        noisy = np.roll(glyphs[digit], shift, axis=(0, 1)) + 0.2 * rng.standard_normal((28, 28))
        img[0] = np.clip(noisy, 0.0, 1.0)
    images = (images - 0.1307) / 0.3081
    return torch.from_numpy(images), torch.from_numpy(labels)


def train_epoch(model, device, loader, optimizer, epoch, history):
    model.train()
    for i, (images, target) in enumerate(loader):
        images, target = images.to(device), target.to(device)
        optimizer.zero_grad()
        loss = F.nll_loss(model(images), target)
        loss.backward()
        optimizer.step()
        history.append(loss.item())
        if __name__ == "__main__" and i % 8 == 0:
            print(f"epoch {epoch} batch {i}/{len(loader)} loss {loss.item():.4f}")


def evaluate(model, device, loader):
    model.eval()
    total_loss, hits = 0.0, 0
    with torch.no_grad():
        for images, target in loader:
            images, target = images.to(device), target.to(device)
            out = model(images)
            total_loss += F.nll_loss(out, target, reduction='sum').item()
            pred = out.argmax(dim=1, keepdim=True)
            hits += pred.eq(target.view_as(pred)).sum().item()
    n = len(loader.dataset)
    return total_loss / n, hits / n


def main(seed=0, epochs=4):
    torch.manual_seed(seed)
    if torch.accelerator.is_available():
        device = torch.accelerator.current_accelerator()
    else:
        device = torch.device("cpu")
    train_loader = DataLoader(TensorDataset(*glyph_digits(256, seed=0)),
                              batch_size=16, shuffle=True)
    test_loader = DataLoader(TensorDataset(*glyph_digits(100, seed=1)), batch_size=100)

    model = ConvNet().to(device)
    optimizer = optim.Adadelta(model.parameters(), lr=1.0)
    scheduler = StepLR(optimizer, step_size=1, gamma=0.7)
    history = []
    for epoch in range(1, epochs + 1):
        train_epoch(model, device, train_loader, optimizer, epoch, history)
        test_loss, accuracy = evaluate(model, device, test_loader)
        scheduler.step()
    assert abs(scheduler.get_last_lr()[0] - 0.7 ** epochs) < 1e-12
    return {"losses": history, "test_loss": test_loss, "accuracy": accuracy}


if __name__ == "__main__":
    print(main())
