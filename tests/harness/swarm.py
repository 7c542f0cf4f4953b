"""A real multi-node Docker Swarm on one machine: one dockerd per node, each in its own network namespace.

A hub namespace holds a bridge; every node namespace gets a veth into it and a private address
(``10.77.0.0/24``; the addresses exist inside those namespaces only). Each engine runs with its own
hostname (``<prefix>1``...). ``start_swarm()`` inits the first node, joins the others, waits until
the manager lists every node Ready; ``SwarmCluster.stop()`` removes services, kills service
containers, stops exactly the engines it started and deletes its namespaces.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import secrets
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker
from dockerd import DEFAULT_TEST_IMAGE, Engine, HarnessError, import_test_image, start_engine

SUBNET = ipaddress.ip_network("10.77.0.0/24")
SWARM_PORT = 2377


def _ip(*args: str) -> None:
    """Run ``ip ARGS`` (fixed argv, no shell); raise with its stderr on failure."""
    proc = subprocess.run(["ip", *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise HarnessError(f"ip {' '.join(args)} failed: {proc.stderr.strip()}")


@dataclass
class SwarmCluster:
    """Running engines forming one swarm; ``engines[0]`` is the first manager."""

    base_dir: Path
    tag: str
    hub: str
    engines: list[Engine] = field(default_factory=list)
    managers: int = 1
    namespaces: list[str] = field(default_factory=list)

    @property
    def manager(self) -> Engine:
        return self.engines[0]

    @property
    def workers(self) -> list[Engine]:
        return self.engines[self.managers :]

    def engine(self, name: str) -> Engine:
        """The engine whose name (= node hostname) is NAME."""
        for engine in self.engines:
            if engine.name == name:
                return engine
        raise KeyError(f"no engine named {name!r}; have {[e.name for e in self.engines]}")

    def client(self) -> docker.DockerClient:
        """A client of the first manager."""
        return self.manager.client()

    def node_ids(self) -> dict[str, str]:
        """Hostname -> swarm node id, as the manager lists them (one node per hostname after wait_ready)."""
        client = self.client()
        try:
            return {n.attrs["Description"]["Hostname"]: n.id for n in client.nodes.list()}
        finally:
            client.close()

    def engine_node_ids(self) -> dict[str, str]:
        """Engine name -> the swarm node id the engine itself reports (engines that answer and have joined)."""
        ids: dict[str, str] = {}
        for engine in self.engines:
            if not engine.is_up():
                continue
            client = engine.client(timeout=20)
            try:
                node_id = str(client.info().get("Swarm", {}).get("NodeID") or "")
            except (docker.errors.DockerException, OSError):
                node_id = ""
            finally:
                client.close()
            if node_id:
                ids[engine.name] = node_id
        return ids

    def listed_nodes(self) -> list[dict[str, Any]]:
        """The manager's node list as raw JSON; empty while the manager does not answer (busy, electing)."""
        client = self.client()
        try:
            return [n.attrs for n in client.nodes.list()]
        except (docker.errors.DockerException, OSError):
            return []
        finally:
            client.close()

    def wait_ready(self, timeout: float = 60, expected: int | None = None) -> None:
        """Wait until the manager lists the node of every running engine (by its own node id) Ready.

        Nodes are matched by id, not hostname: a join that failed after the manager had registered the
        node leaves a stale ``down`` entry with the same hostname, which would otherwise hide the live
        node. Such leftovers are removed once every engine is Ready. EXPECTED (default: all engines) is
        the number of engines that must have joined.
        """
        want = len(self.engines) if expected is None else expected
        deadline = time.monotonic() + timeout
        pending: dict[str, str] = {}
        while time.monotonic() < deadline:
            ids = self.engine_node_ids()
            listed = self.listed_nodes()
            pending = not_ready(listed, ids)
            if len(ids) >= want and not pending and listed:
                self.remove_stale_nodes(stale_nodes(listed, set(ids.values())))
                return
            time.sleep(0.5)
        raise HarnessError(f"swarm not Ready within {timeout}s: {pending or 'manager lists no node'}")

    def remove_stale_nodes(self, node_ids: list[str]) -> None:
        """Remove leftover node entries of earlier joins (their hostname is held by a live node)."""
        if not node_ids:
            return
        client = self.client()
        try:
            for node_id in node_ids:
                with contextlib.suppress(docker.errors.APIError):
                    client.api.remove_node(node_id, force=True)
        finally:
            client.close()

    def wait_node_state(self, name: str, state: str, timeout: float = 60) -> None:
        """Wait until the manager reports node NAME in STATE (``ready`` or ``down``)."""
        deadline = time.monotonic() + timeout
        current = "?"
        while time.monotonic() < deadline:
            client = self.client()
            try:
                for node in client.nodes.list(filters={"name": name}):
                    if node.attrs["Description"]["Hostname"] == name:
                        current = node.attrs["Status"]["State"]
            finally:
                client.close()
            if current == state:
                return
            time.sleep(0.2)
        raise HarnessError(f"node {name!r} is {current!r}, not {state!r}, after {timeout}s")

    def stop_node(self, name: str, wait_down: bool = True) -> None:
        """Stop one node's engine (its containers first) and optionally wait until the manager sees it down."""
        engine = self.engine(name)
        engine.kill_containers()
        engine.stop()
        if wait_down:
            self.wait_node_state(name, "down")

    def start_node(self, name: str) -> None:
        """Start a stopped node's engine again and wait until it is Ready."""
        engine = self.engine(name)
        if not engine.is_up():
            engine.start()
        self.wait_node_state(name, "ready")

    def import_image(self, tag: str = DEFAULT_TEST_IMAGE) -> str:
        """Import the busybox test image on every running node (images cannot be pulled here)."""
        image_id = ""
        for engine in self.engines:
            if engine.is_up():
                image_id = import_test_image(engine, tag)
        return image_id

    def remove_services(self) -> None:
        """Remove every service (through the first manager, if it answers)."""
        if not self.engines or not self.manager.is_up():
            return
        client = self.client()
        try:
            for service in client.services.list():
                with contextlib.suppress(docker.errors.APIError):
                    service.remove()
        except docker.errors.APIError:
            pass
        finally:
            client.close()

    def stop(self) -> None:
        """Remove services, kill their containers, stop exactly our engines, delete our namespaces."""
        errors: list[str] = []
        try:
            self.remove_services()
        except Exception as exc:
            errors.append(f"remove services: {exc}")
        for engine in self.engines:
            engine.kill_containers()
        for engine in reversed(self.engines):
            try:
                engine.stop()
            except Exception as exc:
                errors.append(f"stop {engine.name}: {exc}")
        for netns in reversed(self.namespaces):
            try:
                _ip("netns", "del", netns)
            except HarnessError as exc:
                errors.append(str(exc))
        self.namespaces.clear()
        if errors:
            raise HarnessError("swarm teardown: " + "; ".join(errors))


