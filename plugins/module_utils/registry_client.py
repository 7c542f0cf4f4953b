"""HTTP client of the OCI distribution API (Docker Registry HTTP API V2): read and push manifests and blobs.

Requests go through ``urllib`` with one TLS context per client (verification on by default, ``ca_path``;
``ansible.module_utils.urls.open_url`` rebuilds its context on every call, ~50 ms each), the usual proxy
environment variables, and ``Authorization`` never forwarded across a redirect to blob storage. Authentication is what
registries do: anonymous first; on ``401`` the ``WWW-Authenticate`` challenge decides between the Bearer
token dance (``GET <realm>?service=&scope=`` with basic credentials, or ``POST`` with an identity token as
refresh token) and HTTP basic. ``429`` and ``5xx`` answers are retried after ``Retry-After`` (or a short
back-off), a bounded number of times. Hosts in ``insecure_registries`` are tried over HTTPS without
verification first and over plain HTTP when HTTPS fails, as dockerd does.

Content addressed by digest is immutable: ``DigestCache`` keeps it in memory for the run and optionally on disk
(``cache_dir/sha256/<hex>``), verified against its digest on every read.

Credentials a Docker ``config.json`` keeps in a credential helper (``credHelpers``, ``credsStore``) come from the
``ask_helper`` a session is given (the controller's ``plugin_utils.credential_helpers``), once per registry.
"""

from __future__ import annotations

import json
import os
import ssl
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional

from ansible_collections.wincontainers.compat.plugins.module_utils.registry import (
    MANIFEST_ACCEPT,
    CredentialHelper,
    RegistryError,
    RegistryReference,
    basic_authorization,
    config_descriptor,
    config_platform,
    credentials_for,
    image_result,
    index_platforms,
    is_digest,
    is_index,
    load_json,
    manifest_media_type,
    next_link,
    parse_reference,
    parse_www_authenticate,
    repository_scope,
    retry_after_seconds,
    sha256_digest,
)

USER_AGENT = "wincontainers.compat registry client"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# No manifest, image config or tag list comes near this (distribution refuses manifests over 4 MiB).
MAX_BODY = 16 * 1024 * 1024
_STATUS_WORDS = {
    401: "unauthorized",
    403: "forbidden",
    404: "not found",
    429: "rate-limited",
    503: "unavailable",
}


