"""A GRU encoder-decoder with additive attention that learns to reverse digit
sequences, in the manner of the seq2seq-with-attention tutorials: the decoder
scores every encoder state with ``v . tanh(W q + U k)``, mixes them with
``torch.bmm``, feeds ``torch.cat((embedded, context), dim=2)`` to its GRU,
uses teacher forcing on a coin flip (``random.Random``) and otherwise its
own greedy guess (``topk(1)``, ``.squeeze(-1).detach()``), NLLLoss on
``log_softmax``, one Adam per network, a ``ReduceLROnPlateau`` on the epoch's
loss, and an inference pass that reports the token accuracy."""
import random

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import optim

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

START, STOP = 0, 1
N_SYMBOLS = 8            # START, STOP and six digits
SEQ_LEN = 5
UNITS = 32


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(N_SYMBOLS, UNITS)
        self.drop = nn.Dropout(0.1)
        self.gru = nn.GRU(UNITS, UNITS, batch_first=True)

    def forward(self, src):
        return self.gru(self.drop(self.embed(src)))       # (states, last hidden)


class AdditiveAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.w_query = nn.Linear(UNITS, UNITS)
        self.w_key = nn.Linear(UNITS, UNITS)
        self.v = nn.Linear(UNITS, 1)

    def forward(self, query, keys):                     # (b, 1, u), (b, s, u)
        energy = self.v(torch.tanh(self.w_query(query) + self.w_key(keys)))   # (b, s, 1)
        weights = F.softmax(energy.squeeze(2).unsqueeze(1), dim=-1)          # (b, 1, s)
        return torch.bmm(weights, keys), weights


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(N_SYMBOLS, UNITS)
        self.drop = nn.Dropout(0.1)
        self.attend = AdditiveAttention()
        self.gru = nn.GRU(2 * UNITS, UNITS, batch_first=True)
        self.out = nn.Linear(UNITS, N_SYMBOLS)

    def step(self, token, hidden, states):
        emb = self.drop(self.embed(token))                                  # (b, 1, u)
        context, weights = self.attend(hidden.permute(1, 0, 2), states)
        output, hidden = self.gru(torch.cat((emb, context), dim=2), hidden)
        return self.out(output), hidden, weights

    def forward(self, states, hidden, targets=None, force=True):
        token = torch.empty(states.size(0), 1, dtype=torch.long, device=device).fill_(START)
        logits, maps = [], []
        for t in range(SEQ_LEN + 1):
            step_logits, hidden, weights = self.step(token, hidden, states)
            logits.append(step_logits)
            maps.append(weights)
            if targets is not None and force:
                token = targets[:, t].unsqueeze(1)
            else:
                _, best = step_logits.topk(1)
                token = best.squeeze(-1).detach()
        return F.log_softmax(torch.cat(logits, dim=1), dim=-1), torch.cat(maps, dim=1)


def reversal_pairs(count, rnd):
    pairs = []
    for _ in range(count):
        digits = [rnd.randrange(2, N_SYMBOLS) for _ in range(SEQ_LEN)]
        pairs.append((digits, digits[::-1] + [STOP]))
    return pairs


def to_tensors(pairs):
    src = torch.tensor([p[0] for p in pairs], dtype=torch.long, device=device)
    tgt = torch.tensor([p[1] for p in pairs], dtype=torch.long, device=device)
    return src, tgt


def main(seed=0, epochs=5, batch=32, force_ratio=0.5):
    torch.manual_seed(seed)
    rnd = random.Random(seed)
    pairs = reversal_pairs(160, rnd)
    encoder, decoder = Encoder().to(device), Decoder().to(device)
    enc_opt = optim.Adam(encoder.parameters(), lr=0.01)
    dec_opt = optim.Adam(decoder.parameters(), lr=0.01)
    plateau = optim.lr_scheduler.ReduceLROnPlateau(dec_opt, mode='min', factor=0.5, patience=1)
    nll = nn.NLLLoss()

    history = []
    for epoch in range(epochs):
        encoder.train()
        decoder.train()
        rnd.shuffle(pairs)
        epoch_loss = 0.0
        for i in range(0, len(pairs), batch):
            src, tgt = to_tensors(pairs[i:i + batch])
            enc_opt.zero_grad()
            dec_opt.zero_grad()
            states, hidden = encoder(src)
            force = rnd.random() < force_ratio          # teacher forcing for this batch?
            log_probs, _ = decoder(states, hidden, tgt, force=force)
            loss = nll(log_probs.view(-1, log_probs.size(-1)), tgt.view(-1))
            loss.backward()
            enc_opt.step()
            dec_opt.step()
            history.append(loss.item())
            epoch_loss += loss.item()
        plateau.step(epoch_loss)

    encoder.eval()
    decoder.eval()
    with torch.no_grad():
        src, tgt = to_tensors(reversal_pairs(100, random.Random(1)))
        states, hidden = encoder(src)
        log_probs, maps = decoder(states, hidden)
        _, guess = log_probs.topk(1)
        accuracy = (guess.squeeze(-1) == tgt).float().mean().item()
    assert maps.shape == (100, SEQ_LEN + 1, SEQ_LEN)
    return {"losses": history, "accuracy": accuracy}


if __name__ == "__main__":
    print(main())
