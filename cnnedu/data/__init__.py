"""The small real data sets shipped inside the package, and seeded synthetic ones.

Loaders: :mod:`cnnedu.data.loaders`; synthetic bars: :mod:`cnnedu.data.synthetic`.
"""
from cnnedu.data import loaders as _loaders
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

# the same names, in the same order, as the loaders module exports
__all__ = list(_loaders.__all__)