class RegistryHTTPError(RegistryError):
    """A registry answered with an error status, or could not be reached (``status`` 0)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Response:
    """One HTTP answer: status, headers (lowercased names) and body."""

    status: int
    headers: dict[str, str]
    body: bytes
    url: str = ""

    def header(self, name: str) -> Optional[str]:
        return self.headers.get(name.lower())


@dataclass
class ClientOptions:
    """Transport settings shared by every registry of a run."""

    validate_certs: bool = True
    ca_path: Optional[str] = None
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 0.5
    insecure_registries: tuple[str, ...] = ()
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)


def _error_detail(body: bytes) -> str:
    """``CODE: message`` of a distribution error body (``{"errors": [{code, message}]}``), else empty."""
    try:
        errors = json.loads(body.decode("utf-8")).get("errors") or []
        text = "; ".join(f"{e.get('code', '?')}: {e.get('message', '')}".strip() for e in errors if isinstance(e, dict))
        return text if len(text) <= 300 else text[:297] + "..."
    except (ValueError, AttributeError, TypeError, UnicodeDecodeError):
        return ""


def _is_tls_failure(exc: BaseException) -> bool:
    return isinstance(getattr(exc, "reason", exc), ssl.SSLError) or isinstance(exc, ssl.SSLError)


def _transport_reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", exc)
    return f"TLS failure ({reason})" if _is_tls_failure(exc) else f"unreachable ({reason})"


def _is_insecure(registry: str, insecure_registries: tuple[str, ...]) -> bool:
    """Whether ``registry`` (``host[:port]``) is listed, by host with port or by bare host."""
    host = registry.rsplit(":", 1)[0] if registry.count(":") == 1 else registry
    return registry in insecure_registries or host in insecure_registries


class RegistryClient:
    """One registry host: scheme, credentials and tokens; thread-safe."""

    def __init__(
        self,
        host: str,
        options: Optional[ClientOptions] = None,
        credentials: Optional[Mapping[str, str]] = None,
    ) -> None:
        self.host = host
        self.options = options or ClientOptions()
        self.credentials = dict(credentials or {})
        self.insecure = _is_insecure(host, self.options.insecure_registries)
        self._scheme: Optional[str] = None if self.insecure else "https"
        self._tokens: dict[str, str] = {}
        self._basic = False
        self._openers: dict[bool, urllib.request.OpenerDirector] = {}
        self._down: Optional[str] = None  # why the registry is not asked again in this run
        self._lock = threading.Lock()

    # --- transport ----------------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"{self._scheme or 'https'}://{self.host}"

    def _opener(self, verify: bool) -> urllib.request.OpenerDirector:
        """One opener per client and verification mode, its TLS context built once (CA files are read once)."""
        with self._lock:
            if verify not in self._openers:
                if verify:  # the system's CAs, and those of ca_path besides (as dockerd's certs.d adds them)
                    context = ssl.create_default_context()
                    if self.options.ca_path:
                        context.load_verify_locations(cafile=self.options.ca_path)
                else:
                    context = ssl.create_default_context()
                    context.check_hostname = False
                    context.verify_mode = ssl.CERT_NONE
                self._openers[verify] = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context))
            return self._openers[verify]

    def _open(self, method: str, url: str, headers: Mapping[str, str], data: Optional[bytes]) -> Response:
        """One HTTP exchange; error statuses are returned, transport failures raised as ``URLError``/``OSError``.

        ``Authorization`` is an unredirected header: a redirect to blob storage on another host never gets it.
        """
        verify = self.options.validate_certs and not (self.insecure and url.startswith("https://"))
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("User-Agent", USER_AGENT)
        for name, value in headers.items():
            if name.lower() == "authorization":
                request.add_unredirected_header(name, value)
            else:
                request.add_header(name, value)
        try:
            with self._opener(verify).open(request, timeout=self.options.timeout) as answer:
                body = b"" if method == "HEAD" else answer.read(MAX_BODY + 1)
                if len(body) > MAX_BODY:
                    raise RegistryError(f"registry {self.host} sent more than {MAX_BODY} bytes to {method} {url}")
                return Response(answer.status, {k.lower(): v for k, v in answer.headers.items()}, body, answer.url)
        except urllib.error.HTTPError as exc:
            body = b"" if method == "HEAD" else exc.read(MAX_BODY)
            return Response(exc.code, {k.lower(): v for k, v in (exc.headers or {}).items()}, body, url)

    def _resolve_scheme(self) -> None:
        """For an insecure registry: HTTPS (unverified) when it answers, else plain HTTP, decided once."""
        if self._scheme is not None:
            return
        try:
            self._open("GET", f"https://{self.host}/v2/", {}, None)
            scheme = "https"
        except (urllib.error.URLError, OSError):
            scheme = "http"
        with self._lock:
            self._scheme = self._scheme or scheme

    def _exchange(self, method: str, url: str, headers: Mapping[str, str], data: Optional[bytes]) -> Response:
        """``_open`` with retries on 429/5xx (honouring ``Retry-After``) and on transport failures.

        A registry that still fails at the transport level after the retries (unreachable, timing out, TLS
        refused) is not asked again in this run: every later request fails at once with the same reason, so a
        registry that drops connections costs one request's retries, not every image's.
        """
        attempt = 0
        while True:
            if self._down is not None:
                raise RegistryHTTPError(
                    f"registry {self.host} {self._down} (an earlier request failed; not asked again in this run): "
                    f"{method} {url}"
                )
            try:
                response = self._open(method, url, headers, data)
            except (urllib.error.URLError, OSError) as exc:
                if attempt >= self.options.retries or _is_tls_failure(exc):
                    with self._lock:
                        self._down = self._down or _transport_reason(exc)
                    raise RegistryHTTPError(f"registry {self.host} {_transport_reason(exc)}: {method} {url}") from exc
                self.options.sleep(self.options.backoff * 2**attempt)
            else:
                if response.status not in RETRY_STATUSES or attempt >= self.options.retries:
                    return response
                wait = retry_after_seconds(response.header("Retry-After"), self.options.backoff * 2**attempt)
                self.options.sleep(wait)
            attempt += 1

    # --- authentication -----------------------------------------------------------------------------------
    def _auth_header(self, scope: str) -> dict[str, str]:
        with self._lock:
            token = self._tokens.get(scope)
            basic = self._basic
        if token:
            return {"Authorization": f"Bearer {token}"}
        if basic and self.credentials.get("username"):
            return {"Authorization": basic_authorization(self.credentials["username"], self.credentials["password"])}
        return {}

    def _fetch_token(self, params: Mapping[str, str], scope: str) -> str:
        """The Bearer token dance: credentials to ``realm``, a token for ``scope`` back."""
        realm = params.get("realm")
        if not realm:
            raise RegistryHTTPError(f"registry {self.host} sent a Bearer challenge without a realm", 401)
        scopes = [scope] + [s for s in (params.get("scope") or "").split(" ") if s and s != scope]
        query = {"service": params.get("service", ""), "scope": scopes}
        creds = self.credentials
        headers: dict[str, str] = {}
        data: Optional[bytes] = None
        if creds.get("token"):
            return creds["token"]
        if creds.get("identitytoken"):
            form = {**query, "grant_type": "refresh_token", "refresh_token": creds["identitytoken"]}
            form["client_id"] = "wincontainers.compat"
            data = urllib.parse.urlencode(form, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            url = realm
        else:
            url = f"{realm}{'&' if '?' in realm else '?'}{urllib.parse.urlencode(query, doseq=True)}"
            if creds.get("username"):
                headers["Authorization"] = basic_authorization(creds["username"], creds.get("password", ""))
        answer = self._exchange("POST" if data else "GET", url, headers, data)
        if answer.status != 200:
            raise RegistryHTTPError(
                f"registry {self.host}: the token service {realm} answered {answer.status} "
                f"({_STATUS_WORDS.get(answer.status, 'error')}) for scope {' '.join(scopes)}",
                answer.status,
            )
        document = load_json(answer.body, f"the answer of the token service {realm}")
        token = document.get("token") or document.get("access_token")
        if not isinstance(token, str) or not token:
            raise RegistryHTTPError(f"registry {self.host}: the token service {realm} returned no token", 401)
        return token

    def _answer_challenge(self, response: Response, scope: str, sent: Mapping[str, str]) -> None:
        """Get what a 401's challenge asks for (a token for ``scope``, or basic auth), unless another thread did."""
        scheme, params = parse_www_authenticate(response.header("WWW-Authenticate") or "")
        if self._auth_header(scope) != sent:
            return
        if scheme == "bearer":
            token = self._fetch_token(params, scope)
            with self._lock:
                self._tokens[scope] = token
        elif scheme == "basic" and self.credentials.get("username"):
            with self._lock:
                self._basic = True

    # --- requests -----------------------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        scope: str,
        headers: Optional[Mapping[str, str]] = None,
        data: Optional[bytes] = None,
    ) -> Response:
        """``method`` on ``path`` (or an absolute URL) with authentication for ``scope``; any status returned."""
        self._resolve_scheme()
        url = path if "://" in path else f"{self.base_url}{path}"
        sent = self._auth_header(scope)
        response = self._exchange(method, url, {**(headers or {}), **sent}, data)
        if response.status == 401:
            self._answer_challenge(response, scope, sent)
            now = self._auth_header(scope)
            if now != sent:  # a retry can only help with other credentials
                response = self._exchange(method, url, {**(headers or {}), **now}, data)
        return response

    def _expect(self, response: Response, method: str, what: str, ok: tuple[int, ...] = (200,)) -> Response:
        if response.status in ok:
            return response
        detail = _error_detail(response.body)
        word = _STATUS_WORDS.get(response.status, "error")
        if response.status in RETRY_STATUSES and self.options.retries:
            word += f", after {self.options.retries} retries"
        raise RegistryHTTPError(
            f"registry {self.host} answered {response.status} ({word}) to {method} {what}"
            + (f": {detail}" if detail else ""),
            response.status,
        )

    def head_manifest(self, repository: str, reference: str) -> tuple[Optional[str], Optional[str]]:
        """``(digest, media type)`` of a tag or digest from a ``HEAD``; the digest is None when not sent."""
        path = f"/v2/{repository}/manifests/{reference}"
        answer = self.request("HEAD", path, repository_scope(repository), {"Accept": MANIFEST_ACCEPT})
        self._expect(answer, "HEAD", f"{repository}:{reference}")
        digest = answer.header("Docker-Content-Digest")
        media_type = (answer.header("Content-Type") or "").split(";", 1)[0].strip() or None
        return (digest if is_digest(digest) else None), media_type

    def get_manifest(self, repository: str, reference: str) -> tuple[bytes, str, str]:
        """``(content, media type, digest)`` of a manifest by tag or digest; the digest is verified."""
        path = f"/v2/{repository}/manifests/{reference}"
        answer = self.request("GET", path, repository_scope(repository), {"Accept": MANIFEST_ACCEPT})
        self._expect(
            answer, "GET", f"{repository}:{reference}" if ":" not in reference else f"{repository}@{reference}"
        )
        digest = sha256_digest(answer.body)
        sent = answer.header("Docker-Content-Digest")
        expected = reference if is_digest(reference) else sent
        if expected and is_digest(expected) and expected != digest:
            raise RegistryError(f"registry {self.host}: the manifest {repository}@{expected} has digest {digest}")
        document = load_json(answer.body, f"the manifest {repository}:{reference}")
        return answer.body, manifest_media_type(document, answer.header("Content-Type")), digest

    def get_blob(self, repository: str, digest: str) -> bytes:
        """The content of a blob, verified against ``digest``."""
        answer = self.request("GET", f"/v2/{repository}/blobs/{digest}", repository_scope(repository))
        self._expect(answer, "GET", f"blob {repository}@{digest}")
        if sha256_digest(answer.body) != digest:
            raise RegistryError(f"registry {self.host}: the blob {repository}@{digest} does not match its digest")
        return answer.body

    def blob_exists(self, repository: str, digest: str, actions: tuple[str, ...] = ("pull",)) -> bool:
        """Whether the registry holds the blob (``HEAD``)."""
        answer = self.request("HEAD", f"/v2/{repository}/blobs/{digest}", repository_scope(repository, actions))
        if answer.status == 404:
            return False
        self._expect(answer, "HEAD", f"blob {repository}@{digest}")
        return True

    def upload_blob(self, repository: str, content: bytes) -> str:
        """Push a blob (monolithic: ``POST`` an upload, ``PUT <Location>&digest=``) unless it exists; its digest."""
        digest = sha256_digest(content)
        scope = repository_scope(repository, ("pull", "push"))
        if self.blob_exists(repository, digest, ("pull", "push")):
            return digest
        started = self._expect(
            self.request("POST", f"/v2/{repository}/blobs/uploads/", scope), "POST", f"upload to {repository}", (202,)
        )
        location = started.header("Location") or ""
        if not location:
            raise RegistryError(f"registry {self.host} started an upload to {repository} without a Location")
        url = urllib.parse.urljoin(self.base_url + "/", location)
        url += ("&" if "?" in url else "?") + urllib.parse.urlencode({"digest": digest})
        headers = {"Content-Type": "application/octet-stream"}
        self._expect(self.request("PUT", url, scope, headers, content), "PUT", f"blob {repository}@{digest}", (201,))
        return digest

    def put_manifest(self, repository: str, reference: str, content: bytes, media_type: str) -> str:
        """Push a manifest under a tag (or its digest) with its media type; returns its digest."""
        scope = repository_scope(repository, ("pull", "push"))
        path = f"/v2/{repository}/manifests/{reference}"
        answer = self.request("PUT", path, scope, {"Content-Type": media_type}, content)
        self._expect(answer, "PUT", f"manifest {repository}:{reference}", (201,))
        return sha256_digest(content)

    def delete_manifest(self, repository: str, digest: str) -> None:
        """Delete a manifest by digest (the registry must allow deletes)."""
        answer = self.request("DELETE", f"/v2/{repository}/manifests/{digest}", repository_scope(repository, ("*",)))
        self._expect(answer, "DELETE", f"{repository}@{digest}", (202,))

    def list_tags(self, repository: str, page_size: int = 1000) -> list[str]:
        """Every tag of ``repository``, following the ``Link: <...>; rel="next"`` pagination."""
        tags: list[str] = []
        path: Optional[str] = f"/v2/{repository}/tags/list?n={page_size}"
        while path:
            answer = self._expect(
                self.request("GET", path, repository_scope(repository)), "GET", f"tags of {repository}"
            )
            document = load_json(answer.body, f"the tag list of {repository}")
            tags.extend(str(tag) for tag in document.get("tags") or [])
            following = next_link(answer.header("Link"))
            path = urllib.parse.urljoin(self.base_url + "/", following) if following else None
        return tags


