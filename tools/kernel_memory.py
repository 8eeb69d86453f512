#!/usr/bin/env python3
"""Peak memory of each notebook's kernel: what one learner needs on a JupyterHub.

Usage::

    python tools/kernel_memory.py                       # every notebook, a Markdown table
    python tools/kernel_memory.py notebooks/06_*.ipynb

Each notebook runs top to bottom in a fresh kernel (on a copy: nothing is saved); at the
end the kernel's peak resident memory (``VmHWM`` in ``/proc/<pid>/status``, Linux) is
read before the kernel is shut down. The figure includes Python, numpy, matplotlib and
ipywidgets themselves (about 100 MiB before any cell runs).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def peak_mib(pid: int) -> float:
    """Peak resident set size of process ``pid`` in MiB (Linux ``VmHWM``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def measure(path: Path) -> tuple[float, float]:
    """(peak MiB, seconds) of executing ``path`` in a fresh kernel."""
    nb = nbformat.read(path, as_version=4)
    os.environ.setdefault("MPLCONFIGDIR", tempfile.mkdtemp(prefix="cnnedu-mpl-"))
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    t0 = time.perf_counter()
    with client.setup_kernel():
        pid = client.km.provisioner.pid
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        peak = peak_mib(pid)
    return peak, time.perf_counter() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebooks", nargs="*", type=Path)
    args = ap.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    print("| notebook | kernel peak memory | run time |\n| --- | --- | --- |")
    for p in paths:
        peak, seconds = measure(p.resolve())
        print(f"| `{p.name}` | {peak:.0f} MiB | {seconds:.0f} s |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
