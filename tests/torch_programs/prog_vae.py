"""A variational autoencoder on 8x8 binary sprites (bars and boxes): a one-
hidden-layer encoder with two heads (mean and log-variance), a sample drawn
with the reparameterisation trick (``torch.randn_like``), a decoder ending in
``torch.sigmoid``, and the negative ELBO = summed binary cross-entropy + the
Gaussian KL term; Adam. The data come from a ``Dataset`` subclass (items: an
image tensor and an ``int`` label, collated by the DataLoader), split with
``random_split``; a held-out pass under ``torch.no_grad()``; the cuda / mps /
cpu device probe; finally images decoded from ``torch.randn`` codes."""
import numpy as np
import torch
import torch.utils.data
from torch import nn, optim
from torch.nn import functional as F
from torch.utils.data import DataLoader, Dataset, random_split

PIXELS = 64
CODE = 4
HIDDEN = 48


class Sprites(Dataset):
    """8x8 images holding one horizontal bar, one vertical bar or one 3x3 box."""

    def __init__(self, count, seed=0):
        rng = np.random.default_rng(seed)
        self.shapes = rng.integers(0, 3, size=count)
        self.pictures = np.zeros((count, 1, 8, 8), dtype=np.float32)
        for pic, shape in zip(self.pictures, self.shapes):
            r, c = rng.integers(0, 6, size=2)
            if shape == 0:
                pic[0, r, :] = 1.0
            elif shape == 1:
                pic[0, :, c] = 1.0
            else:
                pic[0, r:r + 3, c:c + 3] = 1.0

    def __len__(self):
        return len(self.pictures)

    def __getitem__(self, i):
        return torch.from_numpy(self.pictures[i]), int(self.shapes[i])


class SpriteVAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Linear(PIXELS, HIDDEN)
        self.enc_mean = nn.Linear(HIDDEN, CODE)
        self.enc_logvar = nn.Linear(HIDDEN, CODE)
        self.dec = nn.Linear(CODE, HIDDEN)
        self.dec_out = nn.Linear(HIDDEN, PIXELS)

    def posterior(self, x):
        h = F.relu(self.enc(x.view(-1, PIXELS)))
        return self.enc_mean(h), self.enc_logvar(h)

    def draw(self, mean, logvar):
        noise = torch.randn_like(mean)
        return mean + noise * torch.exp(0.5 * logvar)

    def generate(self, code):
        return torch.sigmoid(self.dec_out(F.relu(self.dec(code))))

    def forward(self, x):
        mean, logvar = self.posterior(x)
        return self.generate(self.draw(mean, logvar)), mean, logvar


def negative_elbo(recon, x, mean, logvar):
    reconstruction = F.binary_cross_entropy(recon, x.view(-1, PIXELS), reduction='sum')
    # KL(N(mean, exp(logvar)) || N(0, 1)), summed over the code and the batch
    kl = 0.5 * torch.sum(mean.pow(2) + logvar.exp() - 1 - logvar)
    return reconstruction + kl


def main(seed=1, epochs=4, batch_size=32):
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        device = torch.device("cuda")
    elif torch.backends.mps.is_available():
        device = torch.device("mps")
    else:
        device = torch.device("cpu")
    train_part, test_part = random_split(Sprites(320), [256, 64],
                                         generator=torch.Generator().manual_seed(42))
    train_loader = torch.utils.data.DataLoader(train_part, batch_size=batch_size, shuffle=True)
    test_loader = DataLoader(test_part, batch_size=batch_size)

    vae = SpriteVAE().to(device)
    opt = optim.Adam(vae.parameters(), lr=1e-2)
    history = []
    for epoch in range(epochs):
        vae.train()
        for images, _ in train_loader:
            images = images.to(device)
            opt.zero_grad()
            recon, mean, logvar = vae(images)
            loss = negative_elbo(recon, images, mean, logvar)
            loss.backward()
            opt.step()
            history.append(loss.item() / images.size(0))
        if __name__ == "__main__":
            print(f"epoch {epoch}: mean loss per image {sum(history[-8:]) / 8:.3f}")

    vae.eval()
    held_out = 0.0
    with torch.no_grad():
        for images, shapes in test_loader:
            assert shapes.dtype == torch.int64 and images.shape[1:] == (1, 8, 8)
            images = images.to(device)
            recon, mean, logvar = vae(images)
            held_out += negative_elbo(recon, images, mean, logvar).item()
    held_out /= len(test_loader.dataset)
    with torch.no_grad():
        fantasies = vae.generate(torch.randn(16, CODE).to(device)).cpu()
    assert fantasies.view(16, 1, 8, 8).shape == (16, 1, 8, 8)
    assert bool(((fantasies >= 0) & (fantasies <= 1)).all())
    return {"losses": history, "val_loss": held_out}


if __name__ == "__main__":
    print(main())
