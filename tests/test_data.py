"""Tests for cnnedu.data (the shipped files and their loaders) and tools/make_data.py."""
from __future__ import annotations

import hashlib
import importlib.util
import shutil
from pathlib import Path

import numpy as np
import pytest

from cnnedu import data

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "cnnedu" / "data" / "files"


@pytest.fixture
def tmp_data(tmp_path, monkeypatch):
    """A copy of the shipped data folder that CNNEDU_DATA points at."""
    for f in data.FILES:
        shutil.copy(DATA / f, tmp_path / f)
    monkeypatch.setenv("CNNEDU_DATA", str(tmp_path))
    return tmp_path


def test_shipped_files_match_pinned_sha256_and_readme():
    readme = (DATA / "README.md").read_text()
    total = 0
    for name, spec in data.FILES.items():
        raw = (DATA / name).read_bytes()
        total += len(raw)
        assert hashlib.sha256(raw).hexdigest() == spec["sha256"], name
        assert spec["sha256"] in readme and f"`{name}`" in readme
    assert total < 1_000_000


def test_data_dir_default_and_env(monkeypatch, tmp_path):
    monkeypatch.delenv("CNNEDU_DATA", raising=False)
    assert data.data_dir() == DATA
    monkeypatch.setenv("CNNEDU_DATA", str(tmp_path))
    assert data.data_dir() == tmp_path


@pytest.mark.parametrize("name", data.list_images())
def test_load_image_shapes_and_range(name):
    img = data.load_image(name)
    expected = (3, 256, 256) if data.IMAGES[name] == "color" else (256, 256)
    assert img.shape == expected and img.dtype == np.float64
    assert 0.0 <= img.min() < 0.3 and 0.75 < img.max() <= 1.0 and img.std() > 0.05
    grey = data.load_grey_image(name, size=64, dtype=np.float32)
    assert grey.shape == (64, 64) and grey.dtype == np.float32
    assert 0.0 <= grey.min() and grey.max() <= 1.0


def test_color_and_grey_loaders():
    c = data.load_color_image()
    assert c.shape == (3, 256, 256) and c.dtype == np.float64
    np.testing.assert_array_equal(c, data.load_image("astronaut"))
    g = data.load_grey_image()
    assert g.shape == (256, 256)
    np.testing.assert_array_equal(g, data.load_image("camera"))
    # block-mean downscaling keeps the mean
    small = data.load_color_image("chelsea", size=32)
    assert small.shape == (3, 32, 32)
    np.testing.assert_allclose(small.mean(), data.load_color_image("chelsea").mean())
    # values are uint8 / 255 exactly
    np.testing.assert_allclose(c * 255, np.round(c * 255), atol=1e-9)


def test_to_grey_weights():
    rgb = np.zeros((3, 1, 3))
    rgb[0, 0, 0] = rgb[1, 0, 1] = rgb[2, 0, 2] = 1.0
    np.testing.assert_allclose(data.to_grey(rgb), [[0.299, 0.587, 0.114]])
    assert data.to_grey(rgb.astype(np.float32)).dtype == np.float32
    with pytest.raises(ValueError, match=r"\(3, H, W\).*\(4, 4\)"):
        data.to_grey(np.zeros((4, 4)))


def test_load_digits():
    images, labels = data.load_digits()
    assert images.shape == (1797, 1, 8, 8) and images.dtype == np.float64
    assert labels.shape == (1797,) and labels.dtype == np.int64
    assert images.min() == 0.0 and images.max() == 1.0
    np.testing.assert_array_equal(images * 16, np.round(images * 16))
    counts = np.bincount(labels)
    assert counts.size == 10 and counts.min() >= 170 and counts.sum() == 1797
    # a zero looks like a ring: dark centre, bright around it
    zero = images[labels == 0].mean(axis=0)[0]
    assert zero[3:5, 3:5].mean() < 0.1 and zero[2:6, 2].mean() > 0.7
    f32, _ = data.load_digits(dtype=np.float32)
    assert f32.dtype == np.float32


def test_loaders_return_copies_not_the_cache():
    images, labels = data.load_digits()
    images[:] = -1
    labels[:] = -1
    again, labels2 = data.load_digits()
    assert again.min() == 0.0 and labels2.min() == 0
    img = data.load_grey_image("brick")
    img[:] = 7
    assert data.load_grey_image("brick").max() <= 1.0


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"'astronaut'.*got 'lena'"):
        data.load_image("lena")
    with pytest.raises(ValueError, match=r"'astronaut', 'chelsea'; got 'camera'"):
        data.load_color_image("camera")
    with pytest.raises(ValueError, match=r"divisor of 256.*got 100"):
        data.load_image("camera", size=100)
    with pytest.raises(TypeError, match=r"float32 or float64; got .*int"):
        data.load_digits(dtype=int)


def test_missing_file_names_path_and_how_to_rebuild(tmp_data):
    (tmp_data / "digits.npz").unlink()
    with pytest.raises(FileNotFoundError) as err:
        data.load_digits()
    msg = str(err.value)
    assert str(tmp_data / "digits.npz") in msg
    assert "CNNEDU_DATA" in msg and "tools/make_data.py" in msg


def test_corrupt_file_gives_expected_and_actual_sha256(tmp_data):
    path = tmp_data / "camera.npz"
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0x01  # one flipped bit in the pixels: still a valid npz
    path.write_bytes(bytes(raw))
    actual = hashlib.sha256(bytes(raw)).hexdigest()
    with pytest.raises(ValueError) as err:
        data.load_grey_image("camera")
    msg = str(err.value)
    assert str(path) in msg
    assert data.FILES["camera.npz"]["sha256"] in msg and actual in msg
    # the other files in the same folder still load
    assert data.load_grey_image("brick").shape == (256, 256)