def not_ready(listed: list[dict[str, Any]], engine_ids: dict[str, str]) -> dict[str, str]:
    """Engine name -> its node's state on the manager, for every engine whose node is not listed Ready."""
    states = {str(n.get("ID")): str((n.get("Status") or {}).get("State", "")) for n in listed}
    return {name: states.get(node_id, "not listed") for name, node_id in engine_ids.items()
            if states.get(node_id) != "ready"}  # fmt: skip


def stale_nodes(listed: list[dict[str, Any]], live_ids: set[str]) -> list[str]:
    """Ids of listed nodes no running engine owns whose hostname a live node has: leftovers of earlier joins.

    The manager may still list such an entry ``ready`` until it notices the old session is gone.
    """
    live_hosts = {(n.get("Description") or {}).get("Hostname") for n in listed if n.get("ID") in live_ids}
    return sorted(
        str(n["ID"])
        for n in listed
        if n.get("ID") not in live_ids and (n.get("Description") or {}).get("Hostname") in live_hosts
    )


def _node_address(index: int) -> str:
    return str(SUBNET.network_address + index + 1)


def _make_network(cluster: SwarmCluster, count: int) -> list[tuple[str, str]]:
    """Create the hub + one namespace per node; return (netns, address) per node."""
    _ip("netns", "add", cluster.hub)
    cluster.namespaces.append(cluster.hub)
    _ip("-n", cluster.hub, "link", "add", "br0", "type", "bridge")
    _ip("-n", cluster.hub, "link", "set", "br0", "up")
    _ip("-n", cluster.hub, "link", "set", "lo", "up")
    nodes = []
    for index in range(count):
        netns = f"{cluster.tag}n{index + 1}"
        address = _node_address(index)
        _ip("netns", "add", netns)
        cluster.namespaces.append(netns)
        hub_end = f"{cluster.tag}v{index + 1}"
        _ip("link", "add", hub_end, "netns", cluster.hub, "type", "veth", "peer", "name", "eth0", "netns", netns)
        _ip("-n", cluster.hub, "link", "set", hub_end, "master", "br0")
        _ip("-n", cluster.hub, "link", "set", hub_end, "up")
        _ip("-n", netns, "link", "set", "lo", "up")
        _ip("-n", netns, "addr", "add", f"{address}/{SUBNET.prefixlen}", "dev", "eth0")
        _ip("-n", netns, "link", "set", "eth0", "up")
        nodes.append((netns, address))
    return nodes


