"""Classifies the Windows container errors of docker, containerd, kubelet events and swarm task status.

``container_error(value)`` names the failure class, the HCS error code (HRESULT), the host and image versions
the text carries, and what to do about it.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable, Optional

from ansible_collections.wincontainers.compat.plugins.module_utils import catalog
from ansible_collections.wincontainers.compat.plugins.module_utils.bounds import (
    MAX_DEPTH,
    check_depth,
    check_length,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import WinCompatError, describe
from ansible_collections.wincontainers.compat.plugins.module_utils.tags import retarget_image
from ansible_collections.wincontainers.compat.plugins.module_utils.version import parse_windows_version

# HCS error codes (hcsshim internal/hcs/errors.go, winerror.h ERROR_VMCOMPUTE_*) and the system message of each.
_HRESULT_CLASS = {
    "0xc0370101": "os_mismatch",  # ERROR_VMCOMPUTE_IMAGE_MISMATCH
    "0xc0370106": "container_exited_unexpectedly",  # ERROR_VMCOMPUTE_UNEXPECTED_EXIT
    "0xc0370112": "unrecognized_layer_format",  # ERROR_VMCOMPUTE_INVALID_LAYER
}
_CLASS_HRESULT = {name: code for code, name in _HRESULT_CLASS.items()}

# Every pattern is ASCII-only and linear in the text: bounded runs between fixed words, no open-ended lazy scans.
_FLAGS = re.I | re.S | re.A
# A version as the text writes it; out-of-range numbers (10.0.99999) are classified, their version reported as null.
_V = r"(10\.0\.\d+(?:\.\d+)?)"
_HRESULT = re.compile(r"\b0x[c8]037[0-9a-f]{4}\b", _FLAGS)
_LINUX_MODE = re.compile(r'image operating system \\?"windows\\?" cannot be used on this platform', _FLAGS)
_MANIFEST = re.compile(r"no matching manifest for (\S{1,200}?)(?: " + _V + r")? in the manifest list entries", _FLAGS)
_PLATFORM_VERSION = re.compile(r"\(" + _V + r"\)", _FLAGS)
_NO_PLATFORM = re.compile(
    r"no match for platform in manifest|no supported platform found in manifest list|unsupported platform on \d+ node",
    _FLAGS,
)
_NEWER = re.compile(r"a Windows version " + _V + r"-based image is incompatible with a " + _V + r" host", _FLAGS)
# The OS-mismatch message as hcsshim words it, and as people re-type or paraphrase it: a negated "match" (or
# "mismatch") with the container's and the host's OS (or build) named around it, in any order.
_MISMATCH_VERB = re.compile(r"(?:does|do|did)\s*(?:not|n't)\s+match|mismatch|not\s+matching", _FLAGS)
_MISMATCH_WINDOW = 120
_MISMATCH_TRIES = 64
_CONTAINER_WORD = re.compile(r"(?<![a-z])container(?:'s)?(?![a-z])", _FLAGS)
_HOST_WORD = re.compile(r"(?<![a-z])host(?:'s)?(?![a-z])", _FLAGS)
_OS_WORD = re.compile(r"(?<![a-z])(?:os|operating\s+system|windows\s+version|build)(?![a-z])", _FLAGS)
_LAYER = re.compile(r"layer\s+with\s+an\s+unrecognized\s+format", _FLAGS)
_EXITED = re.compile(r"(?:virtual\s+machine\s+or\s+container|compute\s+system)\s+exited\s+unexpectedly", _FLAGS)
_IMAGE_VERSION = re.compile(r"Container OS Version:[ \t]*" + _V, _FLAGS)
_HOST_VERSION = re.compile(r"Host OS Version:[ \t]*" + _V + r"|Host is Microsoft Windows[^\n]{0,120}? - " + _V, _FLAGS)
_WINDOWS_IMAGE = re.compile(
    r"(?:mcr\.microsoft\.com/)?windows/(?:servercore|nanoserver|server|windows)\b|windowsservercore|nanoserver"
    r"|mcr\.microsoft\.com/dotnet/framework/|:(?:[\w.-]{0,64}-)?ltsc20\d\d\b",
    _FLAGS,
)
_IMAGE_REF = re.compile(r"(?<![\w./-])((?:[a-z0-9.-]{1,255}(?::\d{1,5})?/)?[a-z0-9._/-]{1,255}:[\w.-]{1,128})", _FLAGS)
_MAX_REFERENCES = 16  # the image references of a text looked at for a version
_WINDOWS_WORDS = ("servercore", "nanoserver", "windows")
_FIELDS = ("msg", "stderr", "stdout", "module_stderr", "module_stdout", "err", "error", "message", "Err")


def _text_of(value: object, depth: int = 0) -> str:
    """The text of an error: a string, a list of lines, or an Ansible task result (``msg``, ``stderr`` ...)."""
    check_depth(depth, value, f"container_error reads task results nested at most {MAX_DEPTH} deep; this one")
    if isinstance(value, str):
        check_length(len(value), value, "the error text")
        return value
    if isinstance(value, (bytes, bytearray)):
        check_length(len(value), value, "the error text")
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, (list, tuple)) and all(isinstance(item, (str, dict, list)) for item in value):
        return _joined((_text_of(item, depth + 1) for item in value), value)
    if isinstance(value, dict):
        parts = [_text_of(value[key], depth + 1) for key in _FIELDS if isinstance(value.get(key), (str, list))]
        nested = ("results", "Status", "State")
        parts += [_text_of(value[key], depth + 1) for key in nested if isinstance(value.get(key), (list, dict))]
        return _joined((part for part in parts if part), value)
    raise WinCompatError(f"container_error expects an error text or a task result; got {describe(value)}")


def _joined(parts: Iterable[str], value: object) -> str:
    """``parts`` joined by newlines, refused once they exceed the text limit."""
    collected: list[str] = []
    size = 0
    for part in parts:
        size += len(part) + 1
        check_length(size, value, "the texts of")
        collected.append(part)
    return "\n".join(collected)


def _version(text: Optional[str]) -> Optional[str]:
    """The version ``text`` names, or None when it names none or one out of range (``10.0.99999``)."""
    if not text:
        return None
    try:
        return parse_windows_version(text).version
    except WinCompatError:
        return None


def _image_version_from_ref(text: str) -> tuple[Optional[str], Optional[str]]:
    """The first Windows image reference in the text and the version its tag names, if any."""
    for index, match in enumerate(_IMAGE_REF.finditer(text)):
        if index >= _MAX_REFERENCES:
            break
        reference = match.group(1).rstrip(".,;:")
        if not any(word in reference.lower() for word in _WINDOWS_WORDS):
            continue
        version = _version(reference)
        if version:
            return reference, version
    return None, None


def _release_hint(version: Optional[str], repo: str = "servercore") -> str:
    """`` (tag ltsc2019)``: the MCR tag of the release of ``version``, when the catalog knows it."""
    if not version:
        return ""
    build = parse_windows_version(version).build
    entry = catalog.entry_for_build(build)
    if entry is None:
        return ""
    tags = entry["tags"].get(repo) or entry["tags"].get("nanoserver") or []
    return f"{entry['name']}, {repo} tag {tags[0]}" if tags else entry["name"]


def _repo_of(text: str) -> str:
    """The MCR repository whose tags the advice names: nanoserver for a Nano Server image, else servercore."""
    reference = _image_version_from_ref(text)[0] or ""
    return "nanoserver" if "nanoserver" in reference.lower() else "servercore"


def _named(version: Optional[str], what: str, text: str = "") -> str:
    if not version:
        return f"the {what}"
    hint = _release_hint(version, _repo_of(text))
    return f"the {what} ({version}{'; ' + hint if hint else ''})"


def _newer_than_host(image: Optional[str], host: Optional[str]) -> bool:
    return bool(image and host) and parse_windows_version(image).build > parse_windows_version(host).build


def _variant(host: Optional[str], text: str) -> str:
    """`` (mcr.microsoft.com/windows/nanoserver:ltsc2022)``: the image of the text retargeted to the host's release."""
    reference = _image_version_from_ref(text)[0]
    if not host or not reference:
        return ""

    try:
        variant = retarget_image(reference, host)
    except WinCompatError:
        return ""
    return f" ({variant})" if variant != reference else ""


