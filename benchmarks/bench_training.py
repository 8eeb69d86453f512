"""Train notebook 06's CNN for 15 epochs with cnnedu (numpy) and with PyTorch CPU; compare.

Run from the repository root::

    python benchmarks/bench_training.py             # 7 repetitions per side
    python benchmarks/bench_training.py --reps 11 --filters 8

The network (notebook 06): Conv2d(1, F, 3, padding=1) -> ReLU -> MaxPool2d(2) -> Flatten ->
Linear(F*4*4, 10), softmax cross-entropy, SGD with momentum 0.9, lr 0.05, batch 32, on
the shipped 8x8 digits (stratified 80/20 split, seed 0), in float32. cnnedu's side is the
one training path the notebook uses: ``cnnedu.nn.optim.fit`` on the ``Sequential`` of
``build_cnn`` (its layers' own forward and backward). PyTorch starts from the same
initial weights (ours, copied) and sees the same batches in the same order (one seeded
permutation per epoch, as ``fit``).

Each side is timed **in its own process** (``--side ours`` / ``--side torch``, started by
the main run): run in one process, OpenBLAS's and PyTorch's worker threads spin against
each other on 2 cores and slow each other down. Medians over the repetitions, the ratio
ours / torch, and both test accuracies.

Target (issue 12): ratio <= 1.0, and the same test accuracy.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cnnedu.data import load_digits, train_test_split  # noqa: E402
from cnnedu.nn.optim import evaluate, fit  # noqa: E402
from cnnedu.nn.training import build_cnn  # noqa: E402

try:
    import torch
except ImportError:  # pragma: no cover - depends on the machine
    torch = None

LR, MOMENTUM, BATCH, EPOCHS, SEED = 0.05, 0.9, 32, 15, 0


def data():
    x, y = load_digits(dtype=np.float32)
    return train_test_split(x, y, 0.2, seed=SEED)


def initial_model(n_filters):
    return build_cnn(n_filters=n_filters, seed=SEED, dtype=np.float32)


def ours(x_tr, y_tr, n_filters, epochs):
    model = initial_model(n_filters)
    t0 = time.perf_counter()
    fit(model, x_tr, y_tr, epochs=epochs, batch_size=BATCH, lr=LR, momentum=MOMENTUM, seed=SEED)
    return time.perf_counter() - t0, model


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
    net = torch_model(initial_model(n_filters))
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


def run_side(side, reps, n_filters, epochs, torch_threads) -> dict:
    """Time one side ``reps`` times in this process; return times, accuracy and filters."""
    x_tr, x_te, y_tr, y_te = data()
    times = []
    if side == "torch":
        torch.set_num_threads(torch_threads)
        for _ in range(reps):
            dt, net = theirs(x_tr, y_tr, n_filters, epochs)
            times.append(dt)
        return {"times": times, "accuracy": torch_accuracy(net, x_te, y_te),
                "filters": net[0].weight.detach().numpy().tolist(),
                "threads": torch.get_num_threads(), "version": torch.__version__}
    for _ in range(reps):
        dt, model = ours(x_tr, y_tr, n_filters, epochs)
        times.append(dt)
    return {"times": times, "accuracy": evaluate(model, x_te, y_te)[1],
            "filters": model[0].params["w"].tolist()}


def spawn(side, args) -> dict:
    cmd = [sys.executable, __file__, "--side", side, "--reps", str(args.reps), "--filters",
           str(args.filters), "--epochs", str(args.epochs), "--torch-threads",
           str(args.torch_threads)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--filters", type=int, default=16)
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--torch-threads", type=int, default=2,
                    help="torch.set_num_threads (2: the machine's cores)")
    ap.add_argument("--side", choices=("ours", "torch"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.side:
        print(json.dumps(run_side(args.side, args.reps, args.filters, args.epochs,
                                  args.torch_threads)))
        return 0
    x_tr, x_te, _, _ = data()
    print(f"digits: {len(x_tr)} train / {len(x_te)} test, 8x8; conv 3x3 x{args.filters} -> ReLU -> "
          f"maxpool 2 -> dense 10; SGD lr {LR} momentum {MOMENTUM}, batch {BATCH}, "
          f"{args.epochs} epochs, float32; each side in its own process")
    mine = spawn("ours", args)
    theirs_ = spawn("torch", args) if torch is not None else None
    m_ours = statistics.median(mine["times"])
    print(f"{'':34s}{'median':>10s}{'min':>10s}{'test accuracy':>16s}")
    print(f"{'cnnedu fit(Sequential) (numpy)':34s}{m_ours * 1e3:8.0f} ms"
          f"{min(mine['times']) * 1e3:8.0f} ms{mine['accuracy']:15.2%}")
    if theirs_ is None:
        print("PyTorch is not installed: timed cnnedu only")
        return 0
    m_torch = statistics.median(theirs_["times"])
    label = f"PyTorch {theirs_['version']} ({theirs_['threads']} threads)"
    print(f"{label:34s}{m_torch * 1e3:8.0f} ms{min(theirs_['times']) * 1e3:8.0f} ms"
          f"{theirs_['accuracy']:15.2%}")
    ratio = m_ours / m_torch
    print(f"ratio ours / torch (medians): {ratio:.2f}   (target <= 1.00: "
          f"{'met' if ratio <= 1.0 else 'NOT met'})")
    w_diff = float(np.abs(np.array(mine["filters"]) - np.array(theirs_["filters"])).max())
    same = mine["accuracy"] == theirs_["accuracy"]
    print(f"same test accuracy: {same}; max |filters ours - torch| after training: "
          f"{w_diff:.1e} (float32 rounding, amplified over {args.epochs} epochs)")
    return 0 if ratio <= 1.0 and same else 1


if __name__ == "__main__":
    sys.exit(main())