def test_train_test_split_stratified_and_seeded():
    images, labels = data.load_digits()
    x_tr, x_te, y_tr, y_te = data.train_test_split(images, labels, test_fraction=0.2, seed=0)
    assert x_tr.shape[0] + x_te.shape[0] == 1797 and x_tr.shape[1:] == (1, 8, 8)
    assert y_te.size == sum(round(0.2 * c) for c in np.bincount(labels))
    # stratified: each class's share of the test set is its share of the data
    np.testing.assert_allclose(np.bincount(y_te) / y_te.size, np.bincount(labels) / 1797,
                               atol=0.005)
    # every sample lands in exactly one part
    both = np.concatenate([x_tr, x_te]).reshape(1797, -1)
    assert sorted(map(bytes, both)) == sorted(map(bytes, images.reshape(1797, -1)))
    # same seed, same split; another seed, another split
    again = data.train_test_split(images, labels, test_fraction=0.2, seed=0)
    np.testing.assert_array_equal(again[3], y_te)
    other = data.train_test_split(images, labels, test_fraction=0.2, seed=1)
    assert not np.array_equal(other[3], y_te)
    # not stratified: plain sizes
    _, _, y_tr2, y_te2 = data.train_test_split(images, labels, 0.25, stratify=False)
    assert y_te2.size == round(0.25 * 1797) and y_tr2.size == 1797 - y_te2.size


def test_train_test_split_bad_input():
    x = np.zeros((10, 2))
    with pytest.raises(ValueError, match=r"same length N.*\(10, 2\).*\(9,\)"):
        data.train_test_split(x, np.zeros(9, dtype=int))
    with pytest.raises(ValueError, match=r"integer labels.*float64"):
        data.train_test_split(x, np.zeros(10))
    with pytest.raises(ValueError, match=r"test_fraction.*got 1.5"):
        data.train_test_split(x, np.zeros(10, dtype=int), test_fraction=1.5)


def _load_make_data():
    spec = importlib.util.spec_from_file_location("make_data", ROOT / "tools" / "make_data.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_halve_is_exact_integer_block_mean():
    make_data = _load_make_data()
    img = np.array([[0, 1, 255, 255], [1, 1, 254, 255]], dtype=np.uint8)
    np.testing.assert_array_equal(make_data.halve(img), [[1, 255]])  # 3/4 rounds up to 1
    rgb = np.stack([img, img // 2, img * 0], axis=-1)
    assert make_data.halve(rgb).shape == (1, 2, 3)


def test_make_data_is_deterministic_and_matches_shipped(tmp_path, capsys):
    pytest.importorskip("skimage")
    pytest.importorskip("sklearn")
    make_data = _load_make_data()
    assert make_data.main(["--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    rebuilt = {name: make_data.to_bytes(arrays) for name, arrays in make_data.build().items()}
    assert set(rebuilt) == set(data.FILES)
    for name, spec in data.FILES.items():
        written = (tmp_path / name).read_bytes()
        assert written == rebuilt[name], name  # two builds, the same bytes
        assert hashlib.sha256(written).hexdigest() == spec["sha256"], name
        assert spec["sha256"] in printed


def test_loading_writes_nothing_into_the_package(monkeypatch):
    """JupyterHub installs are read-only: loading every file (cache cleared, so each is
    read and verified again) leaves the package folder exactly as it was."""
    monkeypatch.delenv("CNNEDU_DATA", raising=False)
    pkg = Path(data.__file__).resolve().parent

    def tree():
        return {str(p.relative_to(pkg)): (p.stat().st_size, p.stat().st_mtime_ns)
                for p in sorted(pkg.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}

    before = tree()
    data.loaders._read.cache_clear()
    for name in data.list_images():
        data.load_image(name, size=64, dtype=np.float32)
        data.load_grey_image(name)
    data.load_digits()
    assert tree() == before


def test_the_face_exports_every_loader():
    from cnnedu.data import loaders

    assert data.__all__ == loaders.__all__
    assert all(getattr(data, n) is getattr(loaders, n) for n in data.__all__)


@pytest.mark.parametrize("seed, kind", [(-1, ValueError), ("abc", TypeError), (True, TypeError),
                                        (2.5, TypeError)])
def test_train_test_split_refuses_bad_seeds_with_a_clear_message(seed, kind):
    x, y = np.zeros((10, 2)), np.array([0] * 5 + [1] * 5)
    with pytest.raises(kind, match="train_test_split: seed must be"):
        data.train_test_split(x, y, 0.2, seed)


@pytest.mark.parametrize("fraction, kind", [(0, ValueError), (1.0, ValueError), ("a", TypeError),
                                            (float("nan"), ValueError), (True, TypeError)])
def test_train_test_split_refuses_bad_fractions(fraction, kind):
    x, y = np.zeros((10, 2)), np.array([0] * 5 + [1] * 5)
    with pytest.raises(kind, match="test_fraction"):
        data.train_test_split(x, y, fraction)


def test_train_test_split_accepts_numpy_scalars():
    x, y = np.zeros((10, 2)), np.array([0] * 5 + [1] * 5)
    assert data.train_test_split(x, y, np.float32(0.2), np.int64(3))[1].shape == (2, 2)
