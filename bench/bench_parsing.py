"""Times the parsers on the pathological inputs of issue 13 at 10 KB, 100 KB and 1 MB, against the old patterns.

    python bench/bench_parsing.py

For each shape it prints the CPU time of ``windows_version``, ``container_error`` and ``select_manifest`` at
each size and the growth from 100 KB to 1 MB (10 when linear). The obvious alternative is the pattern each
shape used to hit: the old table-header and ``Host is Microsoft Windows`` patterns are timed on inputs a
hundred times smaller, and the ratio says how much slower they are there already. Goal: every shape parsed in
under 1 s of CPU per MB, growth under 20; the script exits 1 when a figure misses it.
"""

from __future__ import annotations

import contextlib
import re
import sys
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / ".tmp" / "collections"))

from ansible_collections.wincontainers.compat.plugins.module_utils.container_error import (  # noqa: E402
    container_error,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import WinCompatError  # noqa: E402
from ansible_collections.wincontainers.compat.plugins.module_utils.manifest import select_manifest  # noqa: E402
from ansible_collections.wincontainers.compat.plugins.module_utils.version import windows_version  # noqa: E402

SIZES = (10_000, 100_000, 1_000_000)
SHAPES: dict[str, Callable[[int], str]] = {
    "table header, newlines": lambda n: "Major Minor Build Revision" + "\n" * n + "x",
    "B.R tokens (a log)": lambda n: "".join(f"{29000 + i % 30000}.{i} " for i in range(n // 12)),
    "blank lines": lambda n: "x" + " \n" * (n // 2) + "x",
    "Host is Microsoft Windows, one line": lambda n: "Host is Microsoft Windows " * (n // 26),
    "image references": lambda n: " ".join(f"a/windows:x{i}" for i in range(n // 14)),
    "JSON brackets": lambda n: "[" * n,
    "digits": lambda n: "1" * n,
}
PARSERS: dict[str, Callable[[Any], Any]] = {
    "windows_version": windows_version,
    "container_error": container_error,
    "select_manifest": lambda text: select_manifest(text, "10.0.17763.437"),
}
# The patterns before the fix, timed on small inputs only: they are cubic or quadratic.
OLD = {
    "table header, newlines": (
        re.compile(r"Major\s+Minor\s+Build\s+Revision\s*\n[\s-]*\n\s*(\d+)\s+(\d+)\s+(\d{4,5})\s+(\d+)", re.I),
        "windows_version",
        200,
    ),
    "Host is Microsoft Windows, one line": (
        re.compile(r"Host is Microsoft Windows[^\n]*? - (10\.0\.\d{5})", re.I),
        "container_error",
        10_000,
    ),
}


def cpu(call: Callable[[], Any]) -> float:
    best = float("inf")
    for _run in range(3):
        start = time.process_time()
        with contextlib.suppress(WinCompatError):
            call()
        best = min(best, time.process_time() - start)
    return best


def main() -> int:
    missed = []
    print(f"{'shape':38} {'parser':16} " + " ".join(f"{size // 1000:>7} KB" for size in SIZES) + "  growth")
    for shape, make in SHAPES.items():
        inputs = {size: make(size) for size in SIZES}
        for name, parse in PARSERS.items():
            times = {size: cpu(lambda text=inputs[size], parse=parse: parse(text)) for size in SIZES}
            growth = times[SIZES[-1]] / max(times[SIZES[-2]], 1e-4)
            print(f"{shape:38} {name:16} " + " ".join(f"{times[s]:9.4f}s" for s in SIZES) + f"  {growth:5.1f}x")
            if times[SIZES[-1]] > 1.0 or growth > 20:
                missed.append(f"{shape} / {name}")
    print("\nagainst the old pattern alone, on a small input:")
    for shape, (pattern, name, size) in OLD.items():
        text = SHAPES[shape](size)
        old = cpu(lambda text=text, pattern=pattern: pattern.search(text))
        new = cpu(lambda text=text, parse=PARSERS[name]: parse(text))
        print(f"{shape:38} {size:>7} chars: old pattern {old:.4f}s, {name} now {new:.5f}s: {old / max(new, 1e-6):.0f}x")
    if missed:
        print("goal missed: " + ", ".join(missed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