def _join(cluster: SwarmCluster, count: int, managers: int, nodes: list[tuple[str, str]], prefix: str) -> None:
    first_addr = nodes[0][1]
    for index, (netns, address) in enumerate(nodes):
        name = f"{prefix}{index + 1}"
        engine = start_engine(cluster.base_dir, name, netns=netns, address=address)
        cluster.engines.append(engine)
        client = engine.client()
        try:
            if index == 0:
                client.swarm.init(advertise_addr=address, listen_addr=f"{address}:{SWARM_PORT}")
                tokens = client.swarm.attrs["JoinTokens"]
            else:
                token = tokens["Manager"] if index < managers else tokens["Worker"]
                _join_one(client, first_addr, address, token)
        finally:
            client.close()


def _join_one(client: docker.DockerClient, first_addr: str, address: str, token: str, attempts: int = 3) -> None:
    """Join the swarm; a busy manager makes the engine join in the background: wait for it.

    A background join that gave up leaves the engine ``inactive`` or in ``error`` (which refuses a new
    join until the engine leaves): both are joined again, after a forced leave for ``error``.
    """
    state = "inactive"
    for _attempt in range(attempts):
        if state == "error":
            with contextlib.suppress(docker.errors.APIError):
                client.swarm.leave(force=True)
            state = "inactive"
        try:
            if state == "inactive":
                client.swarm.join(
                    remote_addrs=[f"{first_addr}:{SWARM_PORT}"],
                    join_token=token,
                    listen_addr=f"{address}:{SWARM_PORT}",
                    advertise_addr=address,
                )
                return
        except docker.errors.APIError as exc:
            if "continue in the background" not in str(exc):
                raise
        state = _settled_state(client)
        if state == "active":
            return
    raise HarnessError(f"the engine at {address} did not join the swarm (state {state!r}) after {attempts} attempts")


def _settled_state(client: docker.DockerClient, timeout: float = 120) -> str:
    """The engine's LocalNodeState once it is no longer ``pending`` (or ``pending`` after TIMEOUT)."""
    deadline = time.monotonic() + timeout
    state = "pending"
    while time.monotonic() < deadline:
        with contextlib.suppress(docker.errors.DockerException, OSError):
            state = str(client.info().get("Swarm", {}).get("LocalNodeState", ""))
        if state in ("active", "inactive", "error"):
            break
        time.sleep(0.5)
    return state


def start_swarm(
    base_dir: Path, count: int = 3, managers: int = 1, prefix: str = "wccnode", import_image: bool = True
) -> SwarmCluster:
    """Start COUNT engines in network namespaces, form a swarm with MANAGERS managers, wait until Ready."""
    if not 1 <= managers <= count:
        raise HarnessError(f"managers must be between 1 and count ({count}), got {managers}")
    if count > SUBNET.num_addresses - 2:
        raise HarnessError(f"at most {SUBNET.num_addresses - 2} nodes fit in {SUBNET}, got {count}")
    tag = f"wcc{secrets.token_hex(2)}"
    cluster = SwarmCluster(base_dir=Path(base_dir).resolve(), tag=tag, hub=f"{tag}hub", managers=managers)
    try:
        nodes = _make_network(cluster, count)
        _join(cluster, count, managers, nodes, prefix)
        cluster.wait_ready(timeout=120 + 3 * count)
        if import_image:
            cluster.import_image()
    except BaseException:
        cluster.stop()
        raise
    return cluster


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: start a swarm, print its manager DOCKER_HOST, and stop it on Enter / EOF / Ctrl-C."""
    parser = argparse.ArgumentParser(description="Run a throw-away multi-node swarm until stdin closes.")
    parser.add_argument("--base", required=True, type=Path)
    parser.add_argument("--count", type=int, default=3)
    parser.add_argument("--managers", type=int, default=1)
    args = parser.parse_args(argv)
    started = time.monotonic()
    cluster = start_swarm(args.base, args.count, args.managers)
    info: dict[str, Any] = {"manager": cluster.manager.docker_host, "seconds": round(time.monotonic() - started, 1)}
    print(info, flush=True)
    try:
        sys.stdin.read()
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