# --- the digest cache ---------------------------------------------------------------------------------------
class DigestCache:
    """Immutable content by digest: in memory for the run, and under ``cache_dir/sha256/`` when given."""

    def __init__(self, directory: Optional[str] = None) -> None:
        self.directory = directory
        self._memory: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def _path(self, digest: str) -> Optional[str]:
        if not self.directory or not is_digest(digest):
            return None
        return os.path.join(self.directory, "sha256", digest.split(":", 1)[1])

    def get(self, digest: str) -> Optional[bytes]:
        """The content of ``digest`` when held and intact, else None."""
        with self._lock:
            if digest in self._memory:
                return self._memory[digest]
        path = self._path(digest)
        if path is None or not os.path.isfile(path):
            return None
        with open(path, "rb") as handle:
            content = handle.read()
        if sha256_digest(content) != digest:
            return None
        with self._lock:
            self._memory[digest] = content
        return content

    def put(self, digest: str, content: bytes) -> None:
        """Keep ``content`` (already verified against ``digest``); written atomically on disk."""
        with self._lock:
            self._memory[digest] = content
        path = self._path(digest)
        if path is None or os.path.isfile(path):
            return
        os.makedirs(os.path.dirname(path), exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".partial-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
            os.replace(temporary, path)
        except OSError:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise


# --- one image ----------------------------------------------------------------------------------------------
def _manifest_by_digest(client: RegistryClient, repository: str, digest: str, cache: DigestCache) -> bytes:
    content = cache.get(digest)
    if content is None:
        content, _media_type, _digest = client.get_manifest(repository, digest)
        cache.put(digest, content)
    return content


def _blob_by_digest(client: RegistryClient, repository: str, digest: str, cache: DigestCache) -> bytes:
    content = cache.get(digest)
    if content is None:
        content = client.get_blob(repository, digest)
        cache.put(digest, content)
    return content


def _resolve_manifest(client: RegistryClient, ref: RegistryReference, cache: DigestCache) -> tuple[str, bytes]:
    """``(digest, content)`` of the manifest ``ref`` names, with as few requests as the cache allows.

    By digest: the cache, else one ``GET``. By tag with an on-disk cache: a ``HEAD`` for the digest, then the
    cache. By tag without one: a single ``GET`` (the body is needed anyway).
    """
    if ref.digest:
        return ref.digest, _manifest_by_digest(client, ref.repository, ref.digest, cache)
    tag = ref.tag or "latest"
    if cache.directory:
        digest, _media_type = client.head_manifest(ref.repository, tag)
        if digest:
            return digest, _manifest_by_digest(client, ref.repository, digest, cache)
    content, _media_type, digest = client.get_manifest(ref.repository, tag)
    cache.put(digest, content)
    return digest, content


def inspect_image(client: RegistryClient, ref: RegistryReference, cache: DigestCache) -> dict[str, Any]:
    """``{digest, media_type, platforms, error=None}`` of one image; raises ``RegistryError`` on failure."""
    digest, content = _resolve_manifest(client, ref, cache)
    document = load_json(content, f"the manifest {ref}")
    media_type = manifest_media_type(document)
    if is_index(media_type):
        return image_result(digest, media_type, index_platforms(document))
    config = config_descriptor(document)
    blob = _blob_by_digest(client, ref.repository, str(config["digest"]), cache)
    platform = config_platform(load_json(blob, f"the image config of {ref}"), digest)
    return image_result(digest, media_type, [platform])


# --- many images at once ------------------------------------------------------------------------------------
class RegistrySession:
    """One client per registry host for a run, with the credentials ``credentials_for`` picks for it.

    ``ask_helper`` answers for the credential helper ``docker_config`` names for a registry (``credentials_for``).
    """

    def __init__(
        self,
        options: ClientOptions,
        ask_helper: Callable[[CredentialHelper], Optional[dict[str, str]]],
        auth: Optional[Mapping[str, Any]] = None,
        docker_config: Optional[Mapping[str, Any]] = None,
        cache: Optional[DigestCache] = None,
    ) -> None:
        self.options = options
        self.ask_helper = ask_helper
        self.auth = dict(auth or {})
        self.docker_config = docker_config
        self.cache = cache or DigestCache()
        self._clients: dict[str, RegistryClient] = {}
        self._host_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def client(self, ref: RegistryReference) -> RegistryClient:
        """The client of ``ref``'s registry (created once; raises ``RegistryError`` for unusable credentials).

        Credentials are picked under a lock of the registry's own: a slow credential helper holds up only the
        lookups of its registry.
        """
        with self._lock:
            host_lock = self._host_locks.setdefault(ref.api_host, threading.Lock())
        with host_lock:
            with self._lock:
                found = self._clients.get(ref.api_host)
            if found is None:
                credentials = credentials_for(ref.registry, self.auth, self.docker_config, self.ask_helper)
                found = RegistryClient(ref.api_host, self.options, credentials)
                with self._lock:
                    self._clients[ref.api_host] = found
        return found

    def inspect(self, reference: str) -> dict[str, Any]:
        """``inspect_image`` of one reference; any failure becomes the entry's ``error`` (without the reference)."""
        try:
            ref = parse_reference(reference)
            return inspect_image(self.client(ref), ref, self.cache)
        except ValueError as exc:  # RegistryError, and the reference grammar's WinCompatError
            return image_result(error=str(exc))

    def tag_list(self, repository: str) -> dict[str, Any]:
        """``{tags, error}`` of a repository (``mcr.microsoft.com/windows/servercore``)."""
        try:
            ref = parse_reference(repository)
            return {"tags": self.client(ref).list_tags(ref.repository), "error": None}
        except ValueError as exc:
            return {"tags": [], "error": f"{repository}: {exc}"}


def _canonical(reference: str) -> str:
    try:
        return str(parse_reference(reference))
    except ValueError:
        return reference


def inspect_images(session: RegistrySession, references: list[str], concurrency: int = 8) -> dict[str, dict[str, Any]]:
    """The entry of every reference, keyed by the reference as given; each distinct image is asked once."""
    distinct: dict[str, str] = {}
    for reference in references:
        distinct.setdefault(_canonical(reference), reference)
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        answers = dict(zip(distinct, pool.map(session.inspect, distinct.values())))
    results: dict[str, dict[str, Any]] = {}
    for reference in references:
        entry = answers[_canonical(reference)]
        error = f"{reference}: {entry['error']}" if entry["error"] else None
        results[reference] = {**entry, "platforms": [dict(p) for p in entry["platforms"]], "error": error}
    return results


def fetch_tag_lists(session: RegistrySession, repositories: list[str], concurrency: int = 8) -> dict[str, Any]:
    """``{repository: {tags, error}}`` for every repository, concurrently."""
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        return dict(zip(repositories, pool.map(session.tag_list, repositories)))
