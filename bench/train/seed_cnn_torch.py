"""The seed CNN in PyTorch on the same digits, batch size and optimiser, one epoch; and the matmul FLOP ceiling.
usage: seed_cnn_torch.py DIGITS.f32 LABELS.i32 N BATCH MATMUL_N  → one JSON line"""
import json, os, sys, time
import numpy as np

x_path, y_path, n, batch, mm = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
out = {}

def ceiling(matmul, a, b):
    matmul(a, b)
    reps, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < 3 or reps < 2:
        matmul(a, b)
        reps += 1
    s = (time.perf_counter() - t0) / reps
    return 2 * mm ** 3 / s / 1e9

a = np.random.randn(mm, mm).astype(np.float32)
b = np.random.randn(mm, mm).astype(np.float32)
out["numpyMatmulGflops"] = ceiling(np.matmul, a, b)
try:
    import torch
except ImportError:
    out["torch"] = None
    print(json.dumps(out))
    sys.exit(0)

torch.manual_seed(42)
torch.set_num_threads(os.cpu_count() or 1)
ta, tb = torch.from_numpy(a), torch.from_numpy(b)
out["torchMatmulGflops"] = ceiling(torch.matmul, ta, tb)
x = torch.from_numpy(np.fromfile(x_path, dtype=np.float32).reshape(n, 1, 28, 28))
y = torch.from_numpy(np.fromfile(y_path, dtype=np.int32).astype(np.int64))
nn = torch.nn
model = nn.Sequential(
    nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(7 * 7 * 64, 10),
)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()  # softmax + cross-entropy, as the Keras model's softmax output + categorical CE

def step(xb, yb):
    opt.zero_grad()
    loss = loss_fn(model(xb), yb)
    loss.backward()
    opt.step()
    return loss

step(x[:batch], y[:batch])  # warm-up
# Two epochs, the faster counting (the bench does the same for runmedic's job loop); the loss is the first epoch's,
# comparable with the other backends' single epoch.
epochs = []
for epoch in range(2):
    perm = torch.randperm(n)
    t0 = time.perf_counter()
    total = 0.0
    for i in range(0, n, batch):
        idx = perm[i:i + batch]
        total += step(x[idx], y[idx]).item() * len(idx)
    epochs.append((time.perf_counter() - t0, total / n))
s = min(e[0] for e in epochs)
out["torch"] = {"version": torch.__version__, "threads": torch.get_num_threads(), "examples": n, "batch": batch, "seconds": s, "samplesPerSecond": n / s, "epochSamplesPerSecond": [n / e[0] for e in epochs], "loss": epochs[0][1], "loadAverage1m": os.getloadavg()[0]}
print(json.dumps(out))
