"""Times the core's hot paths over 100,000 mixed inputs and compares them with the obvious alternative.

    python bench/bench_core.py [--calls N]

``windows_version`` is timed on a realistic mix (dotted versions, image tags and references, registry values,
raw ``ver``/``docker info``/``systeminfo``/``kubectl`` output) against the same parser with its string cache
bypassed, and on 100,000 distinct versions (no cache help at all). ``container_compat`` is timed on a mix of
image/host/isolation/host kind/rule set combinations against the same calls with the version cache cleared
before each call. The budget is 50 µs per call; the script exits 1 when a figure is over it.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Any, Callable, Sequence

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / ".tmp" / "collections"))

from ansible_collections.wincontainers.compat.plugins.module_utils import version as version_module  # noqa: E402
from ansible_collections.wincontainers.compat.plugins.module_utils.compat import container_compat  # noqa: E402
from ansible_collections.wincontainers.compat.plugins.module_utils.version import windows_version  # noqa: E402

BUDGET_US = 50.0

VERSION_INPUTS: list[Any] = [
    "10.0.17763.437",
    "10.0.20348.2227",
    "10.0.26100.2605",
    "10.0.14393.7515",
    "10.0.17763",
    "17763.5458",
    20348,
    "ltsc2019",
    "ltsc2022",
    "ltsc2025",
    "1809",
    "20H2",
    "1809-KB4493509",
    "ltsc2022-amd64",
    "mcr.microsoft.com/windows/nanoserver:1809",
    "mcr.microsoft.com/windows/servercore:ltsc2022",
    "mcr.microsoft.com/dotnet/framework/aspnet:4.8-windowsservercore-ltsc2019",
    "Microsoft Windows [Version 10.0.17763.437]",
    "OS Build 22631.3296",
    "beta.kubernetes.io/osbuild=14393.1715",
    "node.kubernetes.io/windows-build=10.0.17763",
    "10.0 14393 (14393.1715.amd64fre.rs1_release_inmarket.170906-1810)",
    "17763.1.amd64fre.rs5_release.180914-1434",
    "OS Version:                10.0.17763 N/A Build 17763",
    "Kernel Version: 10.0 17763 (17763.1.amd64fre.rs5_release.180914-1434)\n"
    "Operating System: Windows 10 Enterprise Version 1809 (OS Build 17763.107)\nOSType: windows\n",
    "worker-win-2   Ready    <none>   17h   v1.19.3   10.240.0.22   <none>        Windows Server 2019 Datacenter"
    "   10.0.17763.1397    containerd://1.4.1",
    {"CurrentMajorVersionNumber": 10, "CurrentMinorVersionNumber": 0, "CurrentBuildNumber": "17763", "UBR": 437},
    {"CurrentMajorVersionNumber": 10, "CurrentMinorVersionNumber": 0, "CurrentBuild": "20348", "UBR": 2227},
]
HOSTS = ["10.0.14393.7515", "10.0.17763.5458", "10.0.20348.2227", "10.0.22631.3296", "10.0.26100.2605", "ltsc2022"]
IMAGES = ["10.0.14393.7515", "10.0.17763.437", "ltsc2019", "ltsc2022", "10.0.20348.2227", "ltsc2025", "1809"]


def per_call_us(func: Callable[[Any], Any], inputs: Sequence[Any], before: Callable[[], None] | None = None) -> float:
    """Mean wall time of one call, in microseconds."""
    start = time.perf_counter()
    if before is None:
        for item in inputs:
            func(item)
    else:
        for item in inputs:
            before()
            func(item)
    return (time.perf_counter() - start) / len(inputs) * 1e6


def cost_of(before: Callable[[], None], calls: int) -> float:
    """The cost of ``before`` alone, subtracted from the cache-cleared figures."""
    start = time.perf_counter()
    for _call in range(calls):
        before()
    return (time.perf_counter() - start) / calls * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    calls = parser.parse_args().calls
    rng = random.Random(20241112)
    mixed = [rng.choice(VERSION_INPUTS) for _call in range(calls)]
    distinct = [f"10.0.{rng.randint(10240, 65535)}.{n}" for n in range(1, calls + 1)]
    pairs = [
        (
            rng.choice(IMAGES),
            rng.choice(HOSTS),
            rng.choice(["process", "hyperv"]),
            rng.choice(["server", "client"]),
            rng.choice(["documented", "containerd", "docker"]),
        )
        for _call in range(calls)
    ]
    uncached = version_module._parse_short_text.__wrapped__
    clear = version_module._parse_short_text.cache_clear

    def uncached_version(value: Any) -> dict[str, Any]:
        if isinstance(value, str):
            return uncached(value).as_dict()
        return windows_version(value)

    def compat(args: tuple[str, str, str, str, str]) -> dict[str, Any]:
        image, host, isolation, host_kind, rules = args
        return container_compat(image, host, isolation=isolation, host_kind=host_kind, rules=rules)

    results = []
    wv = per_call_us(windows_version, mixed)
    wv_naive = per_call_us(uncached_version, mixed)
    results.append(("windows_version, mixed inputs", wv, "same parser, string cache bypassed", wv_naive))
    clear()
    wv_distinct = per_call_us(windows_version, distinct)
    results.append(("windows_version, 100% distinct versions (cache misses)", wv_distinct, None, None))
    cc = per_call_us(compat, pairs)
    cc_naive = per_call_us(compat, pairs, before=clear) - cost_of(clear, calls)
    results.append(
        ("container_compat, mixed image/host/isolation/rules", cc, "version cache cleared per call", cc_naive)
    )

    print(f"{calls:,} calls per figure, Python {sys.version.split()[0]}; budget {BUDGET_US:.0f} µs per call")
    over = False
    for label, cost, alternative, naive in results:
        line = f"  {label:58} {cost:7.2f} µs/call"
        if naive is not None:
            line += f"   vs {alternative}: {naive:7.2f} µs/call (x{naive / cost:.1f})"
        over = over or cost > BUDGET_US
        print(line)
    print("within budget" if not over else "OVER BUDGET")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