def _advice_os_mismatch(host: Optional[str], image: Optional[str], text: str) -> str:
    if _newer_than_host(image, host):
        return _advice_newer(host, image, text)
    return (
        f"Process isolation needs an image built for the same Windows build as the host: "
        f"{_named(image, 'image', text)} does not match {_named(host, 'host', text)}. "
        f"Use the image variant of the host's release{_variant(host, text)}, "
        "or run it with "
        "--isolation=hyperv (Hyper-V isolation runs images of the same or an older build than the host). "
        "Windows Server 2016 hosts also need the same revision (UBR) under process isolation."
    )


def _advice_newer(host: Optional[str], image: Optional[str], text: str) -> str:
    image_named = _named(image, "image", text)
    return (
        f"{image_named[0].upper()}{image_named[1:]} is newer than {_named(host, 'host', text)}; "
        f"no isolation mode runs an image newer than the host. Use the image variant of the host's release"
        f"{_variant(host, text)} (or an older one with --isolation=hyperv), or upgrade the host to the image's "
        "release."
    )


def _advice_manifest(host: Optional[str], image: Optional[str], text: str) -> str:
    if re.search(r"unsupported platform on \d+ node", text, re.I):
        return (
            "Swarm found no node whose platform (OS/architecture) the image supports. Constrain the service to "
            "Windows nodes (node.platform.os==windows) whose build the image was made for, or pick an image tag "
            "published for those nodes' release."
        )
    manifest = _MANIFEST.search(text)
    platform = manifest.group(1).lower() if manifest else ""
    if platform.startswith("linux"):
        return (
            "The engine asked for a Linux image, and this image has Windows entries only: switch Docker to "
            "Windows containers (or point DOCKER_HOST at the Windows engine), then pull again."
        )
    return (
        f"The image's manifest list has no entry {_containerd_or_docker(text)} accepts for "
        f"{_named(host, 'host', text)}. "
        f"Pick a tag published for the host's release{_variant(host, text)} (for example the host's ltsc/SAC tag, "
        "or 10.0.B.R with "
        "the host's build), or upgrade the host. If the platform reads 'unknown', also check that the engine "
        "runs Windows containers."
    )


