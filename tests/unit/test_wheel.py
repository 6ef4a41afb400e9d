"""The wheel a user installs: every sub-package, the typing marker, the console script, no tests.

Built from a copy of the sources (so the working tree gets no build/ or egg-info), with the
build tools already installed (``--no-build-isolation --no-index``: nothing is downloaded).
"""

import configparser
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[2]
_SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "dist")


def test_the_wheel_holds_the_package_with_py_typed_and_no_tests(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for name in ("qiskit_rest_provider", "tests"):
        shutil.copytree(ROOT / name, source / name, ignore=_SKIP)
    out = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
        + ["--no-index", "-w", str(out), str(source)],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("qiskit_rest_provider-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        scripts = configparser.ConfigParser()
        scripts.read_string(archive.read(entry_points).decode())

    assert "qiskit_rest_provider/py.typed" in names
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/", "examples/"))]
    packages = {
        p.relative_to(ROOT).as_posix() for p in (ROOT / "qiskit_rest_provider").rglob("__init__.py")
    }
    assert packages <= names  # every sub-package, however deep, made it in
    modules = {
        p.relative_to(ROOT).as_posix() for p in (ROOT / "qiskit_rest_provider").rglob("*.py")
    }
    assert modules <= names
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert dict(scripts["console_scripts"]) == declared
    assert declared  # the emulator's command at least
    for target in declared.values():  # every command's module made it into the wheel
        module = target.split(":")[0].replace(".", "/")
        assert f"{module}.py" in names or f"{module}/__init__.py" in names
