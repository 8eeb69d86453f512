"""The small real data sets shipped inside the package: photographs and handwritten digits.

Nothing is downloaded: the files are package data in ``cnnedu/data/files/`` (see its
``README.md`` for their sources, licences and checksums, and ``tools/make_data.py`` to
rebuild them), read with :mod:`importlib.resources`, so they load the same from an
editable install, ``pip install .``, a wheel or a git-URL install. Every loader checks the
file's sha256 against the value pinned here, so a truncated or edited file fails with a
clear message instead of a strange picture. Nothing here ever writes a file.

The data folder is the package's ``files/`` folder, or the folder named by the environment
variable ``CNNEDU_DATA`` when it is set.

>>> load_color_image().shape
(3, 256, 256)
>>> load_grey_image("camera", size=64).shape
(64, 64)
>>> images, labels = load_digits()
>>> images.shape, labels.shape, labels.dtype.name
((1797, 1, 8, 8), (1797,), 'int64')
>>> list_images()
['astronaut', 'chelsea', 'camera', 'brick']
"""
from __future__ import annotations

import functools
import hashlib
import io
import os
from importlib import resources
from pathlib import Path

import numpy as np

from cnnedu._validate import as_float_array, as_rng, check_choice, describe, float_dtype, real

__all__ = [
    "FILES",
    "IMAGES",
    "data_dir",
    "list_images",
    "load_image",
    "load_color_image",
    "load_grey_image",
    "to_grey",
    "load_digits",
    "train_test_split",
]

#: Every shipped file: its pinned sha256 and the arrays it holds (key -> (shape, dtype)).
FILES = {
    "astronaut.npz": {
        "sha256": "775599c50c44a0a724b6bcf69dffc5abd8ed23e1b4e4473b4458b9792907bea5",
        "arrays": {"image": ((3, 256, 256), "uint8")},
    },
    "chelsea.npz": {
        "sha256": "31e7b44db387a9608244b02c8982583ed05a61a7d12b33a3b5f9bf5d024ed418",
        "arrays": {"image": ((3, 256, 256), "uint8")},
    },
    "camera.npz": {
        "sha256": "f3c36d30981ae03e8df5fd880176c303a772247ff1ef2ea57388a3e381514258",
        "arrays": {"image": ((256, 256), "uint8")},
    },
    "brick.npz": {
        "sha256": "a7994654c59beced876adea1a3a4c3e6fe54d99af11f77fb90148e3bb10cead5",
        "arrays": {"image": ((256, 256), "uint8")},
    },
    "digits.npz": {
        "sha256": "1dc781c8fe699ce12f056a510e6dd518c795428f089effc1a3e2eec0f3ece269",
        "arrays": {"images": ((1797, 8, 8), "uint8"), "labels": ((1797,), "uint8")},
    },
}

#: The photographs by name, in display order: name -> "color" or "grey".
IMAGES = {"astronaut": "color", "chelsea": "color", "camera": "grey", "brick": "grey"}

_SIZE = 256
_REBUILD = (
    "The data files ship inside the package (cnnedu/data/files/); reinstall cnnedu, restore "
    "them from git (git checkout -- cnnedu/data/files/) or rebuild them with "
    "`python tools/make_data.py` "
    "(needs scikit-image and scikit-learn)."
)


def data_dir() -> Path:
    """The folder the loaders read: ``$CNNEDU_DATA`` if set, else the package's ``files/``.

    The package folder is found with :func:`importlib.resources.files`, which gives a real
    directory for every ordinary install (editable, ``pip install .``, wheel, git URL).
    """
    env = os.environ.get("CNNEDU_DATA")
    if env:
        return Path(env).expanduser()
    return Path(str(resources.files("cnnedu.data") / "files"))


