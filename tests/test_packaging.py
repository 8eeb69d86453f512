"""The install files agree with each other and with the README."""
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")


def _norm(spec: str) -> tuple[str, str]:
    """('numpy', '>=1.23') from 'numpy>=1.23' (names lower-cased, '_' as '-')."""
    m = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*", spec)
    assert m, f"cannot read the requirement {spec!r}"
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def pyproject_deps() -> dict[str, str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = list(meta["dependencies"])
    for extra in ("lab", "test"):
        specs += meta["optional-dependencies"][extra]
    return dict(_norm(s) for s in specs)


def conda_deps() -> dict[str, str]:
    text = (ROOT / "environment.yml").read_text()
    block = text.split("dependencies:", 1)[1]
    items = re.findall(r"^\s*-\s*([^\s#][^#\n]*?)\s*$", block, flags=re.M)
    deps = dict(_norm(s) for s in items)
    deps.pop("python", None)
    deps.pop("pip", None)
    return deps


def test_runtime_dependencies_are_numpy_matplotlib_ipywidgets_pillow_only():
    # Pillow comes with matplotlib anyway; it is named because cnnedu.viz.render uses it
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert {_norm(s)[0] for s in meta["dependencies"]} == {
        "numpy", "matplotlib", "ipywidgets", "pillow"}
    assert meta["requires-python"] == ">=3.10"


def test_environment_yml_lists_the_same_dependency_set_as_pyproject():
    py, conda = pyproject_deps(), conda_deps()
    only_pip = {k: v for k, v in py.items() if k not in conda}
    only_conda = {k: v for k, v in conda.items() if k not in py}
    assert not only_pip and not only_conda, (
        f"pyproject.toml only: {only_pip}; environment.yml only: {only_conda}")
    differ = {k: (py[k], conda[k]) for k in py if py[k] != conda[k]}
    assert not differ, f"version bounds differ (pyproject, environment.yml): {differ}"


def test_environment_yml_uses_conda_forge_and_python_310():
    text = (ROOT / "environment.yml").read_text()
    assert "conda-forge" in text
    assert re.search(r"^\s*-\s*python>=3\.10\s*$", text, flags=re.M)
    assert "pip install --no-deps -e ." in (ROOT / "postBuild").read_text()


def quickstart_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = text.split("<!-- quickstart:start -->", 1)[1].split("<!-- quickstart:end -->", 1)[0]
    return re.findall(r"```bash\n(.*?)\n```", block, flags=re.S)


def test_readme_quick_start_is_exactly_two_commands():
    cmds = quickstart_commands()
    assert len(cmds) == 2, cmds
    assert all("\n" not in c for c in cmds), "each command is one line"
    assert "[lab]" in cmds[0] and "jupyterlab" in cmds[0] and "notebooks/" in cmds[0]
    assert "[test]" in cmds[1] and cmds[1].rstrip().endswith("python -m pytest")


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "quickstart:start" in ci and "eval" in ci
    assert "apt-get install" in ci and "chromium" in ci
    assert "CNNEDU_REQUIRE_BROWSER=1" in ci


def test_readme_states_the_symbols():
    text = (ROOT / "README.md").read_text()
    for s in ("(N, C, H, W)", "(F, C, kh, kw)", "(F,)", "(N, F, H_out, W_out)",
              "H_out = (H + 2*padding - kh) // stride + 1"):
        assert s in text, s


def test_pytest_runs_strict_nbval_not_lax():
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert "--nbval" in cfg["addopts"] and "--nbval-lax" not in cfg["addopts"]
    assert "notebooks" in cfg["testpaths"]


def test_readme_says_how_to_install_without_editable():
    text = (ROOT / "README.md").read_text()
    assert 'python -m pip install ".[lab]"' in text          # from a checkout, not -e
    assert re.search(r"pip install \"cnnedu\[lab\] @ git\+https://", text)  # a git URL
    assert "`-e` (editable) is for working on the series" in text


def test_install_test_is_registered_and_run_by_default():
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert any(m.startswith("install:") for m in cfg["markers"])
    # nothing deselects it: the README's test command runs tests/test_install.py
    assert not any(a == "-m" or a.startswith("-m ") for a in cfg["addopts"])
    assert "tests" in cfg["testpaths"] and (ROOT / "tests" / "test_install.py").is_file()


def test_wheel_ships_the_data_files():
    """package-data names the files test_install.py expects in the wheel."""
    tool = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert set(tool["package-data"]["cnnedu.data"]) == {"files/*.npz", "files/README.md"}


def test_tests_and_ci_leave_openblas_settings_alone():
    """Some processors here set OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE on purpose: no test,
    conftest or CI script sets or names them as a key (only a default thread count is
    filled in, with setdefault, in conftest.py)."""
    pattern = re.compile(r"""OPENBLAS_(CORETYPE|L2_SIZE)\s*=|['"]OPENBLAS_(CORETYPE|L2_SIZE)['"]""")
    files = [ROOT / "conftest.py", ROOT / ".ci" / "run", *sorted((ROOT / "tests").rglob("*.py"))]
    offending = [f"{f.relative_to(ROOT)}:{i}: {line.strip()}"
                 for f in files if f != Path(__file__)
                 for i, line in enumerate(f.read_text().splitlines(), 1) if pattern.search(line)]
    assert not offending, offending
    assert 'os.environ.setdefault(_var, "1")' in (ROOT / "conftest.py").read_text()
