"""Real Docker Engines for the tests: one ``dockerd`` per engine, each fully separate.

Every engine has its own data root, exec root (hence its own containerd), socket, pidfile and
``daemon.json``; optionally it runs inside a network namespace with its own UTS namespace (hostname
= engine name). ``Engine.stop()`` stops exactly the pid it started (or, from another process, the pid
in its pidfile after checking that pid's command line names this engine's pidfile).

CLI for scripts and molecule: ``python tests/harness/dockerd.py start|stop|restart --base DIR --name N``
prints the ``DOCKER_HOST`` of the engine.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker

BUSYBOX_CANDIDATES = ("/bin/busybox", "/usr/bin/busybox")
DEFAULT_TEST_IMAGE = "wcc-test/busybox:1"
STATE_FILE = "engine.json"
UNIX_PATH_BUDGET = 100  # sun_path holds 108 bytes (104 on some platforms); containerd checks against 104
LONGEST_EXEC_SOCKET = "containerd/containerd-debug.sock"
BASE_FLAGS = ("--iptables=false", "--ip6tables=false", "--bridge=none", "--storage-driver=vfs")


class HarnessError(RuntimeError):
    """An engine could not be started, reached or stopped."""


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is not alive for our purposes
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


@dataclass
class Engine:
    """One dockerd with private paths; ``start``/``stop`` manage exactly its own process."""

    name: str
    base_dir: Path
    socket: Path
    docker_host: str
    data_root: Path
    exec_root: Path
    pidfile: Path
    config_file: Path
    netns: str | None = None
    address: str | None = None
    log_file: Path | None = None
    extra_args: list[str] = field(default_factory=list)
    _proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _pid: int | None = field(default=None, repr=False)

    # -- queries -------------------------------------------------------------------------------------
    def client(self, timeout: int = 60) -> docker.DockerClient:
        """A Docker SDK client bound to this engine's socket."""
        return docker.DockerClient(base_url=self.docker_host, timeout=timeout)

    def is_up(self) -> bool:
        """True when the engine answers ``/_ping`` on its socket."""
        if not self.socket.exists():
            return False
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(2)
                sock.connect(str(self.socket))
                sock.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
                return b" 200 " in sock.recv(128)
        except OSError:
            return False

    @property
    def pid(self) -> int | None:
        """The dockerd pid this engine owns, if it is running."""
        if self._pid is not None and _pid_alive(self._pid):
            return self._pid
        pid = _read_pid(self.pidfile)
        if pid is not None and _pid_alive(pid) and f"--pidfile={self.pidfile}" in _cmdline(pid):
            return pid
        return None

    def argv(self) -> list[str]:
        """The dockerd command line (flags per the project's TESTING notes)."""
        return [
            shutil.which("dockerd") or "/usr/sbin/dockerd",
            *BASE_FLAGS,
            f"--data-root={self.data_root}",
            f"--exec-root={self.exec_root}",
            f"-H=unix://{self.socket}",
            f"--pidfile={self.pidfile}",
            f"--config-file={self.config_file}",
            *self.extra_args,
        ]

    # -- lifecycle -----------------------------------------------------------------------------------
    def start(self, timeout: float = 60) -> None:
        """Start dockerd (in ``netns`` with its own hostname when set) and wait until it answers."""
        if self.pid is not None:
            raise HarnessError(f"engine {self.name!r} already runs as pid {self.pid}")
        for path in (self.data_root, self.exec_root):
            path.mkdir(parents=True, exist_ok=True)
        if not self.config_file.exists():
            self.config_file.write_text("{}\n", encoding="utf-8")
        self.socket.unlink(missing_ok=True)
        self.pidfile.unlink(missing_ok=True)
        log_path = self.log_file or self.base_dir / "dockerd.log"
        with open(log_path, "ab") as log:
            self._proc = subprocess.Popen(
                self.argv(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_enter_namespaces(self.netns, self.name) if self.netns else None,
            )
        self._pid = self._proc.pid
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self._proc.poll()
            if code is not None:
                self._reap()
                self.unmount_leftovers()
                raise HarnessError(f"dockerd {self.name!r} exited with {code}; log tail:\n{_tail(log_path)}")
            if self.is_up():
                return
            time.sleep(0.1)
        self.stop()
        raise HarnessError(f"dockerd {self.name!r} silent on {self.socket} for {timeout}s:\n{_tail(log_path)}")

    def kill_containers(self) -> None:
        """Kill every running container of this engine (service tasks first, so stop is quick)."""
        if not self.is_up():
            return
        try:
            client = self.client(timeout=20)
        except docker.errors.DockerException:
            return
        try:
            for container in client.containers.list():
                with contextlib.suppress(docker.errors.APIError):
                    container.kill()
        except (docker.errors.DockerException, OSError):
            pass
        finally:
            client.close()

    def stop(self, timeout: float = 30) -> None:
        """Stop exactly the dockerd this engine started: SIGTERM, then SIGKILL of it and its containerd."""
        pid = self.pid
        if pid is None:
            self._reap()
            return
        containerd = self._containerd_pid()
        os.kill(pid, signal.SIGTERM)
        if not self._wait_gone(pid, timeout):
            os.kill(pid, signal.SIGKILL)
            self._wait_gone(pid, 10)
            if containerd is not None and _pid_alive(containerd):
                os.kill(containerd, signal.SIGKILL)
        self._reap()
        self.unmount_leftovers()
        if self.base_dir not in self.exec_root.parents:  # a short exec root outside base_dir: ours alone
            shutil.rmtree(self.exec_root.parent, ignore_errors=True)

    def restart(self) -> None:
        """Stop, then start again with the same paths and config file."""
        self.stop()
        self.start()

    def unmount_leftovers(self) -> None:
        """Lazily unmount what a dockerd that died left mounted under this engine's directories."""
        if self.pid is not None:
            return
        roots = {str(self.base_dir), str(self.exec_root)}
        try:
            with open("/proc/self/mounts", encoding="utf-8") as handle:
                points = [line.split()[1].replace("\\040", " ") for line in handle]
        except OSError:
            return
        ours = [p for p in points if any(p == r or p.startswith(r + "/") for r in roots)]
        for point in sorted(ours, key=len, reverse=True):
            subprocess.run(["umount", "-l", point], capture_output=True, check=False)

    # -- helpers -------------------------------------------------------------------------------------
    def _containerd_pid(self) -> int | None:
        pid = _read_pid(self.exec_root / "containerd" / "containerd.pid")
        if pid is not None and any(str(self.exec_root) in arg for arg in _cmdline(pid)):
            return pid
        return None

    def _wait_gone(self, pid: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.pid == pid:
                if self._proc.poll() is not None:
                    return True
            elif not _pid_alive(pid):
                return True
            time.sleep(0.1)
        return False

    def _reap(self) -> None:
        if self._proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(timeout=5)
        self._proc = None
        self._pid = None

    def save_state(self) -> None:
        """Remember netns/address/extra args so another process (the CLI) can restart the engine alike."""
        state = {"netns": self.netns, "address": self.address, "extra_args": self.extra_args}
        (self.base_dir / STATE_FILE).write_text(json.dumps(state), encoding="utf-8")


def _enter_namespaces(netns: str, hostname: str) -> Any:
    """A preexec function joining /run/netns/NETNS and a fresh UTS namespace with HOSTNAME.

    Only the network namespace is joined (unlike ``ip netns exec``, which remounts /sys and breaks
    dockerd's cgroup detection).
    """
    path = f"/run/netns/{netns}"
    if not os.path.exists(path):
        raise HarnessError(f"network namespace {netns!r} does not exist ({path})")

    def enter() -> None:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.setns(fd, os.CLONE_NEWNET)
        finally:
            os.close(fd)
        os.unshare(os.CLONE_NEWUTS)
        socket.sethostname(hostname)

    return enter


def _tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def short_dir(root: Path) -> Path:
    """A short directory for ROOT's sockets when ROOT is too deep for a unix socket path (108 bytes)."""
    digest = hashlib.sha1(str(root).encode(), usedforsecurity=False).hexdigest()[:12]
    return Path("/run/wcc-docker") / digest


def engine_paths(base_dir: Path, name: str) -> Engine:
    """The Engine object for BASE_DIR/NAME (nothing is started)."""
    root = Path(base_dir).resolve() / name
    root.mkdir(parents=True, exist_ok=True)
    short = short_dir(root)
    sock = root / "docker.sock" if len(str(root / "docker.sock")) <= UNIX_PATH_BUDGET else short / "docker.sock"
    exec_root = root / "exec" if len(str(root / "exec" / LONGEST_EXEC_SOCKET)) <= UNIX_PATH_BUDGET else short / "exec"
    engine = Engine(
        name=name,
        base_dir=root,
        socket=sock,
        docker_host=f"unix://{sock}",
        data_root=root / "data",
        exec_root=exec_root,
        pidfile=root / "docker.pid",
        config_file=root / "daemon.json",
        log_file=root / "dockerd.log",
    )
    state_path = root / STATE_FILE
    if state_path.exists():
        state = json.loads(state_path.read_text(encoding="utf-8"))
        engine.netns = state.get("netns")
        engine.address = state.get("address")
        engine.extra_args = list(state.get("extra_args") or [])
    return engine


def start_engine(
    base_dir: Path,
    name: str,
    *,
    netns: str | None = None,
    address: str | None = None,
    daemon_json: dict[str, Any] | None = None,
    timeout: float = 60,
) -> Engine:
    """Create BASE_DIR/NAME, write its daemon.json (``{}`` by default) and start dockerd."""
    engine = engine_paths(base_dir, name)
    engine.netns = netns
    engine.address = address
    engine.config_file.write_text(json.dumps(daemon_json or {}, indent=2) + "\n", encoding="utf-8")
    engine.save_state()
    engine.start(timeout=timeout)
    return engine


def busybox_rootfs_tar() -> bytes:
    """A tar of a minimal root filesystem: static busybox plus a symlink per applet."""
    busybox = next((Path(p) for p in BUSYBOX_CANDIDATES if Path(p).is_file()), None)
    if busybox is None:
        raise HarnessError("static busybox not found; install the busybox-static package")
    applets = subprocess.run([str(busybox), "--list"], check=True, capture_output=True, text=True).stdout.split()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for directory in ("bin", "etc", "tmp", "proc", "sys", "dev"):
            info = tarfile.TarInfo(directory)
            info.type = tarfile.DIRTYPE
            info.mode = 0o1777 if directory == "tmp" else 0o755
            tar.addfile(info)
        tar.add(str(busybox), arcname="bin/busybox")
        for applet in applets:
            if applet == "busybox":
                continue
            info = tarfile.TarInfo(f"bin/{applet}")
            info.type = tarfile.SYMTYPE
            info.linkname = "busybox"
            tar.addfile(info)
        for name, text in (("etc/passwd", "root:x:0:0:root:/:/bin/sh\n"), ("etc/group", "root:x:0:\n")):
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def import_test_image(engine: Engine, tag: str = DEFAULT_TEST_IMAGE) -> str:
    """``docker import`` the busybox rootfs into ENGINE as TAG (``CMD ["sh"]``); returns the image id."""
    repository, _colon, version = tag.rpartition(":")
    if not repository or "/" in version:
        repository, version = tag, "latest"
    client = engine.client()
    try:
        client.api.import_image_from_data(
            busybox_rootfs_tar(), repository=repository, tag=version, changes=['CMD ["sh"]']
        )
        return str(client.images.get(f"{repository}:{version}").id)
    finally:
        client.close()


def main(argv: list[str] | None = None) -> int:
    """CLI: start|stop|restart an engine under --base/--name; prints its DOCKER_HOST."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("action", choices=("start", "stop", "restart", "status"))
    parser.add_argument("--base", required=True, type=Path, help="directory holding the engines")
    parser.add_argument("--name", required=True, help="engine name (a sub-directory of --base)")
    parser.add_argument("--netns", help="network namespace to run in (start only)")
    parser.add_argument("--daemon-json", type=Path, help="daemon.json to use (start only; default {})")
    parser.add_argument("--import-image", action="store_true", help=f"import {DEFAULT_TEST_IMAGE} after start")
    args = parser.parse_args(argv)
    if args.action == "start":
        daemon_json = json.loads(args.daemon_json.read_text(encoding="utf-8")) if args.daemon_json else None
        engine = start_engine(args.base, args.name, netns=args.netns, daemon_json=daemon_json)
        engine._proc = None  # detached: a later CLI call stops it through the pidfile
        if args.import_image:
            import_test_image(engine)
    else:
        engine = engine_paths(args.base, args.name)
        if args.action == "stop":
            engine.stop()
        elif args.action == "restart":
            engine.restart()
            engine._proc = None
        elif not engine.is_up():
            print(f"{engine.name}: down", file=sys.stderr)
            return 1
    print(engine.docker_host)
    return 0


if __name__ == "__main__":
    sys.exit(main())
