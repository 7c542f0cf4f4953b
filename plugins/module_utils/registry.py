"""What a container registry says about an image, as pure functions: references, challenges, manifests, platforms.

The I/O lives in ``registry_client.py``; everything here is side-effect free and typed.

References are normalised as the Docker CLI does it (github.com/distribution/reference ``ParseNormalizedNamed``):
no registry means Docker Hub (``docker.io``), ``index.docker.io`` is ``docker.io``, a one-component Docker Hub
path lives under ``library/``, and a reference without tag or digest means ``:latest``.

Manifests follow the OCI image spec (``application/vnd.oci.image.index.v1+json`` and
``application/vnd.oci.image.manifest.v1+json``) and Docker's image manifest v2 schema 2 (manifest list
``application/vnd.docker.distribution.manifest.list.v2+json`` and ``...manifest.v2+json``). A Windows image's
build is ``platform["os.version"]`` in a list entry, or ``"os.version"`` in the image config blob.

The result of ``registry_image_info`` per reference (``image_result``) is
``{digest, media_type, platforms: [{os, architecture, variant, os_version, digest}], error}``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional

from ansible_collections.wincontainers.compat.plugins.module_utils.errors import (
    ImageReferenceError,
    WinCompatError,
    describe,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.tags import parse_image_reference
from ansible_collections.wincontainers.compat.plugins.module_utils.version import parse_windows_version

DOCKER_HUB = "docker.io"
DOCKER_HUB_API = "registry-1.docker.io"
DOCKER_HUB_CONFIG_KEY = "https://index.docker.io/v1/"
# The credential helper protocol (github.com/docker/docker-credential-helpers): the program's name, the username
# that marks an identity token, and the answer of a helper that holds nothing for the server.
CREDENTIAL_HELPER_PREFIX = "docker-credential-"
TOKEN_USERNAME = "<token>"
CREDENTIALS_NOT_FOUND = "credentials not found in native keychain"
_HELPER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_DOCKER_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"})

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
INDEX_TYPES: tuple[str, ...] = (OCI_INDEX, DOCKER_LIST)
MANIFEST_TYPES: tuple[str, ...] = (OCI_MANIFEST, DOCKER_MANIFEST)
# The Accept header of every manifest request: lists first, then single manifests (as containerd sends it).
MANIFEST_ACCEPT = ", ".join((*INDEX_TYPES, *MANIFEST_TYPES))

_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_AUTH_PARAM = re.compile(r'\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*(?:,|$)')
_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?', re.IGNORECASE)


class RegistryError(WinCompatError):
    """A registry answer that cannot be used: malformed manifest, unknown media type, digest mismatch."""


# --- references ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RegistryReference:
    """An image reference normalised as the Docker CLI does it.

    ``registry`` is the host (``docker.io`` for Docker Hub), ``repository`` the path inside it
    (``library/nginx``), ``tag`` None only when a digest is given, ``digest`` None unless given.
    """

    registry: str
    repository: str
    tag: Optional[str]
    digest: Optional[str]

    @property
    def api_host(self) -> str:
        """The host that answers ``/v2/`` (``registry-1.docker.io`` for Docker Hub)."""
        return DOCKER_HUB_API if self.registry == DOCKER_HUB else self.registry

    @property
    def name(self) -> str:
        """``registry/repository``, the canonical name (``docker.io/library/nginx``)."""
        return f"{self.registry}/{self.repository}"

    @property
    def identifier(self) -> str:
        """What ``/v2/<repository>/manifests/<identifier>`` takes: the digest when known, else the tag."""
        return self.digest or self.tag or "latest"

    def __str__(self) -> str:
        text = self.name + (f":{self.tag}" if self.tag else "")
        return text + (f"@{self.digest}" if self.digest else "")


def _normalize_registry_host(host: str) -> str:
    """``index.docker.io`` and the other Docker Hub names become ``docker.io``; other hosts are lowercased."""
    lowered = host.strip().lower()
    return DOCKER_HUB if lowered in _DOCKER_HUB_ALIASES else lowered


def parse_reference(ref: object) -> RegistryReference:
    """Parse ``ref`` with the collection's reference grammar and normalise it as ``docker pull`` does.

    Raises ``ImageReferenceError`` naming the reference.
    """
    parts = parse_image_reference(ref)
    registry = _normalize_registry_host(parts["registry"]) if parts["registry"] else DOCKER_HUB
    path = str(parts["path"])
    if registry == DOCKER_HUB and "/" not in path:
        path = f"library/{path}"
    digest = parts["digest"]
    if digest is not None:
        digest = str(digest).lower()
        if not _DIGEST.match(digest):
            raise ImageReferenceError(f"{describe(ref)}: only sha256 digests of 64 hex digits are supported")
    tag = parts["tag"] or (None if digest else "latest")
    return RegistryReference(registry=registry, repository=path, tag=tag, digest=digest)


# --- authentication -----------------------------------------------------------------------------------------
def parse_www_authenticate(header: str) -> tuple[str, dict[str, str]]:
    """Split ``Bearer realm="...",service="...",scope="..."`` into ``("bearer", {realm, service, scope})``.

    The scheme is lowercased; parameter names are lowercased, values unquoted. Returns ``("", {})`` for an
    empty header.
    """
    text = (header or "").strip()
    if not text:
        return "", {}
    scheme, _sep, rest = text.partition(" ")
    params: dict[str, str] = {}
    position = 0
    rest = rest.strip()
    while position < len(rest):
        match = _AUTH_PARAM.match(rest, position)
        if match is None or match.end() == position:
            break
        value = match.group(2) if match.group(2) is not None else match.group(3)
        params[match.group(1).lower()] = re.sub(r"\\(.)", r"\1", value)
        position = match.end()
    return scheme.lower(), params


def repository_scope(repository: str, actions: tuple[str, ...] = ("pull",)) -> str:
    """The token scope of ``repository``: ``repository:library/nginx:pull`` (``pull,push`` for a push)."""
    return f"repository:{repository}:{','.join(actions)}"


def basic_authorization(username: str, password: str) -> str:
    """The ``Authorization`` header value of HTTP basic auth."""
    raw = f"{username}:{password}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


def _config_host(key: str) -> str:
    """The registry host a ``config.json`` ``auths`` key names (``https://index.docker.io/v1/`` -> docker.io)."""
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", key.strip(), flags=re.IGNORECASE).split("/", 1)[0]
    return _normalize_registry_host(host)


def docker_config_credentials(config: Mapping[str, Any], registry: str) -> Optional[dict[str, str]]:
    """The credentials ``config.json`` holds for ``registry``: ``{username, password}`` or ``{identitytoken}``.

    Reads ``auths.<host>.auth`` (base64 ``user:password``), ``username``/``password`` and ``identitytoken``
    (an OAuth refresh token, as ``docker login`` stores it for ACR). Returns None when there is no entry.
    Raises ``RegistryError`` for an ``auth`` value that is not base64 ``user:password``.
    """
    auths = config.get("auths") if isinstance(config, Mapping) else None
    if not isinstance(auths, Mapping):
        return None
    wanted = _normalize_registry_host(registry)
    for key, entry in auths.items():
        if not isinstance(entry, Mapping) or _config_host(str(key)) != wanted:
            continue
        if entry.get("identitytoken"):
            return {"identitytoken": str(entry["identitytoken"])}
        if entry.get("auth"):
            return _decode_config_auth(str(entry["auth"]), str(key))
        if entry.get("username"):
            return {"username": str(entry["username"]), "password": str(entry.get("password", ""))}
    return None


def _decode_config_auth(value: str, key: str) -> dict[str, str]:
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise RegistryError(f"docker config auths[{key!r}].auth is not base64 of user:password ({exc})") from exc
    username, sep, password = decoded.partition(":")
    if not sep:
        raise RegistryError(f"docker config auths[{key!r}].auth does not decode to user:password")
    return {"username": username, "password": password}


@dataclass(frozen=True)
class CredentialHelper:
    """A Docker credential helper to ask for one registry: ``docker-credential-<name> get``, the address on stdin.

    ``source`` is the ``config.json`` key that named it (``credHelpers`` or ``credsStore``).
    """

    name: str
    server_address: str
    source: str

    @property
    def program(self) -> str:
        """The executable looked up on ``PATH`` (``docker-credential-pass``)."""
        return CREDENTIAL_HELPER_PREFIX + self.name

    def __str__(self) -> str:
        return f"credential helper {self.program} (docker config {self.source}) for {self.server_address}"


def credential_server_address(registry: str) -> str:
    """The address the Docker CLI asks credentials for: ``https://index.docker.io/v1/`` for Docker Hub, else the host.

    It is both the ``credHelpers`` key and what a helper reads on stdin.
    """
    host = _normalize_registry_host(registry)
    return DOCKER_HUB_CONFIG_KEY if host == DOCKER_HUB else host


def credential_helper(config: Mapping[str, Any], registry: str) -> Optional[CredentialHelper]:
    """The helper ``config.json`` names for ``registry``: ``credHelpers[<address>]``, else ``credsStore``, else None.

    ``credHelpers`` keys are matched exactly, as the Docker CLI matches them (Docker Hub's is
    ``https://index.docker.io/v1/``); an empty name means no helper. Raises ``RegistryError`` for a
    ``credHelpers`` that is not an object or a name that is not the suffix of a program name.
    """
    address = credential_server_address(registry)
    helpers = config.get("credHelpers") or {}
    if not isinstance(helpers, Mapping):
        raise RegistryError(f"docker config credHelpers must be an object of registry: helper; got {describe(helpers)}")
    source = f"credHelpers[{address!r}]" if address in helpers else "credsStore"
    name = helpers[address] if address in helpers else config.get("credsStore")
    if name is None or name == "":
        return None
    if not isinstance(name, str) or not _HELPER_NAME.match(name):
        raise RegistryError(
            f"docker config {source} must name a credential helper, the suffix of docker-credential-<name> "
            f"such as pass or ecr-login; got {describe(name)}"
        )
    return CredentialHelper(name, address, source)


def helper_answer(helper: CredentialHelper, returncode: int, output: bytes) -> Optional[dict[str, str]]:
    """The credentials in a helper's ``get`` answer: ``{username, password}``, ``{identitytoken}`` or None.

    Exit 0 with ``{"Username", "Secret"}`` JSON (``Username`` ``<token>`` makes ``Secret`` an identity token;
    both empty, as some helpers answer for an unknown server, is nothing). A non-zero exit whose output is
    ``credentials not found in native keychain`` is nothing too. Raises ``RegistryError`` naming the helper and
    the address for anything else; the message never quotes an answer that exited 0 (it may hold the secret).
    """
    if returncode != 0:
        text = output.decode("utf-8", "replace").strip()
        if text == CREDENTIALS_NOT_FOUND:
            return None
        first = text.splitlines()[0][:200] if text else "no output"
        raise RegistryError(f"{helper} failed with exit status {returncode}: {first}")
    try:
        answer = json.loads(output.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise RegistryError(f"{helper} did not answer JSON ({type(exc).__name__})") from None
    username = answer.get("Username") if isinstance(answer, dict) else None
    secret = answer.get("Secret") if isinstance(answer, dict) else None
    if not isinstance(username, str) or not isinstance(secret, str):
        raise RegistryError(f"{helper} did not answer a JSON object with the strings Username and Secret")
    if not username and not secret:
        return None
    if username == TOKEN_USERNAME:
        return {"identitytoken": secret}
    return {"username": username, "password": secret}


# --- HTTP helpers -------------------------------------------------------------------------------------------
def retry_after_seconds(value: Optional[str], default: float, ceiling: float = 60.0) -> float:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds; an HTTP date counts as ``default``)."""
    if value is not None:
        try:
            return min(max(float(value.strip()), 0.0), ceiling)
        except ValueError:
            pass
    return min(default, ceiling)


def next_link(header: Optional[str]) -> Optional[str]:
    """The target of a ``Link: </v2/...?last=x&n=100>; rel="next"`` header, or None."""
    if not header:
        return None
    match = _LINK_NEXT.search(header)
    return match.group(1) if match else None


def sha256_digest(content: bytes) -> str:
    """``sha256:<hex>`` of ``content``."""
    return "sha256:" + hashlib.sha256(content).hexdigest()


def is_digest(value: object) -> bool:
    """Whether ``value`` is a ``sha256:`` digest of 64 lowercase hex digits."""
    return isinstance(value, str) and bool(_DIGEST.match(value))


# --- manifests ----------------------------------------------------------------------------------------------
def load_json(content: bytes, what: str) -> dict[str, Any]:
    """Parse a registry JSON document, raising ``RegistryError`` naming ``what`` when it is not an object."""
    try:
        data = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise RegistryError(f"{what} is not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise RegistryError(f"{what} is not a JSON object: {describe(data)}")
    return data


def manifest_media_type(document: Mapping[str, Any], content_type: Optional[str] = None) -> str:
    """The media type of a manifest: its ``mediaType`` field, else the response's Content-Type, else by shape."""
    declared = document.get("mediaType")
    if isinstance(declared, str) and declared:
        return declared
    header = (content_type or "").split(";", 1)[0].strip()
    if header in INDEX_TYPES or header in MANIFEST_TYPES:
        return header
    return OCI_INDEX if isinstance(document.get("manifests"), list) else OCI_MANIFEST


def is_index(media_type: str) -> bool:
    """Whether ``media_type`` is an OCI image index or a Docker manifest list."""
    return media_type in INDEX_TYPES


def _text_or_none(value: Any) -> Optional[str]:
    return value if isinstance(value, str) and value else None


def index_platforms(index: Mapping[str, Any]) -> list[dict[str, Optional[str]]]:
    """One ``{os, architecture, variant, os_version, digest}`` per entry of an index or manifest list, in order.

    Raises ``RegistryError`` when ``manifests`` is missing or an entry has no digest.
    """
    manifests = index.get("manifests")
    if not isinstance(manifests, list):
        raise RegistryError(f"the manifest list has no manifests array: {describe(index)}")
    platforms = []
    for position, entry in enumerate(manifests):
        if not isinstance(entry, Mapping) or not is_digest(entry.get("digest")):
            raise RegistryError(f"manifests[{position}] is not a descriptor with a sha256 digest: {describe(entry)}")
        given = entry.get("platform")
        platform: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
        platforms.append(
            {
                "os": _text_or_none(platform.get("os")),
                "architecture": _text_or_none(platform.get("architecture")),
                "variant": _text_or_none(platform.get("variant")),
                "os_version": _text_or_none(platform.get("os.version")),
                "digest": str(entry["digest"]),
            }
        )
    return platforms


def config_descriptor(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The ``config`` descriptor of an image manifest; raises ``RegistryError`` when it has none."""
    config = manifest.get("config")
    if not isinstance(config, Mapping) or not is_digest(config.get("digest")):
        raise RegistryError(f"the image manifest has no config descriptor with a sha256 digest: {describe(manifest)}")
    return dict(config)


def config_platform(config: Mapping[str, Any], manifest_digest: str) -> dict[str, Optional[str]]:
    """The platform of a single-manifest image from its config blob (``os``, ``architecture``, ``os.version``)."""
    return {
        "os": _text_or_none(config.get("os")),
        "architecture": _text_or_none(config.get("architecture")),
        "variant": _text_or_none(config.get("variant")),
        "os_version": _text_or_none(config.get("os.version")),
        "digest": manifest_digest,
    }


def image_result(
    digest: Optional[str] = None,
    media_type: Optional[str] = None,
    platforms: Optional[list[dict[str, Optional[str]]]] = None,
    error: Optional[str] = None,
) -> dict[str, Any]:
    """One value of ``registry_image_info``'s ``images``: ``{digest, media_type, platforms, error}``."""
    return {"digest": digest, "media_type": media_type, "platforms": list(platforms or []), "error": error}


def is_image_result(value: object) -> bool:
    """Whether ``value`` has the shape of an ``image_result`` (a ``registry_image_info`` entry)."""
    return isinstance(value, Mapping) and isinstance(value.get("platforms"), list) and "media_type" in value


def explicit_credentials(registry: str, auth: Mapping[str, Any]) -> Optional[dict[str, str]]:
    """The ``auth`` option's entry for ``registry``: ``{username, password}`` or ``{token}``, None without one.

    ``auth`` is keyed by registry host (``docker.io``, ``index.docker.io`` and the config.json key
    ``https://index.docker.io/v1/`` all name Docker Hub). Raises ``RegistryError`` for an entry with neither
    (naming the host, never the secret).
    """
    wanted = _normalize_registry_host(registry)
    for key, entry in (auth or {}).items():
        if _config_host(str(key)) != wanted:
            continue
        if not isinstance(entry, Mapping) or not (entry.get("token") or entry.get("username")):
            raise RegistryError(f"auth[{key!r}] must hold username and password, or token")
        if entry.get("token"):
            return {"token": str(entry["token"])}
        return {"username": str(entry["username"]), "password": str(entry.get("password") or "")}
    return None


def credentials_for(
    registry: str,
    auth: Mapping[str, Any],
    docker_config: Optional[Mapping[str, Any]],
    ask_helper: Callable[[CredentialHelper], Optional[dict[str, str]]],
) -> Optional[dict[str, str]]:
    """The credentials to use for ``registry``, in the Docker CLI's order after the explicit ``auth`` entry.

    ``auth`` wins; else the credential helper ``docker_config`` names for the registry (``credHelpers``, else
    ``credsStore``), whose answer ``ask_helper`` returns and which replaces the ``auths`` entry even when it
    holds nothing (as the CLI's native store does); else the ``auths`` entry. None means anonymous.
    """
    given = explicit_credentials(registry, auth)
    if given is not None or not docker_config:
        return given
    helper = credential_helper(docker_config, registry)
    if helper is not None:
        return ask_helper(helper)
    return docker_config_credentials(docker_config, registry)


# --- base image currency ------------------------------------------------------------------------------------
_PINNED_TAG = re.compile(r"^10\.0\.(\d{5})\.(\d{1,6})(?:-amd64)?$")


def pinned_revisions(tags: list[str], build: int) -> list[int]:
    """The revisions of ``build`` that have a version-pinned tag (``10.0.<build>.<revision>``), ascending."""
    found = set()
    for tag in tags:
        match = _PINNED_TAG.match(tag) if isinstance(tag, str) else None
        if match and int(match.group(1)) == build:
            found.add(int(match.group(2)))
    return sorted(found)


def base_image_currency(
    tags: list[str], image_version: object, repository: str = "", max_behind: int = 0
) -> dict[str, Any]:
    """How many monthly images the base of ``image_version`` is behind the newest one ``tags`` publishes.

    ``tags`` is the tag list of a base image repository (``mcr.microsoft.com/windows/servercore``), whose
    version-pinned tags ``10.0.B.R`` name every monthly image of each build. Returns ``{build, revision,
    newest_revision, behind, current, stale, rebuild_on}``: ``behind`` counts the published revisions newer
    than the image's, ``stale`` is ``behind > max_behind``, ``rebuild_on`` is ``repository:10.0.B.<newest>``.
    Raises ``WinCompatError`` when the image's revision is unknown or the list has no image of its build.
    """
    version = parse_windows_version(image_version)
    if version.revision is None:
        raise RegistryError(f"{describe(image_version)} has no revision: expected a version such as 10.0.20348.2966")
    if not isinstance(max_behind, int) or isinstance(max_behind, bool) or not 0 <= max_behind < 10_000:
        shown = max_behind if isinstance(max_behind, int) and abs(max_behind) < 10**9 else type(max_behind).__name__
        raise RegistryError(f"max_behind must be a whole number of monthly images, 0 or more; got {shown}")
    if not isinstance(repository, str) or len(repository) > 1000:
        raise RegistryError("repository must be a repository name such as mcr.microsoft.com/windows/servercore")
    revisions = pinned_revisions(list(tags), version.build)
    where = repository or "the tag list"
    if not revisions:
        raise RegistryError(f"{where} has no version-pinned tag of build {version.build} (10.0.{version.build}.R)")
    newest = revisions[-1]
    behind = sum(1 for revision in revisions if revision > version.revision)
    tag = f"10.0.{version.build}.{newest}"
    return {
        "build": version.build,
        "revision": version.revision,
        "newest_revision": newest,
        "behind": behind,
        "current": behind == 0,
        "stale": behind > max_behind,
        "rebuild_on": f"{repository}:{tag}" if repository else tag,
    }


def as_manifest_list(entry: Mapping[str, Any]) -> dict[str, Any]:
    """A ``registry_image_info`` entry as a manifest list whose entries also keep the entry's flat keys.

    Each of ``manifests`` is ``{digest, platform: {os, architecture, variant, os.version}, os, architecture,
    variant, os_version}``, so ``select_manifest`` reads it as it reads ``docker manifest inspect`` output and
    its answer still has ``os_version``. Raises ``RegistryError`` for an entry that holds an error.
    """
    if entry.get("error"):
        error = entry["error"]
        shown = error[:500] if isinstance(error, str) else type(error).__name__
        raise RegistryError(f"the registry answer is an error, there is no manifest to read: {shown}")
    manifests = []
    for position, platform in enumerate(entry.get("platforms") or []):
        if not isinstance(platform, Mapping):
            raise RegistryError(f"platforms[{position}] of the registry answer is not an object")
        descriptor_platform = {
            key: platform.get(field)
            for key, field in (("os", "os"), ("architecture", "architecture"), ("variant", "variant"))
            if platform.get(field)
        }
        if platform.get("os_version"):
            descriptor_platform["os.version"] = platform["os_version"]
        manifests.append({**platform, "digest": platform.get("digest"), "platform": descriptor_platform})
    return {"mediaType": entry.get("media_type"), "manifests": manifests}
