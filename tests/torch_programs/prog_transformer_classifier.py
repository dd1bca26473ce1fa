"""A Transformer-encoder classifier for padded token sequences: embeddings
scaled by sqrt(d_model) plus fixed sinusoidal position codes kept in a
``register_buffer``, ``nn.TransformerEncoder`` over
``nn.TransformerEncoderLayer(batch_first=True)`` with a
``src_key_padding_mask``, a mean over the real (unpadded) positions, a linear
head; Adam with a linear warm-up through ``LambdaLR`` and gradient clipping;
evaluation under ``torch.inference_mode()``. Task: does token 3 occur more
often than token 4 in the sequence."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

PAD = 0
VOCAB = 8
D_MODEL = 32
MAX_LEN = 16


class SinusoidalPositions(nn.Module):
    def __init__(self, d_model, max_len, dropout=0.1):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        pos = torch.arange(max_len).unsqueeze(1)                      # (max_len, 1)
        freqs = torch.exp(-math.log(10000.0) * torch.arange(0, d_model, 2) / d_model)
        table = torch.zeros(1, max_len, d_model)
        table[0, :, 0::2] = torch.sin(pos * freqs)
        table[0, :, 1::2] = torch.cos(pos * freqs)
        self.register_buffer('table', table)

    def forward(self, x):
        return self.dropout(x + self.table[:, :x.size(1)])


class EncoderClassifier(nn.Module):
    def __init__(self, heads=4, ff=64, layers=2, classes=2, dropout=0.1):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, D_MODEL, padding_idx=PAD)
        self.positions = SinusoidalPositions(D_MODEL, MAX_LEN, dropout)
        layer = nn.TransformerEncoderLayer(D_MODEL, heads, ff, dropout, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Linear(D_MODEL, classes)

    def forward(self, tokens, padding):
        h = self.positions(self.embed(tokens) * math.sqrt(D_MODEL))
        h = self.encoder(h, src_key_padding_mask=padding)
        real = (~padding).unsqueeze(-1).float()
        return self.head((h * real).sum(dim=1) / real.sum(dim=1))


def count_batch(n):
    lengths = torch.randint(6, MAX_LEN + 1, (n,))
    padding = torch.arange(MAX_LEN).unsqueeze(0) >= lengths.unsqueeze(1)
    tokens = torch.randint(1, VOCAB, (n, MAX_LEN)).masked_fill(padding, PAD)
    labels = ((tokens == 3).sum(dim=1) > (tokens == 4).sum(dim=1)).long()
    return tokens, padding, labels


def main(seed=0, steps=40, batch=32, warmup=5):
    torch.manual_seed(seed)
    model = EncoderClassifier()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / warmup))
    history = []
    for step in range(steps):
        model.train()
        tokens, padding, labels = count_batch(batch)
        loss = F.cross_entropy(model(tokens, padding), labels)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        opt.step()
        sched.step()
        history.append(loss.item())

    model.eval()
    with torch.inference_mode():
        tokens, padding, labels = count_batch(200)
        accuracy = model(tokens, padding).argmax(dim=-1).eq(labels).float().mean().item()
    return {"losses": history, "accuracy": accuracy}


if __name__ == "__main__":
    print(main())
