"""Regenerate the small data files shipped in ``cnnedu/data/files/`` (developer tool).

The series itself never needs scikit-image or scikit-learn: it reads the shipped files
with :mod:`cnnedu.data`. This script rebuilds them from the public-domain / CC0 sample
images bundled in scikit-image's wheel and the UCI optdigits set bundled in
scikit-learn's wheel, and prints each file's size and sha256 (for
``cnnedu/data/files/README.md`` and the checksums pinned in ``cnnedu/data/loaders.py``).

Usage::

    pip install scikit-image scikit-learn
    python tools/make_data.py            # writes cnnedu/data/files/*.npz
    python tools/make_data.py --out DIR  # writes elsewhere (the tests use this)
    python tools/make_data.py --check    # rebuild in memory, compare with the pinned sha256

Output is deterministic, byte for byte:

- the images are downscaled with exact integer arithmetic (2x2 block mean, rounded half
  up) or cropped, never with a floating-point resampler whose last bit could change
  between library versions;
- the files are *uncompressed* ``.npz`` archives (``np.savez``): the npy format is fixed,
  and numpy writes every zip entry with the fixed timestamp 1980-01-01, so the same
  arrays always give the same bytes (no zlib version in the way).
"""
from __future__ import annotations

import argparse
import hashlib
import io
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def halve(img: np.ndarray) -> np.ndarray:
    """Downscale a uint8 image by 2 in H and W: the mean of each 2x2 block, rounded half up.

    ``img`` is ``(H, W)`` or ``(H, W, C)`` with even H and W; integer arithmetic only.
    """
    h, w = img.shape[:2]
    if h % 2 or w % 2:
        raise ValueError(f"halve: H and W must be even; got {img.shape}")
    a = img.astype(np.uint16).reshape(h // 2, 2, w // 2, 2, *img.shape[2:])
    return ((a.sum(axis=(1, 3)) + 2) // 4).astype(np.uint8)


def build() -> dict[str, dict[str, np.ndarray]]:
    """Every shipped file as ``{file name: {key: array}}``."""
    import skimage.data
    import sklearn.datasets

    def chw(img):
        return np.ascontiguousarray(img.transpose(2, 0, 1))

    files = {
        # 512x512 RGB -> 256x256, stored channels first (3, 256, 256).
        "astronaut.npz": {"image": chw(halve(skimage.data.astronaut()))},
        # 300x451 RGB: a 256x256 crop around the cat's face, no resampling.
        "chelsea.npz": {"image": chw(skimage.data.chelsea()[22:278, 100:356])},
        # 512x512 grey -> 256x256.
        "camera.npz": {"image": halve(skimage.data.camera())},
        "brick.npz": {"image": halve(skimage.data.brick())},
    }
    digits = sklearn.datasets.load_digits()
    images = digits.images
    if images.min() < 0 or images.max() > 16 or not np.array_equal(images, np.round(images)):
        raise ValueError("load_digits: expected integer pixels in 0..16")
    files["digits.npz"] = {
        "images": images.astype(np.uint8),             # (1797, 8, 8), 0..16
        "labels": digits.target.astype(np.uint8),      # (1797,), 0..9
    }
    return files


def to_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """The ``.npz`` bytes of ``arrays`` (uncompressed, deterministic)."""
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "cnnedu" / "data" / "files",
                        help="folder to write into (default: cnnedu/data/files/)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; compare with the sha256 pinned in cnnedu/data/loaders.py")
    args = parser.parse_args(argv)

    blobs = {name: to_bytes(arrays) for name, arrays in build().items()}
    if args.check:
        sys.path.insert(0, str(ROOT))
        from cnnedu.data import FILES
        bad = [n for n, b in blobs.items() if FILES[n]["sha256"] != sha256(b)]
        for n in bad:
            print(f"{n}: pinned {FILES[n]['sha256']}, rebuilt {sha256(blobs[n])}")
        print("ok" if not bad else f"{len(bad)} file(s) differ")
        return 1 if bad else 0

    args.out.mkdir(parents=True, exist_ok=True)
    total = 0
    for name, data in blobs.items():
        (args.out / name).write_bytes(data)
        total += len(data)
        print(f"{name:14s} {len(data):8d} bytes  sha256 {sha256(data)}")
    print(f"{'total':14s} {total:8d} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
