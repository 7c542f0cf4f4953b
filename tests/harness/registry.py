"""A real container registry for the tests: Debian's ``docker-registry`` (CNCF distribution 2.8) on loopback.

Four modes:

``http``   plain HTTP, no auth (an "insecure registry" for dockerd and the Docker CLI);
``tls``    HTTPS with a certificate of a CA this harness generates (``Registry.ca_file``);
``basic``  plain HTTP with htpasswd basic auth (``Registry.username``/``password``);
``token``  plain HTTP with ``auth: token``: a token server in this process (``TokenServer``) checks the
           credentials and signs RS256 JWTs whose ``x5c`` header carries the signing certificate, which the
           registry verifies against ``rootcertbundle`` (distribution ``registry/auth/token/token.go``
           ``VerifySigningKey`` takes ``x5c``, then ``jwk``, then ``kid``).

``push_windows_image`` pushes Windows images through the real registry API: a tiny gzip layer that never runs,
an image config with ``"os": "windows"`` and ``"os.version"``, an OCI or Docker image manifest per build and an
index / manifest list over them. ``RegistryProxy`` sits in front of a registry, counts every request and can
answer ``429`` on demand. Every request the registry served is also in its access log (``Registry.requests()``).

Each process is stopped by the pid this harness started.
"""

from __future__ import annotations

import base64
import datetime
import gzip
import http.client
import http.server
import io
import json
import os
import re
import shutil
import socket
import subprocess
import tarfile
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ansible_collections.wincontainers.compat.plugins.module_utils.registry import (
    DOCKER_CONFIG,
    DOCKER_LAYER,
    DOCKER_LIST,
    DOCKER_MANIFEST,
    OCI_CONFIG,
    OCI_INDEX,
    OCI_LAYER,
    OCI_MANIFEST,
    sha256_digest,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.registry_client import (
    ClientOptions,
    RegistryClient,
)
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

MODES = ("http", "tls", "basic", "token")
USERNAME = "wcc"
PASSWORD = "s3cret-registry"
IDENTITY_TOKEN = "refresh-" + "0" * 24
SERVICE = "wcc-registry"
PUBLIC_PREFIX = "public/"
ISSUER = "wcc-token-server"
_ACCESS_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3}) ')
# Media types of one image family: (index, manifest, config, layer).
FAMILIES = {
    "oci": (OCI_INDEX, OCI_MANIFEST, OCI_CONFIG, OCI_LAYER),
    "docker": (DOCKER_LIST, DOCKER_MANIFEST, DOCKER_CONFIG, DOCKER_LAYER),
}


class RegistryHarnessError(RuntimeError):
    """The registry or the token server could not be started or reached."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- a CA of our own ----------------------------------------------------------------------------------------
@dataclass
class CertificateAuthority:
    """A self-signed CA that issues loopback server certificates and the token signing certificate."""

    directory: Path
    key: rsa.RSAPrivateKey = field(init=False)
    cert: x509.Certificate = field(init=False)

    def __post_init__(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "wcc test CA")])
        self.cert = (
            self._builder(name, name, self.key.public_key())
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        self.ca_file.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))

    @property
    def ca_file(self) -> Path:
        return self.directory / "ca.pem"

    def _builder(self, subject: x509.Name, issuer: x509.Name, public_key: Any) -> x509.CertificateBuilder:
        now = datetime.datetime.now(datetime.timezone.utc)
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=2))
        )

    def issue(self, name: str, server: bool = True) -> tuple[rsa.RSAPrivateKey, x509.Certificate, Path, Path]:
        """A key and certificate signed by this CA (for 127.0.0.1/localhost when ``server``); PEM files too."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        builder = self._builder(subject, self.cert.subject, key.public_key()).add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False
        )
        if server:
            import ipaddress

            sans = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        cert = builder.sign(self.key, hashes.SHA256())
        key_file, cert_file = self.directory / f"{name}.key", self.directory / f"{name}.pem"
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
            )
        )
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return key, cert, key_file, cert_file


