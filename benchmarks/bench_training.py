"""Train notebook 06's CNN for 15 epochs with cnnedu (numpy) and with PyTorch CPU; compare.

Run from the repository root::

    python benchmarks/bench_training.py             # 7 interleaved repetitions
    python benchmarks/bench_training.py --reps 11 --filters 8

The network (item 2 of notebook 06): Conv2d(1, F, 3, padding=1) -> ReLU -> MaxPool2d(2) ->
Flatten -> Linear(F*4*4, 10), softmax cross-entropy, SGD with momentum 0.9, lr 0.05,
batch 32, on the shipped 8x8 digits (stratified 80/20 split, seed 0). Both sides start
from the same initial weights (ours, copied into torch), see the same batches in the same
order (one seeded permutation per epoch, as cnnedu.nn.optim.fit), in float32. Each
repetition trains ours then torch from scratch (interleaved, so background load hits both
alike); the medians are reported with the ratio ours / torch, and both test accuracies.

Target (issue of notebook 06): ratio <= 1.0, and the same test accuracy.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cnnedu.data import load_digits, train_test_split  # noqa: E402
from cnnedu.nn.training import Trainer, evaluate_fast  # noqa: E402

try:
    import torch
except ImportError:  # pragma: no cover - depends on the machine
    torch = None

LR, MOMENTUM, BATCH, EPOCHS, SEED = 0.05, 0.9, 32, 15, 0


def data():
    x, y = load_digits(dtype=np.float32)
    return train_test_split(x, y, 0.2, seed=SEED)


def ours(x_tr, y_tr, n_filters, epochs):
    t = Trainer(x_tr, y_tr, n_filters=n_filters, lr=LR, momentum=MOMENTUM, batch_size=BATCH,
                seed=SEED, dtype=np.float32)
    t0 = time.perf_counter()
    for _ in range(epochs):
        t.run_epoch()
    return time.perf_counter() - t0, t


def batch_orders(n, epochs):
    """The permutations Trainer (and cnnedu.nn.optim.fit) draws: default_rng(SEED), one per epoch."""
    rng = np.random.default_rng(SEED)
    return [rng.permutation(n) for _ in range(epochs)]


def torch_model(init_model):
    nn = torch.nn
    F = init_model[0].params["w"].shape[0]
    D = init_model[4].params["w"].shape[1]
    net = nn.Sequential(nn.Conv2d(1, F, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                        nn.Linear(D, 10))
    with torch.no_grad():
        net[0].weight.copy_(torch.from_numpy(init_model[0].params["w"]))
        net[0].bias.copy_(torch.from_numpy(init_model[0].params["b"]))
        net[4].weight.copy_(torch.from_numpy(init_model[4].params["w"]))
        net[4].bias.copy_(torch.from_numpy(init_model[4].params["b"]))
    return net


def theirs(x_tr, y_tr, n_filters, epochs):
    init = Trainer(x_tr, y_tr, n_filters=n_filters, seed=SEED, dtype=np.float32).model
    net = torch_model(init)
    xt, yt = torch.from_numpy(np.ascontiguousarray(x_tr)), torch.from_numpy(y_tr)
    orders = [torch.from_numpy(o) for o in batch_orders(len(x_tr), epochs)]
    opt = torch.optim.SGD(net.parameters(), lr=LR, momentum=MOMENTUM)
    loss_fn = torch.nn.CrossEntropyLoss()
    t0 = time.perf_counter()
    for order in orders:
        for start in range(0, len(order), BATCH):
            idx = order[start:start + BATCH]
            opt.zero_grad()
            loss = loss_fn(net(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    return time.perf_counter() - t0, net


def torch_accuracy(net, x, y):
    with torch.no_grad():
        pred = net(torch.from_numpy(np.ascontiguousarray(x))).argmax(1).numpy()
    return float(np.mean(pred == y))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--filters", type=int, default=16)
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--torch-threads", type=int, default=2,
                    help="torch.set_num_threads (2: the machine's cores; 1 is often faster "
                         "for this tiny network)")
    args = ap.parse_args(argv)
    x_tr, x_te, y_tr, y_te = data()
    print(f"digits: {len(x_tr)} train / {len(x_te)} test, 8x8; conv 3x3 x{args.filters} -> ReLU -> "
          f"maxpool 2 -> dense 10; SGD lr {LR} momentum {MOMENTUM}, batch {BATCH}, "
          f"{args.epochs} epochs, float32")
    if torch is not None:
        torch.set_num_threads(args.torch_threads)
        print(f"PyTorch {torch.__version__}, torch.get_num_threads() = {torch.get_num_threads()}")
    else:
        print("PyTorch is not installed: timing cnnedu only")
    t_ours, t_torch = [], []
    for _ in range(args.reps):
        dt, trainer = ours(x_tr, y_tr, args.filters, args.epochs)
        t_ours.append(dt)
        if torch is not None:
            dt, net = theirs(x_tr, y_tr, args.filters, args.epochs)
            t_torch.append(dt)
    acc_ours = evaluate_fast(trainer.net, x_te, y_te)[1]
    m_ours = statistics.median(t_ours)
    print(f"{'':24s}{'median':>10s}{'min':>10s}{'test accuracy':>16s}")
    print(f"{'cnnedu (numpy)':24s}{m_ours * 1e3:8.0f} ms{min(t_ours) * 1e3:8.0f} ms{acc_ours:15.2%}")
    if torch is not None:
        acc_torch = torch_accuracy(net, x_te, y_te)
        m_torch = statistics.median(t_torch)
        print(f"{'PyTorch CPU':24s}{m_torch * 1e3:8.0f} ms{min(t_torch) * 1e3:8.0f} ms{acc_torch:15.2%}")
        print(f"ratio ours / torch (medians): {m_ours / m_torch:.2f}   (target <= 1.00)")
        w_diff = float(np.abs(trainer.model[0].params["w"]
                              - net[0].weight.detach().numpy()).max())
        print(f"same test accuracy: {acc_ours == acc_torch}; max |filters ours - torch| after "
              f"training: {w_diff:.1e} (float32 rounding, amplified over {args.epochs} epochs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
