"""Saving and resuming a training run: a small classifier trained with SGD
(momentum) and a MultiStepLR schedule; after epoch 2 of 5 a checkpoint dict
``{'epoch', 'model_state_dict', 'optimizer_state_dict', 'scheduler_state_dict',
'loss'}`` goes through ``torch.save`` into a temporary directory. A fresh model
and optimizer then ``torch.load`` it, ``load_state_dict`` both, and finish the
run; the resumed losses must equal the uninterrupted run's. The batches are
shuffled by a ``torch.Generator`` seeded per epoch, so both runs see the same
order."""
import os
import tempfile

import torch
import torch.nn as nn
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset

EPOCHS = 5
SAVE_AFTER = 2


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(10, 32), nn.Tanh(), nn.Linear(32, 3))

    def forward(self, x):
        return self.net(x)


def make_data():
    g = torch.Generator().manual_seed(42)
    x = torch.randn(240, 10, generator=g)
    w = torch.randn(10, 3, generator=g)
    y = (x @ w).argmax(dim=1)
    return TensorDataset(x, y)


def build():
    model = Classifier()
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    scheduler = optim.lr_scheduler.MultiStepLR(optimizer, milestones=[3, 4], gamma=0.3)
    return model, optimizer, scheduler


def train_epochs(model, optimizer, scheduler, dataset, start, stop):
    criterion = nn.CrossEntropyLoss()
    losses = []
    for epoch in range(start, stop):
        model.train()
        g = torch.Generator()
        g.manual_seed(epoch)
        loader = DataLoader(dataset, batch_size=40, shuffle=True, generator=g)
        for inputs, targets in loader:
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        scheduler.step()
    return losses, loss


def main(seed=0):
    dataset = make_data()

    # the uninterrupted run
    torch.manual_seed(seed)
    model, optimizer, scheduler = build()
    initial_state = {k: v.clone() for k, v in model.state_dict().items()}
    full, _ = train_epochs(model, optimizer, scheduler, dataset, 0, EPOCHS)

    # the same run, interrupted after SAVE_AFTER epochs and resumed from disk
    model, optimizer, scheduler = build()
    model.load_state_dict(initial_state)
    first, loss = train_epochs(model, optimizer, scheduler, dataset, 0, SAVE_AFTER)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "checkpoint.pt")
        torch.save({
            'epoch': SAVE_AFTER,
            'model_state_dict': model.state_dict(),
            'optimizer_state_dict': optimizer.state_dict(),
            'scheduler_state_dict': scheduler.state_dict(),
            'loss': loss,
        }, path)
        del model, optimizer, scheduler

        model, optimizer, scheduler = build()
        checkpoint = torch.load(path, weights_only=True)
    model.load_state_dict(checkpoint['model_state_dict'])
    optimizer.load_state_dict(checkpoint['optimizer_state_dict'])
    scheduler.load_state_dict(checkpoint['scheduler_state_dict'])
    epoch = checkpoint['epoch']
    assert abs(checkpoint['loss'].item() - first[-1]) == 0.0
    rest, _ = train_epochs(model, optimizer, scheduler, dataset, epoch, EPOCHS)

    resumed = first + rest
    assert len(resumed) == len(full)
    mismatch = max(abs(a - b) for a, b in zip(full, resumed))
    assert mismatch <= 1e-6 * max(full), f"the resumed run differs by {mismatch}"
    assert abs(optimizer.param_groups[0]['lr'] - full_lr(EPOCHS)) < 1e-12
    return {"losses": full, "resume_mismatch": mismatch}


def full_lr(epochs):
    return 0.1 * 0.3 ** sum(epochs >= m for m in (3, 4))


if __name__ == "__main__":
    print(main())
