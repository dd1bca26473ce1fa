"""A tiny DCGAN on 8x8 "stripe" images: a generator of ConvTranspose2d /
BatchNorm2d / ReLU / Tanh and a critic of Conv2d / LeakyReLU / BatchNorm2d /
Sigmoid, both initialised by a function passed to ``Module.apply`` that picks
layers by ``m.__class__.__name__`` and fills ``m.weight.data`` with
``nn.init.normal_``. Training alternates the usual two steps with BCELoss on
label tensors from ``torch.full`` (re-labelled with ``fill_``), the critic
seeing ``fake.detach()``; ``zero_grad()`` on the modules; Adam with
``betas=(0.5, 0.999)``."""
import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
import torch.utils.data

Z_DIM = 8
WIDTH = 16
BATCH = 32
EPOCHS = 3
LR = 0.002
REAL, FAKE = 1.0, 0.0


def stripes(count, seed=0):
    """Diagonal sine stripes at random phases, values in [-1, 1] like Tanh's."""
    rng = np.random.default_rng(seed)
    diag = np.add.outer(np.arange(8), np.arange(8))
    phases = rng.uniform(0, 2 * np.pi, size=(count, 1, 1))
    return torch.from_numpy(np.sin(0.8 * diag[None] + phases)[:, None].astype(np.float32))


def dcgan_init(m):
    kind = m.__class__.__name__
    if 'Conv' in kind:
        nn.init.normal_(m.weight.data, 0.0, 0.02)
    elif 'BatchNorm' in kind:
        nn.init.normal_(m.weight.data, 1.0, 0.02)
        nn.init.constant_(m.bias.data, 0)


def make_generator():
    return nn.Sequential(
        nn.ConvTranspose2d(Z_DIM, 2 * WIDTH, 4, 1, 0, bias=False),   # -> 4x4
        nn.BatchNorm2d(2 * WIDTH),
        nn.ReLU(True),
        nn.ConvTranspose2d(2 * WIDTH, 1, 4, 2, 1, bias=False),       # -> 8x8
        nn.Tanh(),
    )


class Critic(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, WIDTH, 4, 2, 1, bias=False),                # -> 4x4
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(WIDTH, 2 * WIDTH, 3, 1, 1, bias=False),
            nn.BatchNorm2d(2 * WIDTH),
            nn.LeakyReLU(0.2, inplace=True),
        )
        self.head = nn.Sequential(nn.Conv2d(2 * WIDTH, 1, 4, 1, 0, bias=False), nn.Sigmoid())

    def forward(self, img):
        return self.head(self.body(img)).view(-1)


def main(seed=999):
    torch.manual_seed(seed)
    device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(stripes(320)),
                                         batch_size=BATCH, shuffle=True)
    gen = make_generator().to(device)
    gen.apply(dcgan_init)
    critic = Critic().to(device)
    critic.apply(dcgan_init)
    bce = nn.BCELoss()
    probe = torch.randn(16, Z_DIM, 1, 1, device=device)
    opt_c = optim.Adam(critic.parameters(), lr=LR, betas=(0.5, 0.999))
    opt_g = optim.Adam(gen.parameters(), lr=LR, betas=(0.5, 0.999))

    critic_losses, gen_losses, real_scores = [], [], []
    for epoch in range(EPOCHS):
        for (real,) in loader:
            real = real.to(device)
            n = real.size(0)
            # the critic: real images towards 1, generated ones towards 0
            critic.zero_grad()
            target = torch.full((n,), REAL, dtype=torch.float, device=device)
            scores = critic(real)
            loss_real = bce(scores, target)
            loss_real.backward()
            fake = gen(torch.randn(n, Z_DIM, 1, 1, device=device))
            target.fill_(FAKE)
            loss_fake = bce(critic(fake.detach()), target)
            loss_fake.backward()
            opt_c.step()
            # the generator: make the critic say 1 for its images
            gen.zero_grad()
            target.fill_(REAL)
            loss_gen = bce(critic(fake), target)
            loss_gen.backward()
            opt_g.step()

            critic_losses.append((loss_real + loss_fake).item())
            gen_losses.append(loss_gen.item())
            real_scores.append(scores.mean().item())

    with torch.no_grad():
        samples = gen(probe).detach().cpu()
    assert samples.shape == (16, 1, 8, 8) and samples.abs().max().item() <= 1.0
    # stripes are constant along anti-diagonals: the mean jump between neighbours
    # there (0 for the data, ~0.5 for noise)
    stripe_error = (samples[:, :, 1:, :-1] - samples[:, :, :-1, 1:]).abs().mean().item()
    return {"losses": critic_losses, "G_losses": gen_losses, "D_x": real_scores,
            "stripe_error": stripe_error}


if __name__ == "__main__":
    print(main())