@functools.lru_cache(maxsize=None)
def _read(path_str: str, file_name: str) -> dict[str, np.ndarray]:
    """Read, verify and cache one file's arrays (read-only; callers get copies)."""
    path = Path(path_str)
    spec = FILES[file_name]
    origin = "set by CNNEDU_DATA" if os.environ.get("CNNEDU_DATA") else "the default"
    if not path.is_file():
        raise FileNotFoundError(
            f"cnnedu.data: data file {file_name} not found; looked for {path} "
            f"(data folder {path.parent}, {origin}). {_REBUILD}"
        )
    raw = path.read_bytes()
    actual = hashlib.sha256(raw).hexdigest()
    if actual != spec["sha256"]:
        raise ValueError(
            f"cnnedu.data: data file {path} is corrupt or from another version: "
            f"expected sha256 {spec['sha256']}, got {actual}. {_REBUILD}"
        )
    with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
        arrays = {key: npz[key] for key in npz.files}
    for key, (shape, dtype) in spec["arrays"].items():
        a = arrays.get(key)
        if a is None or a.shape != shape or a.dtype != np.dtype(dtype):
            raise ValueError(
                f"cnnedu.data: {path}[{key!r}] must be an array of shape {shape} and dtype "
                f"{dtype}; got {describe(a)}. {_REBUILD}"
            )
        a.setflags(write=False)
    return arrays


def _load(file_name: str) -> dict[str, np.ndarray]:
    return _read(str(data_dir() / file_name), file_name)


def _check_dtype(dtype, func: str) -> np.dtype:
    # (np.dtype(x) == None is True for float64, so a failed lookup must not become None)
    return float_dtype(dtype, "dtype", func)


def _resize(image: np.ndarray, size, func: str) -> np.ndarray:
    """Downscale the last two axes from 256 to ``size`` by block means (size divides 256)."""
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1 \
            or _SIZE % size:
        raise ValueError(
            f"{func}: size must be a divisor of {_SIZE} (256, 128, 64, 32, ...); got {size!r}"
        )
    k = _SIZE // int(size)
    if k == 1:
        return image
    lead = image.shape[:-2]
    return image.reshape(*lead, int(size), k, int(size), k).mean(axis=(-3, -1))


def list_images() -> list[str]:
    """The names :func:`load_image` accepts: colour photographs first, then grey ones."""
    return list(IMAGES)


def load_image(name: str, *, size: int = 256, dtype=np.float64) -> np.ndarray:
    """A shipped photograph by name, as it is: colour ones ``(3, H, W)``, grey ones ``(H, W)``.

    Parameters
    ----------
    name : str
        One of :func:`list_images`.
    size : int
        ``H = W = size``, a divisor of 256; smaller sizes are block means (no aliasing).
    dtype : float32 or float64

    Returns
    -------
    image : ndarray, shape (3, size, size) or (size, size)
        Values in [0, 1] (uint8 / 255).

    >>> [load_image(n, size=32).shape for n in ("astronaut", "camera")]
    [(3, 32, 32), (32, 32)]
    """
    check_choice(name, list(IMAGES), "name", "load_image")
    dt = _check_dtype(dtype, "load_image")
    image = _load(f"{name}.npz")["image"].astype(np.float64) / 255.0
    return _resize(image, size, "load_image").astype(dt, copy=False)


def to_grey(image) -> np.ndarray:
    """Luminance of a ``(3, H, W)`` RGB image (ITU-R BT.601 weights), shape ``(H, W)``.

    .. math::

        Y = 0.299\\,R + 0.587\\,G + 0.114\\,B

    >>> to_grey(np.ones((3, 2, 2))).round(6).tolist()
    [[1.0, 1.0], [1.0, 1.0]]
    """
    img = as_float_array(image, "image", "to_grey")
    if img.ndim != 3 or img.shape[0] != 3:
        raise ValueError(
            f"to_grey: image must have shape (3, H, W) (RGB, channels first); got {describe(img)}"
        )
    weights = np.array([0.299, 0.587, 0.114], dtype=img.dtype)
    return np.tensordot(weights, img, axes=1)


