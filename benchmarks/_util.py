"""Timing helpers: round-robin repeats and paired ratios (ratios measured side by side)."""

from __future__ import annotations

import gc
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable


def interleaved(
    fns: dict[str, Callable[[], object]], repeats: int, warmup: int = 2, collect: bool = True
):
    """Run every callable once per repeat, rotating the start; return seconds per case.

    ``collect`` runs a full garbage collection before each timed call. Turn it off when the
    case talks to a server: the collection leaves the server idle for tens of milliseconds,
    and the timed call then measures its wake-up instead of a warm round trip.
    """
    names = list(fns)
    for name in names:
        for _ in range(warmup):
            fns[name]()
    out: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            if collect:
                gc.collect()
            start = time.perf_counter()
            fns[name]()
            out[name].append(time.perf_counter() - start)
    return out


def paired_ratio(a: list[float], b: list[float]) -> float:
    """Median of the per-repeat ratios a[i] / b[i]."""
    return statistics.median(x / y for x, y in zip(a, b))


def child_env() -> dict[str, str]:
    """The environment for timed children: bytecode caching on, as on users' machines.

    With PYTHONDONTWRITEBYTECODE set (as on this workplace's machines) an editable install
    recompiles its sources in every process, while installed wheels were byte-compiled by pip.
    """
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_process(code: str) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of ``python -c code`` in a fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code], env=child_env())
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        raise RuntimeError(f"child failed: {code}")
    return elapsed, usage.ru_maxrss


def fmt(seconds: float) -> str:
    return f"{seconds * 1e3:8.2f} ms" if seconds < 1 else f"{seconds:8.3f} s "


def alternate_trees(
    script: str, runs: int, against: str, rounds: int
) -> tuple[dict[str, dict[str, list[float]]], dict[str, list[float]], int]:
    """Runs ``script RUNS --json`` on this tree and on ``against``, alternating each round.

    The script, run with ``--json``, prints one line: case name -> list of seconds. The two
    trees of a round run back to back, so a round's ratio is measured under one load.

    Returns:
        (seconds by tree ("this tree", "against") and case, each case's per-round ratios of
        medians this / against, runs per round).
    """
    here = os.path.dirname(os.path.dirname(os.path.abspath(script)))
    trees = {"this tree": here, "against": os.path.abspath(against)}
    samples: dict[str, dict[str, list[float]]] = {label: {} for label in trees}
    ratios: dict[str, list[float]] = {}
    per_round = max(runs // rounds, 1)
    for round_ in range(rounds):
        order = list(trees.items()) if round_ % 2 == 0 else list(trees.items())[::-1]
        medians: dict[str, dict[str, float]] = {}
        for label, tree in order:
            out = subprocess.run(
                [sys.executable, os.path.abspath(script), str(per_round), "--json"],
                env={**os.environ, "PYTHONPATH": tree},
                cwd=tree,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            for name, values in json.loads(out.strip().splitlines()[-1]).items():
                samples[label].setdefault(name, []).extend(values)
                medians.setdefault(name, {})[label] = statistics.median(values)
        for name, pair in medians.items():
            ratios.setdefault(name, []).append(pair["this tree"] / pair["against"])
    return samples, ratios, per_round


def print_alternated(
    title: str,
    against: str,
    samples: dict[str, dict[str, list[float]]],
    ratios: dict[str, list[float]],
    width: int,
) -> None:
    """Prints what :func:`alternate_trees` measured: medians per tree and the rounds' ratios."""
    print(title)
    print(f"  against: {os.path.abspath(against)}")
    for name in samples["this tree"]:
        ours = statistics.median(samples["this tree"][name])
        other = statistics.median(samples["against"][name])
        print(
            f"  {name:<{width}} this tree {ours * 1e3:.3f} ms   against {other * 1e3:.3f} ms   "
            f"ratio {statistics.median(ratios[name]):.2f} (rounds "
            f"{min(ratios[name]):.2f}-{max(ratios[name]):.2f})"
        )
