"""A real Kubernetes API server for the tests: etcd and kube-apiserver on 127.0.0.1.

``start_cluster()`` makes a self-signed CA, a serving certificate, a service-account key and a static
token file (an admin in ``system:masters`` and a read-only user bound by RBAC to get/list/watch), starts
Debian's ``etcd`` and the kube-apiserver built by ``build-kube-apiserver.sh``, waits for ``/readyz``,
and writes one kubeconfig per user. ``KubeCluster.stop()`` stops exactly the processes it started.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

HARNESS = Path(__file__).resolve().parent
BUILD_SCRIPT = HARNESS / "build-kube-apiserver.sh"
READER_USER = "wcc-reader"
ADMIN_USER = "wcc-admin"
READER_ROLE = "wcc-read-only"


class HarnessError(RuntimeError):
    """The API server harness could not build, start or reach a component."""


@dataclass
class KubeCluster:
    """A running etcd + kube-apiserver pair and the credentials to reach it."""

    workdir: Path
    host: str
    ca_file: Path
    admin_token: str
    reader_token: str
    admin_kubeconfig: Path
    reader_kubeconfig: Path
    audit_log: Path | None
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def auth(self, user: str = "admin") -> dict[str, Any]:
        """Return kubernetes.core-style connection options for ``admin`` or ``reader``."""
        return {
            "host": self.host,
            "api_key": self.admin_token if user == "admin" else self.reader_token,
            "ca_cert": str(self.ca_file),
        }

    def call(self, method: str, path: str, body: Any = None, content_type: str = "application/json") -> Any:
        """One request as the admin; raises HarnessError on a non-2xx answer, returns the decoded JSON."""
        status, text = _request(f"{self.host}{path}", self.admin_token, self.ca_file, method, body, content_type)
        if not 200 <= status < 300:
            raise HarnessError(f"{method} {path} answered {status}: {text[:800]}")
        return json.loads(text) if text else None

    def kubeconfig(self, user: str = "admin") -> Path:
        return self.admin_kubeconfig if user == "admin" else self.reader_kubeconfig

    def stop(self) -> None:
        """Stop exactly the processes this cluster started, apiserver first."""
        for name in ("kube-apiserver", "etcd"):
            proc = self.processes.pop(name, None)
            if proc is not None:
                _terminate(proc)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def build_apiserver(timeout: int = 3600) -> Path:
    """Run the build script (a no-op when the binary is cached) and return the binary's path."""
    proc = subprocess.run(["bash", str(BUILD_SCRIPT)], capture_output=True, text=True, timeout=timeout, check=False)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise HarnessError(f"{BUILD_SCRIPT} failed (rc={proc.returncode}):\n{proc.stderr[-6000:]}")
    binary = Path(lines[-1])
    if not os.access(binary, os.X_OK):
        raise HarnessError(f"{BUILD_SCRIPT} printed {binary}, which is not an executable file")
    return binary


def _terminate(proc: subprocess.Popen[bytes], timeout: float = 15) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout)


def _write_key(path: Path, key: rsa.RSAPrivateKey) -> None:
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    path.chmod(0o600)


def make_pki(directory: Path) -> dict[str, Path]:
    """Write a self-signed CA, a serving certificate for 127.0.0.1 and a service-account key pair."""
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "wincontainers-compat test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    server_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kube-apiserver")]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.DNSName("kubernetes.default.svc"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.IPAddress(ipaddress.ip_address("10.0.0.1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    sa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    paths = {
        "ca": directory / "ca.crt",
        "server_cert": directory / "apiserver.crt",
        "server_key": directory / "apiserver.key",
        "sa_key": directory / "sa.key",
        "sa_pub": directory / "sa.pub",
    }
    paths["ca"].write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    paths["server_cert"].write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    _write_key(paths["server_key"], server_key)
    _write_key(paths["sa_key"], sa_key)
    paths["sa_pub"].write_bytes(
        sa_key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return paths


def write_kubeconfig(path: Path, host: str, ca_file: Path, user: str, token: str) -> None:
    """Write a kubeconfig (JSON is valid YAML) with one cluster, user and context."""
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "wcc-test", "cluster": {"server": host, "certificate-authority": str(ca_file)}}],
        "users": [{"name": user, "user": {"token": token}}],
        "contexts": [{"name": f"{user}@wcc-test", "context": {"cluster": "wcc-test", "user": user}}],
        "current-context": f"{user}@wcc-test",
    }
    path.write_text(json.dumps(config, indent=2))
    path.chmod(0o600)


