"""Benchmark: registry_image_info in one task versus ``docker manifest inspect`` looped per image.

Starts a real registry (Debian's ``docker-registry``, tests/harness/registry.py) on loopback, pushes N distinct
Windows image references (each a three-build OCI index: 17763, 20348, 26100) and runs, through real
``ansible-playbook``:

* loop: ``ansible.builtin.command: docker manifest inspect --insecure <ref>`` per image (the obvious way); when
  that is too slow for every image it runs on a sample and is extrapolated linearly (said in the output);
* cold: one ``registry_image_info`` task over all N references, with an empty ``cache_dir``;
* warm: the same task again with the filled ``cache_dir``: it must make only tag->digest ``HEAD`` requests.

Requests are counted at the registry, from its access log. Prints seconds and requests of each and the ratio;
exits 1 when the cold run is not 20x faster than the loop or the warm run makes anything but HEAD requests.

    .venv/bin/python bench/bench_registry.py --images 500 --loop-sample 50
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "harness"))

importlib.import_module("conftest")  # puts this checkout on sys.path as ansible_collections.wincontainers.compat

from ansible_collections.wincontainers.compat.plugins.module_utils.registry import OCI_INDEX  # noqa: E402
from registry import Platform, Registry, push_single, start_registry  # noqa: E402

BUILDS = ("10.0.17763.6659", "10.0.20348.2966", "10.0.26100.2605")
REPOSITORIES = 50
GOAL = 20.0

MODULE_PLAY = """
- hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Read every image in one task
      wincontainers.compat.registry_image_info:
        images: "{{ images }}"
        insecure_registries: ["{{ registry }}"]
        cache_dir: "{{ cache_dir }}"
        concurrency: 8
        fail_on_error: true
"""

LOOP_PLAY = """
- hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Inspect each image
      ansible.builtin.command:
        argv: [docker, manifest, inspect, --insecure, "{{ item }}"]
      loop: "{{ images }}"
      changed_when: false
"""


def push_references(registry: Registry, count: int) -> list[str]:
    """COUNT distinct tags over REPOSITORIES repositories, each a 3-build OCI index with its own digest."""
    client = registry.client()
    children = {}
    refs = []
    for number in range(count):
        repository = f"bench/app{number % REPOSITORIES:02d}"
        if repository not in children:
            children[repository] = [push_single(client, repository, Platform(os_version=b)) for b in BUILDS]
        index = {
            "schemaVersion": 2,
            "mediaType": OCI_INDEX,
            "manifests": children[repository],
            "annotations": {"org.opencontainers.image.version": f"1.{number}"},
        }
        tag = f"1.{number}"
        client.put_manifest(repository, tag, json.dumps(index).encode(), OCI_INDEX)
        refs.append(f"{registry.host}/{repository}:{tag}")
    return refs


def run_play(text: str, workdir: Path, variables: dict[str, object]) -> float:
    play = workdir / "play.yml"
    play.write_text(text)
    extra = workdir / "vars.json"
    extra.write_text(json.dumps(variables))
    started = time.perf_counter()
    proc = subprocess.run(
        ["ansible-playbook", str(play), "-i", "localhost,", "-e", f"@{extra}"],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"playbook failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-2000:]}")
    return seconds


def measured(registry: Registry, text: str, workdir: Path, variables: dict[str, object]) -> tuple[float, Counter[str]]:
    """Seconds of one playbook run and the requests the registry served during it, by method."""
    mark = len(registry.requests())
    seconds = run_play(text, workdir, variables)
    time.sleep(0.2)  # the access log is written after the answer
    return seconds, Counter(method for method, _path, _status in registry.requests()[mark:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=500)
    parser.add_argument("--loop-sample", type=int, default=50, help="images the loop runs over (0: all)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-registry-") as tmp:
        workdir = Path(tmp)
        registry = start_registry(workdir / "registry", "http")
        try:
            started = time.perf_counter()
            refs = push_references(registry, args.images)
            print(f"# {len(refs)} references (3-entry OCI indexes) pushed in {time.perf_counter() - started:.1f}s")
            sample = refs[: args.loop_sample] if 0 < args.loop_sample < len(refs) else refs
            loop_s, loop_requests = measured(registry, LOOP_PLAY, workdir, {"images": sample})
            scale = len(refs) / len(sample)
            variables = {"images": refs, "registry": registry.host, "cache_dir": str(workdir / "cache")}
            cold_s, cold_requests = measured(registry, MODULE_PLAY, workdir, variables)
            warm_s, warm_requests = measured(registry, MODULE_PLAY, workdir, variables)
        finally:
            registry.close()
    loop_total = loop_s * scale
    note = f" (measured over {len(sample)} images, extrapolated x{scale:g})" if scale != 1 else ""
    print(f"\n{'approach':<34} {'seconds':>9} {'registry requests':>30}")
    print(f"{'docker manifest inspect loop':<34} {loop_total:>9.1f} {_fmt(loop_requests, scale):>30}{note}")
    print(f"{'registry_image_info cold':<34} {cold_s:>9.1f} {_fmt(cold_requests):>30}")
    print(f"{'registry_image_info warm (cache)':<34} {warm_s:>9.1f} {_fmt(warm_requests):>30}")
    ratio = loop_total / cold_s
    print(f"\ncold: {ratio:.1f}x faster than the loop (goal >= {GOAL:g}x); warm: {loop_total / warm_s:.1f}x")
    only_heads = set(warm_requests) == {"HEAD"} and warm_requests["HEAD"] == len(refs)
    print(f"warm run: {'only' if only_heads else 'NOT only'} tag->digest HEAD requests ({dict(warm_requests)})")
    return 0 if ratio >= GOAL and only_heads else 1


def _fmt(requests: Counter[str], scale: float = 1.0) -> str:
    total = sum(requests.values()) * scale
    parts = ", ".join(f"{method} {count * scale:.0f}" for method, count in sorted(requests.items()))
    return f"{total:.0f} ({parts})"


if __name__ == "__main__":
    sys.exit(main())
