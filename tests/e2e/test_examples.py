"""The README's main job and the tour run as a user runs them (fresh process, no account)."""

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        (
            "seed_flow.py",
            ["embedded emulator at http://127.0.0.1:", "Bell counts:", "same counts: True"],
        ),
        ("tour.py", ["least busy device:", "estimator in session", "batch counts:", "retrieved"]),
    ],
)
def test_example_runs(script, expected, tmp_path):
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / script)],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert out.returncode == 0, out.stderr[-3000:]
    for text in expected:
        assert text in out.stdout