def _containerd_or_docker(text: str) -> str:
    """Which puller wrote the text, for the advice."""
    return "containerd" if "no match for platform" in text.lower() else "the engine"


def _advice_exited(host: Optional[str], image: Optional[str], text: str) -> str:
    return (
        "The container's compute system stopped while starting. The usual cause on a patched fleet is an image "
        "whose revision (UBR) is newer than the host's: patch the host to at least the image's revision, or use "
        "the image tag with the host's revision (10.0.B.R). Otherwise check the Hyper-V-Compute event log, "
        "free disk and memory, and antivirus exclusions for the engine's data root."
    )


def _advice_layer(host: Optional[str], image: Optional[str], text: str) -> str:
    return (
        "The host's container platform cannot read a layer of the image: an image newer than the host, a "
        "Windows Server 2025 (ltsc2025) image on a Windows 11 25H2 or later host (microsoft/hcsshim#2566), or a "
        "damaged layer store. Use an image of the host's release or an older supported one (ltsc2022 images run "
        "on Windows 11), or remove the image and pull it again."
    )


def _advice_linux_mode(host: Optional[str], image: Optional[str], text: str) -> str:
    return (
        "The engine runs Linux containers and cannot use a Windows image; this is not a Windows version mismatch. "
        "Switch Docker Desktop to Windows containers (tray menu 'Switch to Windows containers...', or "
        "DockerCli.exe -SwitchDaemon), or point DOCKER_HOST at a Windows engine; on Kubernetes or Swarm, schedule "
        "the workload on a Windows node (nodeSelector kubernetes.io/os: windows, or the constraint "
        "node.platform.os==windows)."
    )