# --- loopback HTTP servers of the harness --------------------------------------------------------------------
class _LoopbackServer:
    """An HTTP server of the harness on a free loopback port, served by a daemon thread until ``stop()``."""

    def __init__(self) -> None:
        self.port = free_port()
        self._server: http.server.ThreadingHTTPServer | None = None

    def _serve(self, handler: type[http.server.BaseHTTPRequestHandler]) -> None:
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


# --- the token server ---------------------------------------------------------------------------------------
def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class TokenServer(_LoopbackServer):
    """Docker's token authentication (``GET /token?service=&scope=`` with basic auth, ``POST`` refresh tokens).

    Valid credentials get every action they ask for; anonymous requests get ``pull`` on repositories under
    ``public/`` only (elsewhere the registry then answers 401); wrong credentials get 401 here. ``issued``
    counts the tokens signed.
    """

    def __init__(self, ca: CertificateAuthority) -> None:
        super().__init__()
        self.key, cert, _key_file, _cert_file = ca.issue("token-signer", server=False)
        self.x5c = [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode("ascii")]
        self.issued = 0
        self.refused = 0

    @property
    def realm(self) -> str:
        return f"http://127.0.0.1:{self.port}/token"

    def sign(self, subject: str, access: list[dict[str, Any]], ttl: int = 300) -> str:
        """A JWT the registry accepts: RS256, ``x5c`` chain to the CA, ``iss``/``aud`` as configured."""
        header = {"typ": "JWT", "alg": "RS256", "x5c": self.x5c}
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "sub": subject,
            "aud": SERVICE,
            "exp": now + ttl,
            "nbf": now - 5,
            "iat": now,
            "jti": uuid.uuid4().hex,
            "access": access,
        }
        signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
        signature = self.key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
        self.issued += 1
        return f"{signing_input}.{_b64url(signature)}"

    @staticmethod
    def access_for(scopes: list[str]) -> list[dict[str, Any]]:
        access = []
        for scope in scopes:
            kind, _sep, rest = scope.partition(":")
            name, _sep, actions = rest.rpartition(":")
            access.append({"type": kind, "name": name, "actions": [a for a in actions.split(",") if a]})
        return access

    def _answer(
        self, handler: http.server.BaseHTTPRequestHandler, query: dict[str, list[str]], user: str | None
    ) -> None:
        if user is None:
            self.refused += 1
            handler.send_response(401)
            handler.send_header("WWW-Authenticate", 'Basic realm="wcc-token"')
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        access = self.access_for(query.get("scope", []))
        if not user:  # anonymous: pull only, and only below public/ (as MCR and Docker Hub serve public images)
            access = [dict(a, actions=["pull"] if "pull" in a["actions"] else []) for a in access]
            access = [a for a in access if a["name"].startswith(PUBLIC_PREFIX) and a["actions"]]
        token = self.sign(user or "anonymous", access)
        body = json.dumps({"token": token, "access_token": token, "expires_in": 300}).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def start(self) -> TokenServer:
        server_self = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                header = self.headers.get("Authorization", "")
                user: str | None = ""
                if header.startswith("Basic "):
                    name, _sep, secret = base64.b64decode(header[6:]).decode().partition(":")
                    user = name if (name, secret) == (USERNAME, PASSWORD) else None
                server_self._answer(self, query, user)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                good = form.get("grant_type") == ["refresh_token"] and form.get("refresh_token") == [IDENTITY_TOKEN]
                server_self._answer(self, form, USERNAME if good else None)

        self._serve(Handler)
        return self


