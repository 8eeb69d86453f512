"""The small real data sets shipped inside the package, and seeded synthetic ones.

Loaders: :mod:`cnnedu.data.loaders`; synthetic bars: :mod:`cnnedu.data.synthetic`.
"""
from cnnedu.data.loaders import (
    FILES,
    IMAGES,
    data_dir,
    list_images,
    load_image,
    load_color_image,
    load_grey_image,
    to_grey,
    load_digits,
    train_test_split,
)

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
