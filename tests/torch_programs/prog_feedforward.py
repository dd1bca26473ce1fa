"""A one-hidden-layer classifier of 8x8 "images", the first program of many
beginner tutorials: module-level hyper-parameters and the
``torch.device('cuda' if torch.cuda.is_available() else 'cpu')`` line, a
``DataLoader`` over a ``TensorDataset``, inputs flattened with
``reshape(-1, input_size)``, CrossEntropyLoss, Adam, and a test pass under
``torch.no_grad()`` counting hits with ``torch.max(outputs.data, 1)``. The
labels come from a fixed random linear teacher (torch's own RNG)."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')

input_size = 64
hidden_size = 50
num_classes = 4
num_epochs = 4
batch_size = 50
learning_rate = 0.003


class MLP(nn.Module):
    def __init__(self, n_in, n_hidden, n_out):
        super(MLP, self).__init__()
        self.layers = nn.Sequential(nn.Linear(n_in, n_hidden), nn.ReLU(),
                                    nn.Linear(n_hidden, n_out))

    def forward(self, x):
        return self.layers(x)


def teacher_labelled(count, teacher):
    images = torch.randn(count, 1, 8, 8)
    return TensorDataset(images, torch.argmax(images.view(count, -1) @ teacher, dim=1))


def main(seed=0):
    torch.manual_seed(seed)
    teacher = torch.randn(input_size, num_classes)
    train_loader = DataLoader(teacher_labelled(600, teacher), batch_size=batch_size,
                              shuffle=True)
    test_loader = DataLoader(teacher_labelled(200, teacher), batch_size=batch_size)

    model = MLP(input_size, hidden_size, num_classes).to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)

    history = []
    for epoch in range(num_epochs):
        for step, (images, labels) in enumerate(train_loader):
            images = images.reshape(-1, input_size).to(device)
            labels = labels.to(device)
            loss = criterion(model(images), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            history.append(loss.item())
        if __name__ == "__main__":
            print(f"epoch {epoch + 1}/{num_epochs}: last batch loss {loss.item():.4f}")

    with torch.no_grad():
        hits = seen = 0
        for images, labels in test_loader:
            outputs = model(images.reshape(-1, input_size).to(device))
            _, predicted = torch.max(outputs.data, 1)
            seen += labels.size(0)
            hits += (predicted == labels.to(device)).sum().item()
    return {"losses": history, "accuracy": hits / seen}


if __name__ == "__main__":
    print(main())
