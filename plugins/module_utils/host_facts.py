"""Turns the raw values ``win_container_host_facts.ps1`` returns into ``wincontainers_host`` facts.

The PowerShell only reads: registry values, feature states, the text ``docker`` prints, the daemon.json
text. Every decision (version, release, host kind, compatible tags, container verdicts) is made here,
on the controller, by the core. Missing Docker, a stopped engine or a missing daemon.json are facts.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterable, Mapping, Optional, Sequence

from ansible_collections.wincontainers.compat.plugins.module_utils.catalog import REPOSITORIES, all_releases
from ansible_collections.wincontainers.compat.plugins.module_utils.compat import (
    HOST_KINDS,
    ISOLATIONS,
    container_compat,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.docker_daemon_json import (
    DaemonJsonError,
    parse_daemon_json,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import WinCompatError, check_choice
from ansible_collections.wincontainers.compat.plugins.module_utils.redaction import redact
from ansible_collections.wincontainers.compat.plugins.module_utils.release import windows_release
from ansible_collections.wincontainers.compat.plugins.module_utils.tags import compatible_image_tags
from ansible_collections.wincontainers.compat.plugins.module_utils.version import (
    FIRST_NT10_BUILD,
    parse_windows_version,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.windows_docker import (
    WindowsDockerError,
    daemon_json_location,
    decode_file_bytes,
    docker_server_errors,
)

_REGISTRY_VERSION_KEYS = ("CurrentMajorVersionNumber", "CurrentMinorVersionNumber", "CurrentBuildNumber", "UBR")
_SERVER_INSTALLATION_TYPES = ("server", "server core", "nano server")
_ENABLED_STATES = ("installed", "enabled")
_PENDING_STATES = ("installpending", "uninstallpending", "enablepending", "disablepending")
# Registry signals of a pending restart (what ansible.windows' setup reads); the first two mean an update.
_UPDATE_REBOOT_SIGNALS = ("cbs_reboot_pending", "wu_reboot_required")
_REBOOT_SIGNALS = (*_UPDATE_REBOOT_SIGNALS, "pending_file_rename_operations")


def _text(value: object) -> Optional[str]:
    """A registry or JSON value as stripped text, ``None`` when absent or empty."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _host_version(registry: Mapping[str, Any]) -> dict[str, Any]:
    """The host's version from its registry values; the revision is the UBR, ``None`` when it is absent."""
    values = {key: registry.get(key) for key in _REGISTRY_VERSION_KEYS if registry.get(key) not in (None, "")}
    build = _text(values.get("CurrentBuildNumber")) or ""
    if "CurrentMajorVersionNumber" not in values and build.isdigit() and int(build) >= FIRST_NT10_BUILD:
        # Every NT 10.0 build (10240 and later) writes these two values; a partial dump may lack them.
        values.update(CurrentMajorVersionNumber=10, CurrentMinorVersionNumber=0)
    return parse_windows_version(values).as_dict()


def host_kind_of(registry: Mapping[str, Any], release: Mapping[str, Any]) -> Optional[str]:
    """``server`` or ``client`` from InstallationType, else ProductName, else the release; ``None`` if unknown.

    Build 26100 is both Windows Server 2025 and Windows 11 24H2, so the build alone never decides it.
    """
    installation = (_text(registry.get("InstallationType")) or "").lower()
    if installation:
        return "server" if installation in _SERVER_INSTALLATION_TYPES else "client"
    product = _text(registry.get("ProductName")) or ""
    if "server" in product.lower():
        return "server"
    if product.lower().startswith(("windows 10", "windows 11")):
        return "client"
    kind = release.get("kind")
    return kind if release.get("known") and kind in HOST_KINDS else None


def _reboot_facts(raw: Optional[Mapping[str, Any]]) -> dict[str, Any]:
    """Whether Windows waits for a restart, and whether an update does (then the UBR is not the running kernel's).

    A signal that was not read (``None``) is unknown: ``update_pending`` is then ``None`` unless another says yes.
    """
    signals = {name: (raw or {}).get(name) for name in _REBOOT_SIGNALS}
    signals = {name: None if value is None else bool(value) for name, value in signals.items()}
    return {
        "pending": _any_known(signals.values()),
        "update_pending": _any_known(signals[name] for name in _UPDATE_REBOOT_SIGNALS),
        "signals": signals,
    }


