"""A miniature character-level GPT: token + position ``nn.Embedding``s, pre-norm
blocks (``nn.LayerNorm``, causal ``F.scaled_dot_product_attention`` over heads
split with ``Tensor.split`` / ``view`` / ``transpose``, a GELU MLP), output
weights tied to the token embedding, small-normal initialisation through
``Module.apply``, AdamW with gradient clipping and ``CosineAnnealingLR``, random
training windows from ``torch.randint`` stacked with ``torch.stack``; then text
sampled with ``torch.topk``-filtered logits, ``torch.multinomial`` and
``torch.cat``."""
import math
import random

import torch
import torch.nn as nn
from torch.nn import functional as F

CONTEXT = 16
BATCH = 16
DIM = 32
HEADS = 4
DEPTH = 2
ITERS = 40
LR = 3e-3


def toy_corpus(lines=200, seed=0):
    pick = random.Random(seed).choice
    who = ["the cat", "a dog", "my robot", "the small bird", "our tensor"]
    does = ["sees", "likes", "follows", "computes", "eats"]
    what = ["the ball", "a fish", "the gradient", "some seeds", "a loss"]
    return "\n".join(f"{pick(who)} {pick(does)} {pick(what)}." for _ in range(lines))


class SelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.qkv = nn.Linear(DIM, 3 * DIM)
        self.proj = nn.Linear(DIM, DIM)

    def forward(self, x):
        b, t, d = x.size()
        heads = [z.view(b, t, HEADS, d // HEADS).transpose(1, 2)       # (b, heads, t, d/heads)
                 for z in self.qkv(x).split(DIM, dim=2)]
        mixed = F.scaled_dot_product_attention(*heads, is_causal=True)
        return self.proj(mixed.transpose(1, 2).contiguous().view(b, t, d))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm1 = nn.LayerNorm(DIM)
        self.attn = SelfAttention()
        self.norm2 = nn.LayerNorm(DIM)
        self.ff = nn.Sequential(nn.Linear(DIM, 4 * DIM), nn.GELU(), nn.Linear(4 * DIM, DIM))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.ff(self.norm2(x))


class TinyGPT(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.tok = nn.Embedding(vocab, DIM)
        self.pos = nn.Embedding(CONTEXT, DIM)
        self.blocks = nn.Sequential(*[Block() for _ in range(DEPTH)])
        self.norm = nn.LayerNorm(DIM)
        self.unembed = nn.Linear(DIM, vocab, bias=False)
        self.tok.weight = self.unembed.weight                    # tied weights
        self.apply(self._small_init)

    @staticmethod
    def _small_init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, mean=0.0, std=0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)

    def forward(self, idx, targets=None):
        t = idx.size(1)
        x = self.tok(idx) + self.pos(torch.arange(t, dtype=torch.long, device=idx.device))
        logits = self.unembed(self.norm(self.blocks(x)))
        if targets is None:
            return logits, None
        return logits, F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))

    @torch.no_grad()
    def sample(self, idx, n_new, top_k=None, temperature=1.0):
        for _ in range(n_new):
            logits, _ = self(idx[:, -CONTEXT:])
            logits = logits[:, -1, :] / temperature
            if top_k is not None:
                kth = torch.topk(logits, min(top_k, logits.size(-1)))[0][:, [-1]]
                logits[logits < kth] = -float('inf')
            nxt = torch.multinomial(F.softmax(logits, dim=-1), num_samples=1)
            idx = torch.cat((idx, nxt), dim=1)
        return idx


def main(seed=1337):
    torch.manual_seed(seed)
    text = toy_corpus()
    alphabet = sorted(set(text))
    index = {ch: i for i, ch in enumerate(alphabet)}
    data = torch.tensor([index[ch] for ch in text], dtype=torch.long)
    cut = int(0.9 * len(data))
    splits = {"train": data[:cut], "val": data[cut:]}

    def windows(split):
        src = splits[split]
        starts = torch.randint(len(src) - CONTEXT, (BATCH,))
        return (torch.stack([src[s:s + CONTEXT] for s in starts]),
                torch.stack([src[s + 1:s + CONTEXT + 1] for s in starts]))

    model = TinyGPT(len(alphabet))
    n_params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.1)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=ITERS, eta_min=LR / 10)
    history = []
    for it in range(ITERS):
        xb, yb = windows("train")
        _, loss = model(xb, yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        history.append(loss.item())

    model.eval()
    with torch.no_grad():
        _, val_loss = model(*windows("val"))
    start = torch.zeros((1, 1), dtype=torch.long)
    text_out = "".join(alphabet[i] for i in model.sample(start, 40, top_k=10)[0].tolist())
    assert len(text_out) == 41 and set(text_out) <= set(alphabet)
    assert math.isfinite(val_loss.item())
    return {"losses": history, "val_loss": val_loss.item(), "sample": text_out,
            "n_params": n_params}


if __name__ == "__main__":
    print(main())
