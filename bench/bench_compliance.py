"""Compliance over a synthetic fleet built from the recorded example facts: time, memory, linearity.

    python bench/bench_compliance.py [--sizes 250,500,1000] [--no-playbook] [--keep-reports DIR]

The fleet repeats the seven recorded hosts of ``examples/fleet/state`` (Windows Server 2016/2019/2022/2025,
a Windows 11 box), each copy with a real update revision of its build, a Swarm of the Docker hosts and a
Kubernetes cluster of the containerd hosts (one service or workload per ten nodes, drawn from a few images
as in a real fleet, labels partly wrong).

For each size it prints:
- the one-pass evaluation plus the three reports (JSON, JUnit, HTML), wall time, per-host cost and peak
  Python memory (tracemalloc, measured in a separate pass so it does not slow the timed one);
- the obvious alternatives on the same fleet: the same checks without the verdict cache, and a per-host
  report (each host checked on its own against the whole cluster state, as a per-host task would; timed
  on 100 hosts and scaled, since each such run costs the same whatever the number of hosts);
- for the largest size, a real ``ansible-playbook playbooks/compliance.yml`` run over an offline directory
  of the fleet's facts and a generated inventory: wall time and peak RSS of the run.
The goal is under 60 s for 1,000 hosts and a cost linear in hosts (time ratio close to the size ratio).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / ".tmp" / "collections"))

from ansible_collections.wincontainers.compat.plugins.module_utils import compliance  # noqa: E402
from ansible_collections.wincontainers.compat.plugins.module_utils.compat import container_compat  # noqa: E402
from ansible_collections.wincontainers.compat.plugins.module_utils.compliance import report as one_pass_report  # noqa: E402
from ansible_collections.wincontainers.compat.plugins.module_utils.reports import (  # noqa: E402
    render_html,
    render_json,
    render_junit,
)

STATE = ROOT / "examples" / "fleet" / "state"
TODAY = "2026-11-28"
# Real update revisions per build (Microsoft's release information pages), so copies differ like a real fleet.
REVISIONS = {
    14393: [7428, 7515, 7606, 7699],
    17763: [6414, 6532, 6659, 6775],
    20348: [2762, 2849, 2966, 3091],
    26100: [2314, 2605, 2894],
    22631: [4460, 4602, 4751],
}


def load_templates() -> dict[str, dict[str, Any]]:
    return {
        path.stem: json.loads(path.read_text())["ansible_facts"]["wincontainers_host"]
        for path in sorted((STATE / "hosts").glob("*.json"))
    }


def synthetic_fleet(size: int) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """``size`` hosts cycling over the recorded ones, a swarm of the Docker hosts, a cluster of the others."""
    templates = list(load_templates().items())
    hosts: dict[str, Any] = {}
    swarm: dict[str, Any] = {"nodes": [], "services": [], "findings": []}
    k8s: dict[str, Any] = {"nodes": [], "workloads": [], "findings": []}
    for index in range(size):
        base_name, base = templates[index % len(templates)]
        facts = copy.deepcopy(base)
        build = facts["version"]["build"]
        revision = REVISIONS[build][index % len(REVISIONS[build])]
        facts["version"] = {**facts["version"], "revision": revision, "version": f"10.0.{build}.{revision}"}
        name = f"{base_name}-{index:05d}"
        hosts[name] = facts
        swarm_id = (facts.get("docker") or {}).get("swarm", {}).get("node_id")
        if swarm_id:
            node_id = f"{swarm_id[:12]}{index:013d}"
            facts["docker"]["swarm"]["node_id"] = node_id
            label = f"10.0.{build}" if index % 13 else "10.0.20348"  # some labels wrong
            swarm["nodes"].append(
                {"id": node_id, "hostname": name.upper(), "os": "windows", "labels": {"OsVersion": label}}
            )
        elif (facts.get("containerd") or {}).get("installed"):
            release = "ltsc2022" if build == 20348 else "ltsc2025"
            k8s["nodes"].append(
                {"name": name, "labels": {"kubernetes.io/os": "windows", "wincontainers.compat/release": release}}
            )
    for index in range(max(1, len(swarm["nodes"]) // 10)):
        tag, label = (("ltsc2019", "10.0.17763"), ("ltsc2022", "10.0.20348"))[index % 2]
        swarm["services"].append(
            {
                "name": f"svc-{index}",
                "image": f"contoso/svc{index % 4}:1.0-{tag}",
                "constraints": [f"node.labels.OsVersion=={label}"],
            }
        )
    for index in range(max(1, len(k8s["nodes"]) // 10)):
        tag = ("ltsc2022", "ltsc2025")[index % 2]
        k8s["workloads"].append(
            {
                "kind": "Deployment",
                "namespace": "apps",
                "name": f"app-{index}",
                "node_selector": {"wincontainers.compat/release": tag},
                "containers": [{"name": "app", "image": f"contoso/app{index % 4}:2.0-{tag}"}],
            }
        )
    return hosts, {"bench": swarm}, {"bench": k8s}


def one_pass(hosts: dict[str, Any], swarm: dict[str, Any], k8s: dict[str, Any], **kwargs: Any) -> int:
    policy = compliance.make_policy({"today": TODAY, "isolation": "auto"})
    report = compliance.evaluate(hosts, swarm=swarm, k8s=k8s, policy=policy, **kwargs)
    size = len(render_json(report)) + len(render_junit(report)) + len(render_html(report))
    return size + len(report["findings"])


def uncached(hosts: dict[str, Any], swarm: dict[str, Any], k8s: dict[str, Any]) -> int:
    """The same checks with every verdict recomputed (a cache that never hits)."""

    class NoCache(compliance.Verdicts):
        def __call__(self, image: str, host: str, isolation: str, host_kind: str) -> dict:
            try:
                return container_compat(image, host, isolation=isolation, host_kind=host_kind, rules=self.rules)
            except compliance.WinCompatError as exc:
                return {"status": "unknown", "reason": str(exc)}

    original = one_pass_report.Verdicts
    one_pass_report.Verdicts = NoCache  # type: ignore[misc]
    try:
        return one_pass(hosts, swarm, k8s)
    finally:
        one_pass_report.Verdicts = original  # type: ignore[misc]


PER_HOST_SAMPLE = 100


def per_host(hosts: dict[str, Any], swarm: dict[str, Any], k8s: dict[str, Any]) -> int:
    """Each host checked on its own against the whole cluster state, then one report per host.

    Timed on the first ``PER_HOST_SAMPLE`` hosts; each of those runs costs what it would in the full
    run (it sees the whole cluster state), so the caller scales the time by ``len(hosts) / sample``.
    """
    sample = list(hosts.items())[:PER_HOST_SAMPLE]
    return sum(one_pass({name: facts}, swarm, k8s) for name, facts in sample)


def timed(function: Callable[[], Any]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def peak_memory(function: Callable[[], Any]) -> float:
    tracemalloc.start()
    function()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def playbook_run(size: int, keep_reports: str | None = None) -> tuple[float, float]:
    """A real compliance.yml run over an offline directory of ``size`` hosts; (seconds, peak RSS MiB).

    With ``keep_reports``, the run's three reports are copied there (to compare runs of two versions).
    """
    hosts, swarm, k8s = synthetic_fleet(size)
    with tempfile.TemporaryDirectory(prefix="wcc-bench-") as tmp:
        state = Path(tmp) / "state"
        (state / "hosts").mkdir(parents=True)
        (state / "swarm").mkdir()
        (state / "k8s").mkdir()
        for name, facts in hosts.items():
            document = {"ansible_facts": {"wincontainers_host": facts}}
            (state / "hosts" / f"{name}.json").write_text(json.dumps(document))
        (state / "swarm" / "bench.json").write_text(json.dumps(swarm["bench"]))
        (state / "k8s" / "bench.json").write_text(json.dumps(k8s["bench"]))
        inventory = Path(tmp) / "inventory.yml"
        inventory.write_text(
            json.dumps(
                {
                    "all": {
                        "vars": {"compliance_offline_dir": str(state)},
                        "children": {"windows": {"hosts": {name: {} for name in hosts}}},
                    }
                }
            )
        )
        env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"))
        env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(ROOT / ".tmp" / "collections"))
        command = [
            "ansible-playbook",
            "-i",
            str(inventory),
            str(ROOT / "playbooks" / "compliance.yml"),
            "-e",
            json.dumps(
                {
                    "compliance_report_dir": str(Path(tmp) / "reports"),
                    "compliance_today": TODAY,
                    "compliance_print_table": False,
                    "ansible_python_interpreter": sys.executable,
                }
            ),
        ]
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
        report = json.loads((Path(tmp) / "reports" / "compliance.json").read_text())
        assert report["summary"]["hosts"] == size, report["summary"]
        if keep_reports:
            Path(keep_reports).mkdir(parents=True, exist_ok=True)
            for path in (Path(tmp) / "reports").glob("compliance.*"):
                shutil.copyfile(path, Path(keep_reports) / path.name)
    return seconds, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="250,500,1000")
    parser.add_argument("--no-playbook", action="store_true", help="skip the ansible-playbook run")
    parser.add_argument("--keep-reports", metavar="DIR", help="copy the playbook run's reports to DIR")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    print(f"per-host reports: timed on {PER_HOST_SAMPLE} hosts with the whole cluster state, scaled to the fleet")
    print(f"{'hosts':>6} {'one pass s':>10} {'ms/host':>8} {'peak MiB':>9} {'uncached s':>10} {'per-host s':>10}")
    results = []
    for size in sizes:
        fleet = synthetic_fleet(size)
        one_pass(*synthetic_fleet(20))  # warm the core's caches of versions and catalog look-ups
        seconds = timed(lambda fleet=fleet: one_pass(*fleet))
        memory = peak_memory(lambda fleet=fleet: one_pass(*fleet))
        slow = timed(lambda fleet=fleet: uncached(*fleet))
        naive = timed(lambda fleet=fleet: per_host(*fleet)) * size / min(size, PER_HOST_SAMPLE)
        results.append((size, seconds))
        print(f"{size:>6} {seconds:>10.3f} {1000 * seconds / size:>8.3f} {memory:>9.1f} {slow:>10.3f} {naive:>10.3f}")
        print(
            f"{'':>6} vs uncached verdicts: {slow / seconds:.1f}x faster; vs per-host reports: {naive / seconds:.1f}x"
        )
    (small, t_small), (large, t_large) = results[0], results[-1]
    print(
        f"linearity: {large}/{small} hosts = {large / small:.1f}x hosts, {t_large / t_small:.2f}x time "
        f"(per-host cost {1000 * t_small / small:.3f} -> {1000 * t_large / large:.3f} ms)"
    )
    if not args.no_playbook:
        seconds, peak = playbook_run(sizes[-1], args.keep_reports)
        print(
            f"ansible-playbook playbooks/compliance.yml, {sizes[-1]} hosts offline: {seconds:.1f} s wall "
            f"({1000 * seconds / sizes[-1]:.1f} ms/host), peak RSS {peak:.0f} MiB; goal < 60 s"
        )
        return 0 if seconds < 60 else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