AUDIT_POLICY = {
    "apiVersion": "audit.k8s.io/v1",
    "kind": "Policy",
    "omitStages": ["RequestReceived", "ResponseStarted"],
    "rules": [{"level": "None", "userGroups": ["system:unauthenticated"]}, {"level": "Metadata"}],
}


def _request(
    url: str,
    token: str,
    ca_file: Path,
    method: str = "GET",
    body: Any = None,
    content_type: str = "application/json",
) -> tuple[int, str]:
    context = ssl.create_default_context(cafile=str(ca_file))
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(req, context=context, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _wait_ready(cluster: KubeCluster, log_file: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        for name, proc in cluster.processes.items():
            if proc.poll() is not None:
                raise HarnessError(f"{name} exited with {proc.returncode}; log tail:\n{_tail(log_file.parent / name)}")
        try:
            status, text = _request(f"{cluster.host}/readyz", cluster.admin_token, cluster.ca_file)
            if status == 200:
                return
            last = f"{status} {text[-500:]}"
        except (OSError, ssl.SSLError) as exc:
            last = str(exc)
        time.sleep(0.5)
    raise HarnessError(f"kube-apiserver not ready after {timeout} s ({last}); log tail:\n{_tail(log_file)}")


def _tail(path: Path, size: int = 4000) -> str:
    candidates = [path, path.with_suffix(".log")]
    for candidate in candidates:
        if candidate.is_file():
            return candidate.read_text(errors="replace")[-size:]
    return f"(no log at {path})"


def _bind_reader(cluster: KubeCluster) -> None:
    role = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": READER_ROLE},
        "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["get", "list", "watch"]}],
    }
    binding = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": {"name": READER_ROLE},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": READER_ROLE},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": READER_USER}],
    }
    base = f"{cluster.host}/apis/rbac.authorization.k8s.io/v1"
    for url, body in ((f"{base}/clusterroles", role), (f"{base}/clusterrolebindings", binding)):
        status, text = _request(url, cluster.admin_token, cluster.ca_file, "POST", body)
        if status not in (201, 409):
            raise HarnessError(f"creating {body['kind']} {READER_ROLE} answered {status}: {text[:500]}")


