"""A word-level LSTM language model over sentences of different lengths: a
vocabulary grown from a generated corpus, batches padded with ``pad_sequence``,
``pack_padded_sequence(..., enforce_sorted=False)`` into a two-layer
``nn.LSTM`` with dropout and ``pad_packed_sequence`` back out, the output layer
sharing the embedding's weights, CrossEntropyLoss that ignores the padding
index, ``clip_grad_norm_``, and validation perplexity via ``math.exp``."""
import math
import random

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence

SPECIALS = ("<pad>", "<s>", "</s>")     # <pad> gets index 0


class Vocab:
    def __init__(self):
        self.itos, self.stoi = [], {}
        for tok in SPECIALS:
            self.index(tok)

    def index(self, tok):
        if tok not in self.stoi:
            self.stoi[tok] = len(self.itos)
            self.itos.append(tok)
        return self.stoi[tok]


def sentences(count, vocab, seed=0):
    pick = random.Random(seed).choice
    adj = ["red", "small", "quick", "lazy", ""]          # "" makes lengths vary
    noun = ["fox", "dog", "cat", "bird", "tensor"]
    verb = ["jumps over", "sleeps near", "looks at", "runs past"]
    out = []
    for _ in range(count):
        words = " ".join(["the", pick(adj), pick(noun), pick(verb), "the", pick(adj),
                          pick(noun)]).split()
        ids = [vocab.index(w) for w in ["<s>"] + words + ["</s>"]]
        out.append(torch.tensor(ids, dtype=torch.long))
    return out


class LSTMLanguageModel(nn.Module):
    def __init__(self, n_words, dim, layers, dropout=0.2):
        super().__init__()
        self.embed = nn.Embedding(n_words, dim, padding_idx=0)
        self.lstm = nn.LSTM(dim, dim, layers, dropout=dropout, batch_first=True)
        self.drop = nn.Dropout(dropout)
        self.to_words = nn.Linear(dim, n_words)
        self.to_words.weight = self.embed.weight           # tied input/output embeddings
        nn.init.uniform_(self.embed.weight, -0.1, 0.1)
        nn.init.zeros_(self.to_words.bias)

    def forward(self, tokens, lengths):
        x = self.drop(self.embed(tokens))
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out, (h, c) = self.lstm(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=tokens.size(1))
        return self.to_words(self.drop(out))


def batches(seqs, size):
    for i in range(0, len(seqs), size):
        chunk = seqs[i:i + size]
        lengths = torch.tensor([len(s) - 1 for s in chunk])
        inputs = pad_sequence([s[:-1] for s in chunk], batch_first=True, padding_value=0)
        targets = pad_sequence([s[1:] for s in chunk], batch_first=True, padding_value=0)
        yield inputs, targets, lengths


def main(seed=1111, epochs=5, batch=20, lr=0.02, clip=0.5):
    torch.manual_seed(seed)
    vocab = Vocab()
    corpus = sentences(200, vocab)
    train, valid = corpus[:160], corpus[160:]
    n_words = len(vocab.itos)
    model = LSTMLanguageModel(n_words, 24, 2)
    criterion = nn.CrossEntropyLoss(ignore_index=0)
    opt = torch.optim.Adam(model.parameters(), lr=lr)

    history = []
    for epoch in range(epochs):
        model.train()
        random.Random(epoch).shuffle(train)
        for inputs, targets, lengths in batches(train, batch):
            model.zero_grad()
            logits = model(inputs, lengths)
            loss = criterion(logits.view(-1, n_words), targets.view(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
            opt.step()
            history.append(loss.item())
        model.eval()
        nll, count = 0.0, 0
        with torch.no_grad():
            for inputs, targets, lengths in batches(valid, batch):
                logits = model(inputs, lengths)
                n = int(lengths.sum())
                nll += n * criterion(logits.view(-1, n_words), targets.view(-1)).item()
                count += n
        val_loss = nll / count
        if __name__ == "__main__":
            print(f"epoch {epoch}: validation loss {val_loss:.3f}, "
                  f"perplexity {math.exp(val_loss):.2f}")
    return {"losses": history, "val_loss": val_loss, "val_ppl": math.exp(val_loss)}


if __name__ == "__main__":
    print(main())
