"""A two-layer bidirectional ``nn.LSTM`` (batch_first) classifying noisy
sequences as falling, flat or rising: explicit zero initial states built with
``torch.zeros(2 * layers, x.size(0), hidden).to(device)``, a linear layer on
the last time step ``out[:, -1, :]``, Adam, accuracy via ``torch.max(.., 1)``,
and the customary ``set_seed`` helper (random, NumPy, torch, cuda, cudnn flags)."""
import random

import numpy as np
import torch
import torch.nn as nn

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

STEPS_PER_SEQ = 12
FEATURES = 3
HIDDEN = 16
LAYERS = 2
CLASSES = 3


def set_seed(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False


class TrendNet(nn.Module):
    def __init__(self):
        super(TrendNet, self).__init__()
        self.rnn = nn.LSTM(FEATURES, HIDDEN, LAYERS, batch_first=True, bidirectional=True)
        self.classify = nn.Linear(2 * HIDDEN, CLASSES)     # both directions concatenated

    def forward(self, x):
        h0 = torch.zeros(LAYERS * 2, x.size(0), HIDDEN).to(device)
        c0 = torch.zeros(LAYERS * 2, x.size(0), HIDDEN).to(device)
        out, _ = self.rnn(x, (h0, c0))                     # (batch, time, 2 * HIDDEN)
        return self.classify(out[:, -1, :])


def trend_batch(n):
    labels = torch.randint(0, CLASSES, (n,))
    slope = 0.2 * (labels.float() - 1)
    time = torch.arange(STEPS_PER_SEQ).float() - STEPS_PER_SEQ / 2
    seqs = torch.randn(n, STEPS_PER_SEQ, FEATURES)
    seqs[:, :, 0] += slope.unsqueeze(1) * time             # only channel 0 carries the trend
    return seqs, labels


def main(seed=0, iterations=50, batch=32, lr=0.02):
    set_seed(seed)
    net = TrendNet().to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    history = []
    net.train()
    for it in range(iterations):
        seqs, labels = trend_batch(batch)
        loss = criterion(net(seqs.to(device)), labels.to(device))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        history.append(loss.item())

    net.eval()
    with torch.no_grad():
        seqs, labels = trend_batch(200)
        _, predicted = torch.max(net(seqs.to(device)).data, 1)
        accuracy = (predicted == labels.to(device)).sum().item() / labels.size(0)
    return {"losses": history, "accuracy": accuracy}


if __name__ == "__main__":
    print(main())