def _any_known(values: Iterable[Optional[bool]]) -> Optional[bool]:
    """``True`` if any value is true, ``False`` if all are false, else ``None``."""
    values = list(values)
    if any(values):
        return True
    return None if None in values else False


def feature_facts(
    raw: Optional[Mapping[str, Any]], reboot: Optional[Mapping[str, Any]] = None
) -> Optional[dict[str, Any]]:
    """Containers and Hyper-V feature states (Server: Get-WindowsFeature; client: Get-WindowsOptionalFeature).

    ``reboot_pending`` is true when a feature waits for a restart or when Windows' own signals say so.
    """
    if raw is None:
        return None
    states = {
        "containers": _text(raw.get("Containers")),
        "hyperv": _text(raw.get("Hyper-V") or raw.get("Microsoft-Hyper-V")),
    }
    return {
        "containers": None if states["containers"] is None else states["containers"].lower() in _ENABLED_STATES,
        "hyperv": None if states["hyperv"] is None else states["hyperv"].lower() in _ENABLED_STATES,
        "reboot_pending": any((state or "").lower() in _PENDING_STATES for state in states.values())
        or bool(_reboot_facts(reboot)["pending"]),
        "states": states,
        "source": raw.get("source"),
        "error": _text(raw.get("error")),
    }


def _json_output(command: Optional[Mapping[str, Any]]) -> Any:
    """The JSON a ``docker ... --format`` call printed, ``None`` if none."""
    if not command or not _text(command.get("stdout")):
        return None
    try:
        return json.loads(command["stdout"])
    except (TypeError, ValueError):
        return None


def _json_lines(commands: Optional[Sequence[Mapping[str, Any]]]) -> list[Any]:
    """The objects of batched ``inspect --format`` calls, one JSON object a line; unparsable lines are skipped."""
    objects = []
    for command in commands or []:
        for line in str((command or {}).get("stdout") or "").splitlines():
            try:
                objects.append(json.loads(line))
            except ValueError:
                continue
    return objects


def _command_error(command: Optional[Mapping[str, Any]], name: str = "docker") -> Optional[str]:
    """Why a native command gave no answer (could not start, timed out, failed), ``None`` when it answered."""
    if not command:
        return None
    if _text(command.get("start_error")):
        return f"{name} could not start: {_text(command.get('start_error'))}"
    if command.get("timed_out"):
        return f"{name} did not answer in time and was stopped"
    if command.get("rc") in (0, None):
        return None
    return _text(command.get("stderr")) or f"{name} exited with {command.get('rc')}"


def _engine_error(raw: Mapping[str, Any]) -> Optional[str]:
    """The daemon's error: ServerErrors (CLI before 28.1 exits 0 with them), else what the call printed."""
    info = raw.get("info")
    errors = docker_server_errors(_json_output(raw.get("server_errors")))
    if not errors and info and info.get("rc") == 0:
        errors = [text for text in [_text(info.get("stderr"))] if text]
    found = "; ".join(errors) or _command_error(info) or _command_error(raw.get("server_errors"))
    return redact(found) if found else None


