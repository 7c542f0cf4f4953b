"""Benchmark: swarm_node_labels in one task versus community.docker.docker_node looped over the nodes.

Starts a real swarm of N engines (network namespaces, tests/harness/swarm.py) for each N given, puts a
counting proxy in front of the manager's socket, and runs, for each approach, the same labels:

* converge: every node starts without the labels and gets ``OS=windows`` and ``OsVersion=<build>``;
* no-op rerun: the same playbook again, nothing to change.

It prints wall time, Docker API requests and module runs of each, and the ratios. Run as root:

    .venv/bin/python bench/bench_swarm_labels.py --nodes 3 20
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "harness"))

from docker_proxy import DockerProxy  # noqa: E402
from swarm import SwarmCluster, start_swarm  # noqa: E402

BUILDS = ("10.0.17763", "10.0.20348", "10.0.26100")

FLEET_PLAY = """
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Label every node in one task
      wincontainers.compat.swarm_node_labels:
        docker_host: "{{ docker_host }}"
        nodes: "{{ wanted }}"
"""

LOOP_PLAY = """
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Label each node
      community.docker.docker_node:
        docker_host: "{{ docker_host }}"
        hostname: "{{ item.node }}"
        labels: {OS: windows, OsVersion: "{{ item.version }}"}
        labels_state: merge
      loop: "{{ wanted }}"
"""


def wanted(cluster: SwarmCluster) -> list[dict[str, str]]:
    """The same labels for both approaches: node i gets one of three Windows builds."""
    return [{"node": e.name, "version": BUILDS[i % len(BUILDS)]} for i, e in enumerate(cluster.engines)]


def clear_labels(cluster: SwarmCluster) -> None:
    client = cluster.client()
    try:
        for node in client.nodes.list():
            spec = dict(node.attrs["Spec"])
            spec["Labels"] = {}
            node.update(spec)
    finally:
        client.close()


def labels(cluster: SwarmCluster) -> dict[str, dict[str, str]]:
    client = cluster.client()
    try:
        return {n.attrs["Description"]["Hostname"]: n.attrs["Spec"].get("Labels") or {} for n in client.nodes.list()}
    finally:
        client.close()


def run_play(play: Path, proxy: DockerProxy, variables: dict[str, Any]) -> tuple[float, int, int]:
    """(seconds, API requests, changed count) of one ansible-playbook run through PROXY."""
    env = dict(os.environ)
    env.update({"ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json", "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg")})
    extra = {"docker_host": proxy.docker_host, "ansible_python_interpreter": sys.executable, **variables}
    proxy.reset()
    started = time.perf_counter()
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-playbook"), str(play), "-i", "localhost,", "-e", json.dumps(extra)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{play.name} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-2000:]}")
    stats = json.loads(proc.stdout)["stats"]["localhost"]
    return elapsed, proxy.count(), int(stats.get("changed", 0))


def bench(count: int, workdir: Path) -> dict[str, dict[str, tuple[float, int, int]]]:
    started = time.perf_counter()
    cluster = start_swarm(workdir / f"n{count}", count=count, managers=1, prefix="bnode", import_image=False)
    print(f"# {count} nodes up in {time.perf_counter() - started:.1f}s", flush=True)
    fleet_play, loop_play = workdir / "fleet.yml", workdir / "loop.yml"
    fleet_play.write_text(FLEET_PLAY)
    loop_play.write_text(LOOP_PLAY)
    results: dict[str, dict[str, tuple[float, int, int]]] = {}
    try:
        with DockerProxy(cluster.manager.socket, workdir / f"proxy{count}.sock") as proxy:
            variables = {"wanted": wanted(cluster)}
            for name, play in (("swarm_node_labels", fleet_play), ("docker_node loop", loop_play)):
                clear_labels(cluster)
                converge = run_play(play, proxy, variables)
                expected = {w["node"]: {"OS": "windows", "OsVersion": w["version"]} for w in variables["wanted"]}
                if labels(cluster) != expected:
                    raise SystemExit(f"{name} did not set the expected labels")
                rerun = run_play(play, proxy, variables)
                results[name] = {"converge": converge, "no-op rerun": rerun}
    finally:
        cluster.stop()
    return results


def report(count: int, results: dict[str, dict[str, tuple[float, int, int]]]) -> None:
    fleet, loop = results["swarm_node_labels"], results["docker_node loop"]
    print(f"\n## {count} nodes")
    print(f"{'approach':<20} {'phase':<12} {'seconds':>8} {'API requests':>13} {'module runs':>12}")
    for name, runs in results.items():
        module_runs = 1 if name == "swarm_node_labels" else count
        for phase, (seconds, requests, _changed) in runs.items():
            print(f"{name:<20} {phase:<12} {seconds:>8.2f} {requests:>13} {module_runs:>12}")
    for phase in ("converge", "no-op rerun"):
        time_ratio = loop[phase][0] / fleet[phase][0]
        request_ratio = loop[phase][1] / max(1, fleet[phase][1])
        print(f"ratio {phase:<12} time {time_ratio:5.2f}x   API requests {request_ratio:5.2f}x (docker_node / fleet)")
    per_loop, per_fleet = loop["converge"][0] / count, fleet["converge"][0] / count
    print(f"per node, converge: docker_node loop {per_loop:.2f}s, swarm_node_labels {per_fleet:.3f}s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--nodes", type=int, nargs="+", default=[3, 20], help="swarm sizes to benchmark")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("needs root (network namespaces and dockerd)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="wcc-bench-") as tmp:
        for count in args.nodes:
            report(count, bench(count, Path(tmp)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