# --- the registry -------------------------------------------------------------------------------------------
@dataclass
class Registry:
    """One ``docker-registry serve`` process of one mode, with its storage, config and log under ``directory``."""

    directory: Path
    mode: str = "http"
    port: int = 0
    ca: CertificateAuthority | None = None
    token_server: TokenServer | None = None
    process: subprocess.Popen[bytes] | None = None
    username: str = USERNAME
    password: str = PASSWORD

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT``: the registry part of image references."""
        return f"127.0.0.1:{self.port}"

    @property
    def scheme(self) -> str:
        return "https" if self.mode == "tls" else "http"

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}"

    @property
    def ca_file(self) -> Path | None:
        return self.ca.ca_file if self.ca else None

    @property
    def log_file(self) -> Path:
        return self.directory / "registry.log"

    @property
    def credentials(self) -> dict[str, str]:
        """What the module's ``auth`` option takes for this registry (empty without auth)."""
        return {"username": self.username, "password": self.password} if self.mode in ("basic", "token") else {}

    def _config(self) -> dict[str, Any]:
        config: dict[str, Any] = {
            "version": 0.1,
            "log": {"level": "info", "formatter": "text"},
            "storage": {"filesystem": {"rootdirectory": str(self.directory / "data")}, "delete": {"enabled": True}},
            "http": {"addr": self.host, "secret": "wcc-test-secret"},
        }
        if self.mode == "tls" and self.ca is not None:
            _key, _cert, key_file, cert_file = self.ca.issue("registry")
            config["http"]["tls"] = {"certificate": str(cert_file), "key": str(key_file)}
        if self.mode == "basic":
            htpasswd = self.directory / "htpasswd"
            line = subprocess.run(
                ["htpasswd", "-Bbn", self.username, self.password], capture_output=True, text=True, check=True
            ).stdout.strip()
            htpasswd.write_text(line + "\n")
            config["auth"] = {"htpasswd": {"realm": "wcc-basic", "path": str(htpasswd)}}
        if self.mode == "token" and self.ca is not None and self.token_server is not None:
            config["auth"] = {
                "token": {
                    "realm": self.token_server.realm,
                    "service": SERVICE,
                    "issuer": ISSUER,
                    "rootcertbundle": str(self.ca.ca_file),
                }
            }
        return config

    def start(self) -> Registry:
        """Start the registry (again, after ``stop``, on the same port and storage) and wait until it answers."""
        if self.mode not in MODES:
            raise RegistryHarnessError(f"mode must be one of {', '.join(MODES)}; got {self.mode!r}")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        if self.mode in ("tls", "token") and self.ca is None:
            self.ca = CertificateAuthority(self.directory / "pki")
        if self.mode == "token" and self.token_server is None:
            self.token_server = TokenServer(self.ca).start()  # type: ignore[arg-type]
        config_file = self.directory / "config.yml"
        config_file.write_text(json.dumps(self._config(), indent=1))  # JSON is YAML
        log = self.log_file.open("ab")
        binary = shutil.which("docker-registry") or "/usr/bin/docker-registry"
        self.process = subprocess.Popen(
            [binary, "serve", str(config_file)], stdout=log, stderr=log, stdin=subprocess.DEVNULL
        )
        log.close()
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RegistryHarnessError(f"docker-registry exited: {self.log_file.read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RegistryHarnessError(f"docker-registry did not listen on {self.host} within {timeout}s")

    def stop(self) -> None:
        """Stop the process this harness started (by its pid); storage and port are kept for ``start``."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def close(self) -> None:
        self.stop()
        if self.token_server is not None:
            self.token_server.stop()

    def requests(self) -> list[tuple[str, str, int]]:
        """``(method, path, status)`` of every request in the registry's access log, oldest first."""
        if not self.log_file.exists():
            return []
        found = []
        for line in self.log_file.read_text(errors="replace").splitlines():
            match = _ACCESS_LINE.search(line)
            if match:
                found.append((match.group("method"), match.group("path"), int(match.group("status"))))
        return found

    def client(self) -> RegistryClient:
        """A client with this registry's credentials and trust, for pushing test images."""
        options = ClientOptions(
            ca_path=str(self.ca_file) if self.mode == "tls" and self.ca_file else None,
            insecure_registries=(self.host,) if self.scheme == "http" else (),
        )
        return RegistryClient(self.host, options, self.credentials)

    def module_args(self) -> dict[str, Any]:
        """The ``registry_image_info`` options that reach this registry."""
        args: dict[str, Any] = {}
        if self.scheme == "http":
            args["insecure_registries"] = [self.host]
        if self.mode == "tls":
            args["ca_path"] = str(self.ca_file)
        if self.credentials:
            args["auth"] = {self.host: self.credentials}
        return args


def start_registry(directory: Path, mode: str = "http") -> Registry:
    """Start a registry of ``mode`` under ``directory``."""
    return Registry(directory=Path(directory), mode=mode).start()


# --- Windows test images ------------------------------------------------------------------------------------
def tiny_layer(label: str) -> tuple[bytes, str]:
    """A gzip tar holding one small file: ``(compressed bytes, diff_id of the uncompressed tar)``."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as archive:
        data = f"wincontainers.compat test layer {label}\n".encode()
        info = tarfile.TarInfo("Files/wcc.txt")
        info.size, info.mtime = len(data), 0
        archive.addfile(info, io.BytesIO(data))
    uncompressed = raw.getvalue()
    return gzip.compress(uncompressed, mtime=0), sha256_digest(uncompressed)


@dataclass(frozen=True)
class Platform:
    """One image of a list: ``os_version`` None leaves ``os.version`` out of the list entry and the config."""

    os: str = "windows"
    architecture: str = "amd64"
    os_version: str | None = "10.0.20348.2700"
    variant: str | None = None


def _descriptor(media_type: str, content: bytes) -> dict[str, Any]:
    return {"mediaType": media_type, "digest": sha256_digest(content), "size": len(content)}


def push_single(
    client: RegistryClient, repository: str, platform: Platform, family: str = "oci", tag: str | None = None
) -> dict[str, Any]:
    """Push one image manifest (layer, config, manifest); returns its descriptor with ``platform``."""
    _index_type, manifest_type, config_type, layer_type = FAMILIES[family]
    layer, diff_id = tiny_layer(f"{repository} {platform}")
    config: dict[str, Any] = {
        "architecture": platform.architecture,
        "os": platform.os,
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "config": {"Cmd": ["cmd.exe"] if platform.os == "windows" else ["/bin/sh"]},
    }
    if platform.os_version:
        config["os.version"] = platform.os_version
    if platform.variant:
        config["variant"] = platform.variant
    config_bytes = json.dumps(config, sort_keys=True).encode()
    client.upload_blob(repository, layer)
    client.upload_blob(repository, config_bytes)
    manifest = {
        "schemaVersion": 2,
        "mediaType": manifest_type,
        "config": _descriptor(config_type, config_bytes),
        "layers": [_descriptor(layer_type, layer)],
    }
    content = json.dumps(manifest, indent=3).encode()
    digest = client.put_manifest(repository, tag or sha256_digest(content), content, manifest_type)
    entry_platform: dict[str, Any] = {"architecture": platform.architecture, "os": platform.os}
    if platform.os_version:
        entry_platform["os.version"] = platform.os_version
    if platform.variant:
        entry_platform["variant"] = platform.variant
    return {"mediaType": manifest_type, "digest": digest, "size": len(content), "platform": entry_platform}


def push_windows_image(
    client: RegistryClient,
    repository: str,
    tag: str,
    platforms: list[Platform] | tuple[Platform, ...] = (),
    family: str = "oci",
    single: bool = False,
) -> str:
    """Push an index (or manifest list) over one image per platform, or one image when ``single``; its digest.

    The default platforms are three Windows builds: 17763, 20348 and 26100.
    """
    chosen = list(platforms) or [
        Platform(os_version="10.0.17763.6659"),
        Platform(os_version="10.0.20348.2966"),
        Platform(os_version="10.0.26100.2605"),
    ]
    if single:
        return str(push_single(client, repository, chosen[0], family, tag)["digest"])
    index_type = FAMILIES[family][0]
    entries = [push_single(client, repository, platform, family) for platform in chosen]
    index = {"schemaVersion": 2, "mediaType": index_type, "manifests": entries}
    return client.put_manifest(repository, tag, json.dumps(index, indent=3).encode(), index_type)


# --- a counting proxy that can answer 429 -------------------------------------------------------------------
class RegistryProxy(_LoopbackServer):
    """HTTP proxy in front of a plain-HTTP registry: counts requests, answers ``429`` while ``throttle`` > 0.

    ``before(method, path)`` runs before a request is forwarded (a test can stop the registry there); when the
    registry does not answer, the proxy drops the connection as a stopped registry would.

    distribution 2.8 answers ``/v2/<name>/tags/list`` in one piece whatever ``n`` says (only ``_catalog``
    paginates); with ``tag_page_size`` set the proxy pages the registry's real list as the distribution spec and
    MCR do: at most that many tags after ``last``, and a ``Link: <...>; rel="next"`` header while more remain.
    """

    def __init__(self, upstream_port: int) -> None:
        super().__init__()
        self.upstream_port = upstream_port
        self.requests: list[tuple[str, str, int]] = []
        self.throttle = 0
        self.retry_after = "1"
        self.before: Callable[[str, str], None] | None = None
        self.tag_page_size = 0
        self._lock = threading.Lock()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def count(self, method: str | None = None, contains: str = "") -> int:
        with self._lock:
            return sum(1 for m, p, _s in self.requests if (method is None or m == method) and contains in p)

    def _throttled(self) -> bool:
        with self._lock:
            if self.throttle > 0:
                self.throttle -= 1
                return True
            return False

    def _record(self, method: str, path: str, status: int) -> None:
        with self._lock:
            self.requests.append((method, path, status))

    def _page(self, path: str, data: bytes) -> tuple[bytes, str | None]:
        """One page of a tag list answer, and its ``Link`` header when more tags follow."""
        split = urllib.parse.urlsplit(path)
        query = urllib.parse.parse_qs(split.query)
        size = min(int(query.get("n", [self.tag_page_size])[0]), self.tag_page_size)
        document = json.loads(data)
        tags = sorted(t for t in document.get("tags") or [] if t > query.get("last", [""])[0])
        document["tags"] = tags[:size]
        link = None
        if len(tags) > size:
            following = urllib.parse.urlencode({"n": size, "last": tags[size - 1]})
            link = f'<{split.path}?{following}>; rel="next"'
        return json.dumps(document).encode(), link

    def start(self) -> RegistryProxy:
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _relay(self) -> None:
                if proxy._throttled():
                    proxy._record(self.command, self.path, 429)
                    self.send_response(429)
                    self.send_header("Retry-After", proxy.retry_after)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                length = int(self.headers.get("Content-Length", "0") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                if proxy.before is not None:
                    proxy.before(self.command, self.path)
                upstream = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=30)
                try:
                    upstream.request(self.command, self.path, body=body, headers=headers)
                    answer = upstream.getresponse()
                    data = answer.read()
                except OSError:
                    proxy._record(self.command, self.path, 0)
                    self.close_connection = True
                    return
                finally:
                    upstream.close()
                proxy._record(self.command, self.path, answer.status)
                link = None
                if proxy.tag_page_size and answer.status == 200 and "/tags/list" in self.path:
                    data, link = proxy._page(self.path, data)
                self.send_response(answer.status)
                if link:
                    self.send_header("Link", link)
                for key, value in answer.getheaders():
                    if key.lower() not in ("connection", "transfer-encoding", "content-length"):
                        self.send_header(key, value.replace(f":{proxy.upstream_port}", f":{proxy.port}"))
                self.send_header(
                    "Content-Length",
                    str(len(data) if self.command != "HEAD" else answer.getheader("Content-Length", "0")),
                )
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = _relay

        self._serve(Handler)
        return self


def docker_manifest_inspect(reference: str, env: dict[str, str] | None = None) -> Any:
    """``docker manifest inspect --insecure REF`` by the real Docker CLI, parsed (client side only)."""
    run_env = dict(os.environ)
    run_env.update(env or {})
    proc = subprocess.run(
        ["docker", "manifest", "inspect", "--insecure", reference],
        capture_output=True,
        text=True,
        env=run_env,
        timeout=60,
        check=False,
    )
    if proc.returncode != 0:
        raise RegistryHarnessError(f"docker manifest inspect {reference} failed: {proc.stderr.strip()}")
    return json.loads(proc.stdout)