def load_color_image(name: str = "astronaut", *, size: int = 256,
                     dtype=np.float64) -> np.ndarray:
    """A colour photograph, ``(3, size, size)`` channels first, values in [0, 1].

    ``name`` is one of the colour images in :data:`IMAGES` (``"astronaut"``, ``"chelsea"``).
    """
    check_choice(name, [n for n, k in IMAGES.items() if k == "color"], "name",
                 "load_color_image")
    return load_image(name, size=size, dtype=dtype)


def load_grey_image(name: str = "camera", *, size: int = 256,
                    dtype=np.float64) -> np.ndarray:
    """A grey photograph, ``(size, size)``, values in [0, 1].

    Any name of :func:`list_images` works: colour photographs are converted with
    :func:`to_grey`.
    """
    check_choice(name, list(IMAGES), "name", "load_grey_image")
    image = load_image(name, size=size, dtype=dtype)
    return to_grey(image) if image.ndim == 3 else image


def load_digits(*, dtype=np.float64) -> tuple[np.ndarray, np.ndarray]:
    """The 1797 handwritten digits (UCI optdigits, 8x8), as a CNN wants them.

    Returns
    -------
    images : ndarray, shape (1797, 1, 8, 8)
        One channel; the original pixel counts 0..16 divided by 16, so values in [0, 1].
    labels : ndarray of int64, shape (1797,)
        The digit, 0..9 (about 180 of each).

    >>> images, labels = load_digits()
    >>> float(images.min()), float(images.max()), int(labels.max())
    (0.0, 1.0, 9)
    """
    dt = _check_dtype(dtype, "load_digits")
    arrays = _load("digits.npz")
    images = (arrays["images"][:, None].astype(np.float64) / 16.0).astype(dt, copy=False)
    return images, arrays["labels"].astype(np.int64)


def train_test_split(x, y, test_fraction: float = 0.2, seed: int = 0, *,
                     stratify: bool = True):
    """Split ``x`` and ``y`` into a shuffled train and test part, reproducibly.

    Stratified by default: each class contributes ``round(test_fraction * n_class)`` of
    its samples to the test set, so both parts keep the class proportions. Both parts are
    then shuffled. The same ``seed`` gives the same split.

    Parameters
    ----------
    x : array_like, shape (N, ...)
    y : array_like of int, shape (N,)
    test_fraction : float in (0, 1)
    seed : int
    stratify : bool
        False: a plain random split with ``round(test_fraction * N)`` test samples.

    Returns
    -------
    x_train, x_test, y_train, y_test : ndarray
        (copies, in scikit-learn's order)

    >>> x, y = np.arange(20).reshape(10, 2), np.array([0] * 5 + [1] * 5)
    >>> x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_fraction=0.4)
    >>> x_tr.shape, x_te.shape, np.bincount(y_te).tolist()
    ((6, 2), (4, 2), [2, 2])
    """
    func = "train_test_split"
    x = np.asarray(x)
    y = np.asarray(y)
    if y.ndim != 1 or y.dtype.kind not in "iu":
        raise ValueError(f"{func}: y must be a 1-D array of integer labels; got {describe(y)}")
    if x.ndim < 1 or x.shape[0] != y.shape[0]:
        raise ValueError(
            f"{func}: x and y must have the same length N; got x of shape {x.shape} "
            f"and y of shape {y.shape}"
        )
    test_fraction = real(test_fraction, "test_fraction", func, minimum=0, maximum=1,
                         expected="a number in (0, 1)")
    if not 0 < test_fraction < 1:
        raise ValueError(f"{func}: test_fraction must be a number in (0, 1); got {test_fraction!r}")
    rng = as_rng(seed, "seed", func, allow_none=False)
    if stratify:
        test_parts = []
        for c in np.unique(y):
            idx = rng.permutation(np.flatnonzero(y == c))
            test_parts.append(idx[: int(round(test_fraction * idx.size))])
        test = np.concatenate(test_parts)
    else:
        test = rng.permutation(y.size)[: int(round(test_fraction * y.size))]
    mask = np.zeros(y.size, dtype=bool)
    mask[test] = True
    train = rng.permutation(np.flatnonzero(~mask))
    test = rng.permutation(np.flatnonzero(mask))
    return x[train], x[test], y[train], y[test]
