"""Labels 2,000 Windows Node objects on a real kube-apiserver: the fleet module against a per-node loop.

    python bench/bench_k8s_labels.py [--nodes 2000] [--sample 100]

Starts its own etcd + kube-apiserver (tests/harness/kube.py, audit log on), creates ``--nodes`` Windows
Node objects whose ``status.nodeInfo`` is cycled from the recorded real nodes, and times real
``ansible-playbook`` runs:

* ``wincontainers.compat.k8s_node_labels``: first converge, then the no-op rerun, over all nodes;
* ``kubernetes.core.k8s`` (``state: patched``) looped per node with the same labels (computed beforehand,
  which favours the loop), first converge and no-op, over a ``--sample`` of separate nodes. A loop over
  2,000 nodes takes about half an hour, so its per-node cost is measured on the sample (after subtracting
  the fixed cost of a playbook whose loop is empty) and extrapolated to ``--nodes``: those figures are
  labelled "extrapolated".

API requests are counted from the API server's audit log (requests of the admin user only). The goal is a
no-op rerun over 2,000 nodes in under 5 s and at least 20 times faster than the loop; the script exits 1
when a goal is missed.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / ".tmp" / "collections"))
sys.path.insert(0, str(ROOT / "tests" / "harness"))
sys.path.insert(0, str(ROOT / "tests" / "integration"))

from ansible_collections.wincontainers.compat.plugins.module_utils.k8s import LabelOptions, plan_node  # noqa: E402
from kube import KubeCluster, count_requests, start_cluster  # noqa: E402
from kube_objects import create_nodes, node_body, node_fixtures  # noqa: E402
from playbook_runner import PlaybookRun, run_playbook  # noqa: E402

NO_OP_BUDGET_S = 5.0
MIN_RATIO = 20.0


def play(tasks: list[dict[str, Any]], vars_: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    return [
        {
            "hosts": "localhost",
            "connection": "local",
            "gather_facts": False,
            "vars": {"ansible_python_interpreter": sys.executable, **(vars_ or {})},
            "tasks": tasks,
        }
    ]


class Bench:
    def __init__(self, cluster: KubeCluster, workdir: Path) -> None:
        self.cluster = cluster
        self.workdir = workdir
        self.offset = 0
        self.count = 0

    def run(self, name: str, playbook: list[dict[str, Any]]) -> tuple[float, int, PlaybookRun]:
        """Run a playbook; return (wall seconds, API requests it caused, run)."""
        self.count += 1
        path = self.workdir / f"{self.count:02d}-{name}.yml"
        path.write_text(json.dumps(playbook, indent=1))
        assert self.cluster.audit_log is not None
        _count, _verbs, self.offset = count_requests(self.cluster.audit_log, since=self.offset)
        start = time.perf_counter()
        run = run_playbook(path, inventory="localhost,", timeout=7200)
        wall = time.perf_counter() - start
        if run.returncode != 0:
            raise SystemExit(f"{name} failed:\n{run.explain()}")
        time.sleep(0.5)  # let the audit log catch up with the last responses
        requests, _verbs, self.offset = count_requests(self.cluster.audit_log, since=self.offset)
        return wall, requests, run


def loop_task(kubeconfig: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "name": "label nodes one by one",
            "kubernetes.core.k8s": {
                "kubeconfig": kubeconfig,
                "state": "patched",
                "kind": "Node",
                "name": "{{ item.name }}",
                "definition": {"metadata": {"labels": "{{ item.labels }}"}},
            },
            "loop": items,
            "loop_control": {"label": "{{ item.name }}"},
        }
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nodes", type=int, default=2000)
    parser.add_argument("--sample", type=int, default=100)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-k8s-"))
    print(f"starting etcd + kube-apiserver in {workdir}", flush=True)
    cluster = start_cluster(workdir / "cluster", audit=True)
    try:
        return measure(cluster, workdir, args.nodes, args.sample)
    finally:
        cluster.stop()


def measure(cluster: KubeCluster, workdir: Path, total: int, sample: int) -> int:
    fixtures = node_fixtures()
    fleet = [node_body(fixtures[i % len(fixtures)], f"win-{i:05d}", {"bench-set": "fleet"}) for i in range(total)]
    loop_nodes = [node_body(fixtures[i % len(fixtures)], f"loop-{i:05d}", {"bench-set": "loop"}) for i in range(sample)]
    start = time.perf_counter()
    create_nodes(cluster, fleet + loop_nodes, workers=16)
    print(f"created {total + sample} Windows nodes in {time.perf_counter() - start:.1f} s", flush=True)

    bench = Bench(cluster, workdir)
    kubeconfig = str(cluster.kubeconfig("admin"))
    module_task = [
        {
            "name": "label every Windows node",
            "wincontainers.compat.k8s_node_labels": {"kubeconfig": kubeconfig, "label_selector": "bench-set=fleet"},
        }
    ]
    first_s, first_req, first = bench.run("module-first", play(module_task))
    patched = len(first.result("label every Windows node")["patched"])
    noop_s, noop_req, noop = bench.run("module-noop", play(module_task))
    assert noop.result("label every Windows node")["changed"] is False

    # The loop gets the labels precomputed by the same planner (the module computes them itself).
    items = []
    for body in loop_nodes:
        plan = plan_node(body, LabelOptions())
        items.append({"name": plan.name, "labels": plan.after})
    empty_s, empty_req, _run = bench.run("loop-empty", play(loop_task(kubeconfig, [])))
    loop_first_s, loop_first_req, _run = bench.run("loop-first", play(loop_task(kubeconfig, items)))
    loop_noop_s, loop_noop_req, _run = bench.run("loop-noop", play(loop_task(kubeconfig, items)))

    def per_node(wall: float) -> float:
        return (wall - empty_s) / sample

    def extrapolate(wall: float) -> float:
        return empty_s + per_node(wall) * total

    loop_first_x = extrapolate(loop_first_s)
    loop_noop_x = extrapolate(loop_noop_s)
    req_first_x = round(loop_first_req / sample * total)
    req_noop_x = round(loop_noop_req / sample * total)
    rows = [
        ("k8s_node_labels, first converge", f"{total} nodes", first_s, first_req, f"{patched} patched"),
        ("k8s_node_labels, no-op rerun", f"{total} nodes", noop_s, noop_req, "0 patched"),
        ("kubernetes.core.k8s loop, empty loop", "0 nodes", empty_s, empty_req, "fixed cost"),
        ("kubernetes.core.k8s loop, first converge", f"{sample} nodes", loop_first_s, loop_first_req, "measured"),
        ("kubernetes.core.k8s loop, no-op", f"{sample} nodes", loop_noop_s, loop_noop_req, "measured"),
        ("kubernetes.core.k8s loop, first converge", f"{total} nodes", loop_first_x, req_first_x, "extrapolated"),
        ("kubernetes.core.k8s loop, no-op", f"{total} nodes", loop_noop_x, req_noop_x, "extrapolated"),
    ]
    print()
    print(f"{'run':<42} {'scope':>12} {'wall s':>9} {'API requests':>13}  note")
    for name, scope, wall, requests, note in rows:
        print(f"{name:<42} {scope:>12} {wall:>9.2f} {requests:>13}  {note}")
    print()
    converge_ms, noop_ms = per_node(loop_first_s) * 1000, per_node(loop_noop_s) * 1000
    print(f"loop cost per node (measured on {sample}): converge {converge_ms:.0f} ms, no-op {noop_ms:.0f} ms")
    print(
        f"module cost per node: converge {(first_s - noop_s) / max(patched, 1) * 1000:.2f} ms above its no-op run, "
        f"no-op {noop_s / total * 1000:.2f} ms"
    )
    noop_ratio = loop_noop_x / noop_s
    first_ratio = loop_first_x / first_s
    print(f"ratio (loop extrapolated / module): first converge {first_ratio:.0f}x, no-op {noop_ratio:.0f}x")
    print(f"ratio of API requests: first converge {req_first_x / first_req:.1f}x, no-op {req_noop_x / noop_req:.0f}x")
    ok = noop_s < NO_OP_BUDGET_S and noop_ratio >= MIN_RATIO
    print(
        f"goal: no-op over {total} nodes < {NO_OP_BUDGET_S:.0f} s and >= {MIN_RATIO:.0f}x faster than the loop: "
        f"{'met' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