def _wait_default_namespace(cluster: KubeCluster, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, _text = _request(f"{cluster.host}/api/v1/namespaces/default", cluster.admin_token, cluster.ca_file)
        if status == 200:
            return
        time.sleep(0.3)
    raise HarnessError("the default namespace did not appear")


def start_cluster(
    workdir: Path,
    apiserver: Path | None = None,
    etcd: str = "etcd",
    audit: bool = False,
) -> KubeCluster:
    """Start etcd and kube-apiserver under ``workdir``; stop both again if anything fails."""
    workdir.mkdir(parents=True, exist_ok=True)
    apiserver = apiserver or build_apiserver()
    etcd_bin = shutil.which(etcd)
    if etcd_bin is None:
        raise HarnessError(f"{etcd} not found: install Debian's etcd-server (scripts/install-system-deps)")
    pki = make_pki(workdir / "pki")
    admin_token, reader_token = secrets.token_hex(16), secrets.token_hex(16)
    tokens = workdir / "tokens.csv"
    tokens.write_text(f'{admin_token},{ADMIN_USER},1000,"system:masters"\n{reader_token},{READER_USER},1001\n')
    tokens.chmod(0o600)
    etcd_port, peer_port, api_port = free_port(), free_port(), free_port()
    host = f"https://127.0.0.1:{api_port}"
    audit_log = workdir / "audit.log" if audit else None
    cluster = KubeCluster(
        workdir=workdir,
        host=host,
        ca_file=pki["ca"],
        admin_token=admin_token,
        reader_token=reader_token,
        admin_kubeconfig=workdir / "admin.kubeconfig",
        reader_kubeconfig=workdir / "reader.kubeconfig",
        audit_log=audit_log,
    )
    etcd_args = [
        etcd_bin,
        "--name=wcc-test",
        f"--data-dir={workdir / 'etcd-data'}",
        f"--listen-client-urls=http://127.0.0.1:{etcd_port}",
        f"--advertise-client-urls=http://127.0.0.1:{etcd_port}",
        f"--listen-peer-urls=http://127.0.0.1:{peer_port}",
        f"--initial-advertise-peer-urls=http://127.0.0.1:{peer_port}",
        f"--initial-cluster=wcc-test=http://127.0.0.1:{peer_port}",
        "--unsafe-no-fsync",
    ]
    api_args = [
        str(apiserver),
        "--bind-address=127.0.0.1",
        f"--secure-port={api_port}",
        "--insecure-port=0",
        f"--etcd-servers=http://127.0.0.1:{etcd_port}",
        f"--cert-dir={workdir / 'pki'}",
        f"--tls-cert-file={pki['server_cert']}",
        f"--tls-private-key-file={pki['server_key']}",
        f"--client-ca-file={pki['ca']}",
        f"--token-auth-file={tokens}",
        "--authorization-mode=RBAC",
        f"--service-account-key-file={pki['sa_pub']}",
        f"--service-account-signing-key-file={pki['sa_key']}",
        "--service-account-issuer=https://kubernetes.default.svc",
        "--service-cluster-ip-range=10.0.0.0/24",
        "--advertise-address=127.0.0.1",
        "--endpoint-reconciler-type=none",
        "--disable-admission-plugins=ServiceAccount",
        "--max-requests-inflight=800",
        "--max-mutating-requests-inflight=400",
    ]
    if audit_log is not None:
        policy = workdir / "audit-policy.json"
        policy.write_text(json.dumps(AUDIT_POLICY))
        api_args += [f"--audit-policy-file={policy}", f"--audit-log-path={audit_log}", "--audit-log-format=json"]
    try:
        cluster.processes["etcd"] = _spawn(etcd_args, workdir / "etcd.log")
        _wait_etcd(etcd_port, cluster, workdir / "etcd.log")
        cluster.processes["kube-apiserver"] = _spawn(api_args, workdir / "kube-apiserver.log")
        _wait_ready(cluster, workdir / "kube-apiserver.log")
        _bind_reader(cluster)
        _wait_default_namespace(cluster)
        write_kubeconfig(cluster.admin_kubeconfig, host, pki["ca"], ADMIN_USER, admin_token)
        write_kubeconfig(cluster.reader_kubeconfig, host, pki["ca"], READER_USER, reader_token)
    except BaseException:
        cluster.stop()
        raise
    return cluster


def _spawn(args: list[str], log_file: Path) -> subprocess.Popen[bytes]:
    with log_file.open("ab") as log:
        return subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def _wait_etcd(port: int, cluster: KubeCluster, log_file: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cluster.processes["etcd"].poll() is not None:
            raise HarnessError(f"etcd exited with {cluster.processes['etcd'].returncode}:\n{_tail(log_file)}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as resp:
                if json.loads(resp.read()).get("health") == "true":
                    return
        except (OSError, ValueError):
            pass
        time.sleep(0.2)
    raise HarnessError(f"etcd on 127.0.0.1:{port} not healthy after {timeout} s:\n{_tail(log_file)}")


def count_requests(audit_log: Path, user: str = ADMIN_USER, since: int = 0) -> tuple[int, dict[str, int], int]:
    """Count the audited requests of ``user`` from byte offset ``since``; return (total, by verb, new offset)."""
    by_verb: dict[str, int] = {}
    with audit_log.open("rb") as handle:
        handle.seek(since)
        data = handle.read()
    data = data[: data.rfind(b"\n") + 1]  # a line still being written is counted next time
    offset = since + len(data)
    for line in data.splitlines():
        event = json.loads(line)
        if event.get("user", {}).get("username") != user:
            continue
        verb = event.get("verb", "?")
        by_verb[verb] = by_verb.get(verb, 0) + 1
    return sum(by_verb.values()), by_verb, offset