def _advice_unknown(host: Optional[str], image: Optional[str], text: str) -> str:
    return (
        "No known Windows container compatibility error was found in the text. Compare the image's os.version "
        "(docker manifest inspect) with the host's build and revision (wincontainers.compat.windows_version)."
    )


_ADVICE: dict[str, Callable[[Optional[str], Optional[str], str], str]] = {
    "os_mismatch": _advice_os_mismatch,
    "image_newer_than_host": _advice_newer,
    "no_matching_manifest": _advice_manifest,
    "container_exited_unexpectedly": _advice_exited,
    "unrecognized_layer_format": _advice_layer,
    "engine_in_linux_mode": _advice_linux_mode,
    "unknown": _advice_unknown,
}
CLASSES: tuple[str, ...] = tuple(_ADVICE)  # every value of ``class``: each has its advice


def _classify(text: str, hresult: Optional[str]) -> str:
    manifest = _MANIFEST.search(text)
    if _LINUX_MODE.search(text) or (
        manifest and manifest.group(1).lower().startswith("linux") and _WINDOWS_IMAGE.search(text)
    ):
        return "engine_in_linux_mode"
    if _NEWER.search(text):
        return "image_newer_than_host"
    if hresult in _HRESULT_CLASS:
        return _HRESULT_CLASS[hresult]
    if _names_os_mismatch(text):
        return "os_mismatch"
    if _LAYER.search(text):
        return "unrecognized_layer_format"
    if _EXITED.search(text):
        return "container_exited_unexpectedly"
    if manifest or _NO_PLATFORM.search(text):
        return "no_matching_manifest"
    return "unknown"


def _names_os_mismatch(text: str) -> bool:
    """Whether the text says the container's OS (or build) does not match the host's, in any word order."""
    for index, verb in enumerate(_MISMATCH_VERB.finditer(text)):
        if index >= _MISMATCH_TRIES:
            return False
        around = text[max(0, verb.start() - _MISMATCH_WINDOW) : verb.end() + _MISMATCH_WINDOW]
        if _CONTAINER_WORD.search(around) and _HOST_WORD.search(around) and _OS_WORD.search(around):
            return True
    return False


def _versions(text: str) -> tuple[Optional[str], Optional[str], Optional[str]]:
    """(host_version, image_version, image reference) found in the text; versions out of range are None."""
    host = image = None
    newer = _NEWER.search(text)
    if newer:
        image, host = newer.group(1), newer.group(2)
    manifest = _MANIFEST.search(text)
    if manifest:
        # docker's ``windows/amd64 10.0.17763`` or the containerd store's ``windows(10.0.26200)/amd64/v3``
        in_platform = _PLATFORM_VERSION.search(manifest.group(1))
        host = host or manifest.group(2) or (in_platform.group(1) if in_platform else None)
    image_match = _IMAGE_VERSION.search(text)
    if image_match:
        image = image or image_match.group(1)
    host_match = _HOST_VERSION.search(text)
    if host_match:
        host = host or host_match.group(1) or host_match.group(2)
    reference, from_tag = _image_version_from_ref(text)
    return _version(host), _version(image) or from_tag, reference


def container_error(value: object) -> dict[str, Any]:
    """Classify a Windows container error: ``{class, hresult, host_version, image_version, advice, image}``.

    ``hresult`` is the HCS code in the text, or the code whose system message the text quotes.
    Versions are those the text states (or the one an image tag names); ``None`` when absent.
    """
    text = _text_of(value)
    codes = [code.lower() for code in _HRESULT.findall(text)]
    hresult = next((code for code in codes if code in _HRESULT_CLASS), codes[0] if codes else None)
    name = _classify(text, hresult)
    if hresult is None:
        hresult = _CLASS_HRESULT.get(name)
    host, image, reference = _versions(text)
    return {
        "class": name,
        "hresult": hresult,
        "host_version": host,
        "image_version": image,
        "image": reference,
        "advice": _ADVICE[name](host, image, text),
    }
