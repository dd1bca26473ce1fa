"""A small residual network in the CIFAR-script style: residual units of
(3x3 conv, BatchNorm2d, ReLU, 3x3 conv, BatchNorm2d) added in place to an
identity or a strided 1x1-conv + BatchNorm projection, a stem, global
``F.avg_pool2d`` and ``out.view(out.size(0), -1)`` into a linear layer; SGD
(momentum, nesterov, weight decay) under ``OneCycleLR``, label smoothing, the
``'cuda' if torch.cuda.is_available() else 'cpu'`` device string,
``model.train()`` / ``model.eval()``, and accuracy from ``outputs.max(1)`` /
``torch.max(outputs, 1)`` with ``predicted.eq(targets).sum().item()``. Data:
3x8x8 noise images whose class is the channel holding a bright square."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset

device = 'cuda' if torch.cuda.is_available() else 'cpu'


class ResidualUnit(nn.Module):
    def __init__(self, c_in, c_out, stride=1):
        super().__init__()
        self.conv_a = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
        self.norm_a = nn.BatchNorm2d(c_out)
        self.conv_b = nn.Conv2d(c_out, c_out, 3, stride=1, padding=1, bias=False)
        self.norm_b = nn.BatchNorm2d(c_out)
        if stride == 1 and c_in == c_out:
            self.skip = nn.Sequential()
        else:
            self.skip = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False),
                                      nn.BatchNorm2d(c_out))

    def forward(self, x):
        y = F.relu(self.norm_a(self.conv_a(x)))
        y = self.norm_b(self.conv_b(y))
        y += self.skip(x)
        return F.relu(y)


class SmallResNet(nn.Module):
    def __init__(self, classes=3):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8),
                                  nn.ReLU())
        self.stage1 = ResidualUnit(8, 8)
        self.stage2 = ResidualUnit(8, 16, stride=2)
        self.fc = nn.Linear(16, classes)

    def forward(self, x):
        out = self.stage2(self.stage1(self.stem(x)))
        out = F.avg_pool2d(out, 4)
        out = out.view(out.size(0), -1)
        return self.fc(out)


def square_images(count, seed):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, size=count)
    images = 0.5 * rng.standard_normal((count, 3, 8, 8)).astype(np.float32)
    for img, channel in zip(images, labels):
        r, c = rng.integers(0, 6, size=2)
        img[channel, r:r + 3, c:c + 3] += 1.5
    return TensorDataset(torch.from_numpy(images), torch.from_numpy(labels))


def main(seed=0, epochs=3):
    torch.manual_seed(seed)
    trainloader = DataLoader(square_images(256, 0), batch_size=32, shuffle=True)
    testloader = DataLoader(square_images(100, 1), batch_size=50, shuffle=False)
    net = SmallResNet().to(device)
    criterion = nn.CrossEntropyLoss(label_smoothing=0.05)
    optimizer = optim.SGD(net.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4,
                          nesterov=True)
    scheduler = optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, epochs=epochs,
                                              steps_per_epoch=len(trainloader))
    history = []
    for epoch in range(epochs):
        net.train()
        correct = total = 0
        for inputs, targets in trainloader:
            inputs, targets = inputs.to(device), targets.to(device)
            optimizer.zero_grad()
            outputs = net(inputs)
            loss = criterion(outputs, targets)
            loss.backward()
            optimizer.step()
            scheduler.step()
            history.append(loss.item())
            _, predicted = outputs.max(1)
            total += targets.size(0)
            correct += predicted.eq(targets).sum().item()
        if __name__ == "__main__":
            print(f"epoch {epoch}: train accuracy {correct / total:.3f}")

    net.eval()
    test_loss, correct, total = 0.0, 0, 0
    with torch.no_grad():
        for inputs, targets in testloader:
            inputs, targets = inputs.to(device), targets.to(device)
            outputs = net(inputs)
            test_loss += criterion(outputs, targets).item() * targets.size(0)
            _, predicted = torch.max(outputs, 1)
            total += targets.size(0)
            correct += predicted.eq(targets).sum().item()
    return {"losses": history, "test_loss": test_loss / total, "accuracy": correct / total}


if __name__ == "__main__":
    print(main())
