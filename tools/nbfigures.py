#!/usr/bin/env python3
"""Write every figure of saved notebooks to PNG files, to look at them.

Usage:
    python tools/nbfigures.py notebooks/01_filters_as_templates.ipynb [--out /tmp/figs]

Files are named ``<notebook>-cell<NN>-<k>.png`` (NN = index of the cell in the notebook).
"""
from __future__ import annotations

import argparse
import base64
import json
from pathlib import Path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebooks", nargs="+", type=Path)
    ap.add_argument("--out", type=Path, default=Path("/tmp/cnnedu-figures"))
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for path in args.notebooks:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for i, cell in enumerate(nb["cells"]):
            k = 0
            for out in cell.get("outputs", []):
                png = out.get("data", {}).get("image/png")
                if png:
                    f = args.out / f"{path.stem}-cell{i:02d}-{k}.png"
                    f.write_bytes(base64.b64decode("".join(png)))
                    print(f)
                    k += 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