def _config_location(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Where dockerd reads daemon.json: the ``daemon_json_path`` option, else from the service and ``docker info``."""
    given = _text(raw.get("daemon_json_path"))
    info = _json_output(raw.get("info")) if (raw.get("info") or {}).get("rc") == 0 else None
    root = _text(info.get("DockerRootDir")) if isinstance(info, dict) and info.get("ServerVersion") else None
    location = daemon_json_location(_text(raw.get("service_image_path")), root, _text(raw.get("program_data")))
    if given:
        return {"path": given, "source": "daemon_json_path", "data_root": location.data_root, "warnings": []}
    return location.as_dict()


def unread_daemon_json(raw: Optional[Mapping[str, Any]]) -> Optional[str]:
    """The daemon.json path dockerd reads when the host did not return that file (a second read is needed)."""
    if not raw:
        return None
    path = str(_config_location(raw)["path"])
    return None if _daemon_json_record(raw, path) is not None else path


def _config_facts(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Where dockerd reads daemon.json, and its content (an unreadable or undecodable file is a fact)."""
    location = _config_location(raw)
    record = _daemon_json_record(raw, location["path"])
    config, encoding, error = None, None, None
    if record is None:
        error = f"{location['path']} was not read"
    elif _text(record.get("error")):
        error = f"{location['path']} cannot be read: {_text(record.get('error'))}"
    else:
        try:
            decoded = decode_file_bytes(record.get("content_base64"), location["path"])
            encoding = decoded.encoding
            config = parse_daemon_json(decoded.text, location["path"])
        except (WindowsDockerError, DaemonJsonError) as exc:
            error = str(exc)
    return {"location": location, "config": redact(config), "encoding": encoding, "error": error}


def _daemon_json_record(raw: Mapping[str, Any], path: str) -> Optional[Mapping[str, Any]]:
    """The file record the host returned for ``path`` (compared as Windows does, ignoring case), if any."""
    for record in raw.get("daemon_json_files") or []:
        if str(record.get("path") or "").lower() == path.lower():
            return dict(record)
    return None


def docker_facts(raw: Optional[Mapping[str, Any]]) -> dict[str, Any]:
    """The engine: installed, running, version, default isolation, swarm membership, daemon.json."""
    raw = raw or {}
    parsed = _json_output(raw.get("info")) if (raw.get("info") or {}).get("rc") == 0 else None
    info = parsed if isinstance(parsed, dict) and parsed.get("ServerVersion") else None
    version = _json_output(raw.get("version"))
    client = version.get("Client") if isinstance(version, dict) else None
    service = _text(raw.get("service"))
    desktop = _text(raw.get("desktop_service"))
    server = version.get("Server") if isinstance(version, dict) else None
    platform = _text(((server or {}).get("Platform") or {}).get("Name")) if isinstance(server, dict) else None
    swarm = (info or {}).get("Swarm") or {}
    os_type = _text((info or {}).get("OSType"))
    config = _config_facts(raw)
    return {
        "installed": bool(raw.get("cli") or service or desktop),
        "cli": _text(raw.get("cli")),
        "running": info is not None,
        "service_state": service.lower() if service else None,
        "desktop": desktop is not None or (platform or "").startswith("Docker Desktop"),
        "platform": platform,
        "desktop_service_state": desktop.lower() if desktop else None,
        "version": _text((info or {}).get("ServerVersion")),
        "client_version": _text(client.get("Version")) if isinstance(client, dict) else None,
        "default_isolation": _text((info or {}).get("Isolation")),
        "os_type": os_type,
        "windows_engine": None if os_type is None else os_type.lower() == "windows",
        "kernel_version": _text((info or {}).get("KernelVersion")),
        "operating_system": _text((info or {}).get("OperatingSystem")),
        "root_dir": _text((info or {}).get("DockerRootDir")),
        "swarm": {
            "node_id": _text(swarm.get("NodeID")),
            "state": _text(swarm.get("LocalNodeState")),
            "is_manager": bool(swarm.get("ControlAvailable")),
        },
        "daemon_json_path": config["location"]["path"],
        "daemon_json_location": config["location"],
        "daemon_json": config["config"],
        "daemon_json_encoding": config["encoding"],
        "daemon_json_error": config["error"],
        "error": None if info is not None else _engine_error(raw),
    }


def _version_or_none(value: object) -> Optional[dict[str, Any]]:
    if not _text(value):
        return None
    try:
        return parse_windows_version(value).as_dict()
    except WinCompatError:
        return None


def image_facts(raw: Optional[Sequence[Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """Images from the batched ``docker image inspect`` calls: id, tags, OS and OsVersion (parsed)."""
    images = []
    for image in _json_lines(raw):
        if not isinstance(image, dict):
            continue
        images.append(
            {
                "id": image.get("Id"),
                "repo_tags": list(image.get("RepoTags") or []),
                "os": _text(image.get("Os")),
                "os_version": _text(image.get("OsVersion")),
                "version": _version_or_none(image.get("OsVersion")),
            }
        )
    return images


def _container_facts(
    raw: Optional[Sequence[Mapping[str, Any]]], images: Sequence[Mapping[str, Any]], default_isolation: Optional[str]
) -> list[dict[str, Any]]:
    """Running containers from the batched ``docker container inspect`` calls, with their image's OsVersion."""
    by_id = {image.get("id"): image for image in images}
    containers = []
    for container in _json_lines(raw):
        if not isinstance(container, dict):
            continue
        image = by_id.get(container.get("Image"), {})
        isolation = _text((container.get("HostConfig") or {}).get("Isolation"))
        if isolation in (None, "default"):
            isolation = default_isolation
        containers.append(
            {
                "id": container.get("Id"),
                "name": (_text(container.get("Name")) or "").lstrip("/") or None,
                "image": _text((container.get("Config") or {}).get("Image")),
                "image_id": container.get("Image"),
                "image_os_version": image.get("os_version"),
                "isolation": isolation.lower() if isolation else None,
                "running": bool((container.get("State") or {}).get("Running", True)),
            }
        )
    return containers


def next_host_build(build: int, host_kind: str) -> Optional[int]:
    """The build a host of ``host_kind`` moves to at its next feature upgrade, from the catalog.

    Servers move to the next LTSC release, clients to the next client release; ``None`` when the
    catalog knows none (the host runs the newest release).
    """
    for entry in all_releases():
        if entry["build"] <= build or not entry.get("containers") or entry["kind"] not in (host_kind, "both"):
            continue
        if host_kind == "client" or entry.get("channel") == "LTSC":
            return int(entry["build"])
    return None


def _supported(verdict: Mapping[str, Any]) -> bool:
    return verdict["status"] in ("supported", "preview")


def _container_verdict(
    container: Mapping[str, Any], host: Mapping[str, Any], host_kind: Optional[str], rules: str
) -> dict[str, Any]:
    """The core's verdict on a running container, and what it means for the next build change.

    ``borrowed_luck``: it runs although the rules say it should not (for example an image of another
    build under process isolation), so a restart or an update can stop it. ``survives_build_change``:
    the rules still accept it with the same isolation once the host moves to ``next_host_build`` (the
    next LTSC release for a server, the next release for a client); ``None`` when no newer build is known.
    """
    image_version, isolation = container.get("image_os_version"), container.get("isolation")
    if not image_version or isolation not in ISOLATIONS or host_kind is None:
        why = "the image has no OsVersion" if not image_version else "the isolation or host kind is unknown"
        return {
            "verdict": None,
            "survives_build_change": None,
            "next_host_build": None,
            "borrowed_luck": None,
            "unknown_reason": why,
        }
    verdict = container_compat(image_version, host["version"], isolation=isolation, host_kind=host_kind, rules=rules)
    upgrade = next_host_build(int(host["build"]), host_kind)
    survives = None
    if upgrade is not None:
        upgraded = f"{host['major']}.{host['minor']}.{upgrade}"
        survives = _supported(
            container_compat(image_version, upgraded, isolation=isolation, host_kind=host_kind, rules=rules)
        )
    return {
        "verdict": verdict,
        "survives_build_change": survives,
        "next_host_build": upgrade,
        "borrowed_luck": bool(container.get("running")) and not _supported(verdict),
    }


def _tag_facts(host: str, host_kind: str, rules: str, repositories: Sequence[str]) -> dict[str, dict[str, list[str]]]:
    """For each MCR repository, the official tags that run on the host, per isolation."""
    return {
        repo: {
            isolation: compatible_image_tags(host, repo=repo, isolation=isolation, host_kind=host_kind, rules=rules)
            for isolation in ISOLATIONS
        }
        for repo in repositories
    }


def _gathered_sections(wanted: Iterable[str]) -> frozenset[str]:
    """The engine sections a ``gather_subset`` asked for: ``images`` and ``containers`` only when gathered.

    A section that was not gathered is left out of the facts, never reported empty: an empty ``containers``
    list means that no container runs, which a decision (such as the isolation policy) may rely on.
    """
    wanted = set(wanted)
    if "all" in wanted or "containers" in wanted:
        return frozenset({"images", "containers"})
    return frozenset({"images"} & wanted)


def _engine_facts(
    raw: Optional[Mapping[str, Any]],
    version: Mapping[str, Any],
    host_kind: Optional[str],
    rules: str,
    sections: Iterable[str],
) -> dict[str, Any]:
    """``docker`` facts, plus the ``images`` and ``containers`` (with their verdicts) of the ``sections`` gathered."""
    docker = docker_facts(raw)
    facts: dict[str, Any] = {"docker": docker}
    sections = set(sections)
    images = image_facts((raw or {}).get("images")) if sections else []
    if "images" in sections:
        facts["images"] = images
    if "containers" in sections:
        containers = _container_facts((raw or {}).get("containers"), images, docker["default_isolation"])
        for container in containers:
            container.update(_container_verdict(container, version, host_kind, rules))
        facts["containers"] = containers
    return facts


def _engine_warnings(docker: Mapping[str, Any]) -> list[str]:
    """What the user must know about the engine: a Linux engine, a daemon.json location that disagrees."""
    warnings = [f"daemon.json: {warning}" for warning in docker["daemon_json_location"]["warnings"]]
    if docker["windows_engine"] is False:
        where = "Docker Desktop in Linux containers mode" if docker["desktop"] else "an engine"
        warnings.append(
            f"the engine runs {docker['os_type']} containers ({where}): Windows containers need a Windows engine"
            + (" (switch Docker Desktop to Windows containers)" if docker["desktop"] else "")
        )
    return warnings


def build_host_facts(
    raw: Mapping[str, Any],
    *,
    host_kind: Optional[str] = None,
    rules: str = "documented",
    repositories: Sequence[str] = REPOSITORIES,
) -> dict[str, Any]:
    """Build ``ansible_facts.wincontainers_host`` from the raw values of ``win_container_host_facts.ps1``.

    Args:
        raw: The ``raw`` dict the PowerShell returned.
        host_kind: ``server`` or ``client`` to override the detection (needed for a bare build 26100).
        rules: The rule set of the verdicts and tags: ``documented``, ``containerd`` or ``docker``.
        repositories: The MCR repositories to list compatible tags for.

    Raises:
        WinCompatError: the registry values do not make a Windows version, or an option is out of range.
    """
    if host_kind is not None:
        check_choice("host_kind", host_kind, HOST_KINDS)
    registry = raw.get("registry") or {}
    version = _host_version(registry)
    release = windows_release(version["build"])
    kind = host_kind or host_kind_of(registry, release)
    wanted = set(raw.get("gather_subset") or ["all"])
    facts = _system_facts(raw, registry, version, release, kind)
    if wanted & {"all", "docker", "images", "containers"}:
        facts.update(_engine_facts(raw.get("docker"), version, kind, rules, _gathered_sections(wanted)))
        facts["warnings"].extend(_engine_warnings(facts["docker"]))
    if wanted & {"all", "containerd"}:
        facts["containerd"] = _containerd_facts(raw.get("containerd") or {})
    facts["compatible_tags"] = _tag_facts(version["version"], kind, rules, repositories) if kind else {}
    return facts


def _system_facts(
    raw: Mapping[str, Any],
    registry: Mapping[str, Any],
    version: Mapping[str, Any],
    release: Mapping[str, Any],
    kind: Optional[str],
) -> dict[str, Any]:
    """The Windows side of the facts: version, release, registry values, features, restart state, warnings."""
    reboot = _reboot_facts(raw.get("reboot"))
    # Servicing writes the new UBR before the restart that loads the new kernel.
    update_pending = reboot["update_pending"]
    return {
        "version": version,
        "release": release,
        "host_kind": kind,
        "product_name": _text(registry.get("ProductName")),
        "edition_id": _text(registry.get("EditionID")),
        "installation_type": _text(registry.get("InstallationType")),
        "display_version": _text(registry.get("DisplayVersion")),
        "release_id": _text(registry.get("ReleaseId")),
        "build_lab_ex": _text(registry.get("BuildLabEx")),
        "features": feature_facts(raw.get("features"), raw.get("reboot")),
        "reboot": reboot,
        "warnings": _system_warnings(version, kind, update_pending),
        "revision_running": None if update_pending is None else not update_pending,
    }


def _system_warnings(version: Mapping[str, Any], kind: Optional[str], update_pending: Optional[bool]) -> list[str]:
    """What the user must know about the host itself: a revision not running yet, an unknown host kind."""
    warnings = []
    if update_pending:
        warnings.append(
            f"an update waits for a restart: UBR {version['revision']} is installed but not yet the running kernel's, "
            "so process-isolated containers keep the previous revision until the host restarts"
        )
    if kind is None:
        warnings.append(
            f"host kind unknown for build {version['build']} (no InstallationType or ProductName): "
            "set host_kind to get compatible tags and container verdicts"
        )
    return warnings


def _containerd_facts(containerd: Mapping[str, Any]) -> dict[str, Any]:
    """containerd: installed, running (its service), version (from ``containerd --version``), error."""
    printed = _text((containerd.get("version") or {}).get("stdout"))
    return {
        "installed": bool(containerd.get("version") or _text(containerd.get("service"))),
        "running": (_text(containerd.get("service")) or "").lower() == "running",
        "version": _containerd_version(printed),
        "error": _command_error(containerd.get("version"), "containerd"),
    }


def _containerd_version(text: object) -> Optional[str]:
    """``v1.7.20`` from ``containerd github.com/containerd/containerd v1.7.20 8fc6bcff...``."""
    found = re.search(r"\bv?(\d+\.\d+\.\d+[\w.+-]*)", _text(text) or "")
    return found.group(1) if found else None
