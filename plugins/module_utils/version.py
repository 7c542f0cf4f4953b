"""Windows versions: one value type and a parser for every form people and tools print.

``parse_windows_version`` reads dotted versions, registry values, raw command output (``ver``,
``docker info``, ``systeminfo``, ``kubectl``, ``Get-ComputerInfo``, ``reg query``), node labels, image
tags and image references. The revision (UBR) is reported only when the input carries it; it is never
guessed, never read from BuildLabEx (whose second field is a build-lab number) and never given as 0.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Union

from ansible_collections.wincontainers.compat.plugins.module_utils import catalog
from ansible_collections.wincontainers.compat.plugins.module_utils.bounds import (
    MAX_DIGITS,
    MAX_TEXT,
    ascii_int,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import (
    VersionParseError,
    WinCompatError,
    describe,
)

FIRST_NT10_BUILD = 10240
_MAX_BUILD = 65535  # build numbers are 16-bit in every Windows version resource
MAX_REVISION = 0xFFFFFFFF  # the UBR is a REG_DWORD
_EXPECTED_FORMS = (
    "a version such as 10.0.17763.437, 10.0.17763 or 17763.437, a build number, registry values "
    "(CurrentBuildNumber, UBR ...), the output of ver, docker info, systeminfo, kubectl or Get-ComputerInfo, "
    "a node label, or an image tag or reference such as ltsc2022, 1809-KB4493509 or "
    "mcr.microsoft.com/windows/nanoserver:1809"
)


@functools.total_ordering
@dataclass(frozen=True)
class WindowsVersion:
    """A Windows version ``major.minor.build[.revision]``; ``revision`` is the UBR or None when unknown.

    Ordered by (major, minor, build, revision), an unknown revision sorting before every known one.
    """

    major: int
    minor: int
    build: int
    revision: Optional[int] = None

    def __post_init__(self) -> None:
        for name in ("major", "minor", "build"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= _MAX_BUILD:
                raise VersionParseError(f"{name} must be an integer from 0 to {_MAX_BUILD}; got {describe(value)}")
        rev = self.revision
        if rev is not None and (not isinstance(rev, int) or isinstance(rev, bool) or not 0 <= rev <= MAX_REVISION):
            expected = f"None or an integer from 0 to {MAX_REVISION}"
            raise VersionParseError(f"revision must be {expected}; got {describe(rev)}")

    @property
    def sort_key(self) -> tuple[int, int, int, int]:
        """The ordering key: an unknown revision counts as -1."""
        return (self.major, self.minor, self.build, -1 if self.revision is None else self.revision)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, WindowsVersion):
            return NotImplemented
        return self.sort_key < other.sort_key

    @property
    def version(self) -> str:
        """``10.0.17763.437``, or ``10.0.17763`` when the revision is unknown."""
        base = f"{self.major}.{self.minor}.{self.build}"
        return base if self.revision is None else f"{base}.{self.revision}"

    def __str__(self) -> str:
        return self.version

    def as_dict(self) -> dict[str, Any]:
        """``{major, minor, build, revision, version}``."""
        return {
            "major": self.major,
            "minor": self.minor,
            "build": self.build,
            "revision": self.revision,
            "version": self.version,
        }


# --- fast paths --------------------------------------------------------------------------------------------
# Every pattern is ASCII-only (re.A): ``\d`` must not take full-width or other Unicode digits. Every pattern runs in
# time linear in the text: no nested or adjacent quantifiers over the same characters, no search for context
# from the start of the text, and ``[ \t]`` rather than ``\s`` where a run of blank lines could be rescanned.
_A = re.ASCII
_HEX = re.compile(r"[0-9a-f]{1,16}", _A)
_DOTTED = re.compile(r"(\d{1,5})\.(\d{1,5})\.(\d{1,5})(?:\.(\d{1,10}))?", _A)
_BUILD_REVISION = re.compile(r"(\d{5})(?:\.(\d{1,10}))?", _A)

# --- free text ---------------------------------------------------------------------------------------------
# BuildLabEx / BuildLab (``17763.1.amd64fre.rs5_release.180914-1434``): the build only, never a revision.
_BUILD_LAB = re.compile(
    r"(?<![\d.])(\d{5})(?:\.\d{1,10})?\.(?:[a-z0-9]+fre|[a-z0-9]+chk|[a-z]+\d*_[\w]+)[\w.\-]*", re.I | _A
)
# The HAL's file version (``hal.dll``): neither its build (19041 on 19042-19045) nor its revision is the OS's.
_FILE_VERSION_LINE = re.compile(r"^[ \t]*OsHardwareAbstractionLayer[ \t]*:.*$", re.I | re.M | _A)
# Environment.OSVersion (``Microsoft Windows NT 10.0.17763.0``): its revision is always 0.
_NT_OSVERSION = re.compile(r"Windows NT (\d{1,2})\.(\d{1,2})\.(\d{4,5})(?:\.\d{1,10})?(?!\d)", re.I | _A)
# PowerShell's table of a version object: a header line, a line of dashes, one row. [Environment]::OSVersion.Version
# prints Revision 0 (unknown); a version object built from the registry (CurrentBuild, UBR) prints the UBR.
_VERSION_TABLE = re.compile(
    r"Major[ \t]+Minor[ \t]+Build[ \t]+Revision[ \t]*\r?\n"
    r"[ \t]*-+[ \t]+-+[ \t]+-+[ \t]+-+[ \t]*\r?\n"
    r"[ \t]*(\d{1,2})[ \t]+(\d{1,2})[ \t]+(\d{4,5})[ \t]+(\d{1,10})(?!\d)",
    re.I | _A,
)
# ``$PSVersionTable.BuildVersion`` prints the same table with the revision of PowerShell's own files, not the UBR
# (MicrosoftDocs/windowsserverdocs#6784).
_PS_BUILD_VERSION = re.compile(r"PSVersionTable", re.I)
# Any NT 10.0 version in text: ``10.0.17763.437``, ``10.0.17763``, docker's ``10.0 17763``.
_NT10 = re.compile(r"(?<![\d.])10\.0[. ](\d{5})(?:\.(\d{1,10}))?(?![\d])(?!\.\d)", _A)
# ``OS Build 17763.437`` (winver, docker info's Operating System line), ``osbuild=14393.1715`` labels.
_BUILD_DOT_REVISION = re.compile(r"(?<![\w.])(\d{5})\.(\d{1,10})(?![\w.])", _A)
# A ``B.R`` whose build is not catalogued counts only after ``OS Build``, ``osbuild=`` or ``=``.
_NAMED_BUILD_DOT_REVISION = re.compile(r"(?:build[ \t]*[:=]?|=)[ \t]*(?<![\w.])(\d{5})\.(\d{1,10})(?![\w.])", re.I | _A)
# systeminfo's ``10.0.17763 N/A Build 17763`` and reports that put the UBR there: ``10.0.17763 Build 5458``.
_BUILD_AFTER = re.compile(r"10\.0\.(\d{5})(?:[ \t]+N/A)?[ \t]+Build[ \t]+(\d{1,10})(?!\d)", re.I | _A)
# docker info of 2018 pre-release engines: ``Version 1803, Update Build Revision 1``.
_UBR_WORDS = re.compile(r"Update Build Revision (\d{1,10})(?!\d)", re.I | _A)
_KEY_VALUE = re.compile(
    r"^[ \t]*(?=[CUORW])(CurrentBuildNumber|CurrentBuild|UBR|WindowsUBR|CurrentMajorVersionNumber"
    r"|CurrentMinorVersionNumber|OsBuildNumber|ReleaseId|WindowsVersion)"
    r"[ \t]*(?::|=|[ \t]+REG_\w+[ \t]+)[ \t]*(0x[0-9a-f]{1,16}|\d{1,20})[ \t]*\r?$",
    re.I | re.M | _A,
)
# DisplayVersion (20H2 and later) means ReleaseId is frozen at 2009, so ReleaseId cannot name the build.
_DISPLAY_VERSION = re.compile(r"^[ \t]*DisplayVersion[ \t]*(?::|=|[ \t]+REG_\w+[ \t]+)[ \t]*\w", re.I | re.M | _A)

# --- image tags and references -----------------------------------------------------------------------------
_DIGEST = re.compile(r"@[a-z0-9]+:[0-9a-f]+$", re.I | _A)
_KB_TOKEN = re.compile(r"^kb\d{6,7}$", re.I | _A)
_ARCH_TOKENS = frozenset({"amd64", "arm64", "x64", "x86", "arm", "arm32v7", "arm64v8"})
_ALIAS_CHARS = re.compile(r"^[\w .,/:@+\-]+$", _A)
# Nesting the parser follows: a registered result holding docker inspect's list holding an object ...
_MAX_NESTING = 8
_CACHED_TEXT = 4096  # longer texts are parsed, never kept in the cache
_CACHE_SIZE = 1024


def _error(value: object, why: str = "") -> VersionParseError:
    detail = f" ({why})" if why else ""
    expected = _EXPECTED_FORMS
    return VersionParseError(f"cannot read a Windows version from {describe(value)}{detail}; expected {expected}")


def _int(value: object, what: str) -> int:
    """An integer from an int or a decimal or ``0x`` hexadecimal string (``reg query`` prints DWORDs in hex)."""
    if isinstance(value, bool):
        raise VersionParseError(f"{what} must be a number; got {describe(value)}")
    if isinstance(value, int):
        if 0 <= value <= MAX_REVISION:
            return value
        raise VersionParseError(f"{what} must be a number from 0 to {MAX_REVISION}; got {describe(value)}")
    if isinstance(value, str):
        text = value.strip().lower()
        if not text.startswith("0x"):
            number = ascii_int(text)
            if number is not None:
                return number
        elif _HEX.fullmatch(text[2:]):
            return int(text[2:], 16)
    raise VersionParseError(f"{what} must be a number of at most {MAX_DIGITS} ASCII digits; got {describe(value)}")


def _known_revision(revision: Optional[int]) -> Optional[int]:
    """Windows ships no servicing update as revision 0: a 0 is what tools print when the UBR is unknown."""
    return revision if revision else None


def _make(major: int, minor: int, build: int, revision: Optional[int], source: object) -> WindowsVersion:
    if build < 1 or build > _MAX_BUILD:
        raise _error(source, f"build {build} is out of range")
    nt10 = (major, minor) == (10, 0) and build >= FIRST_NT10_BUILD
    nt6 = major == 6 and minor <= 3 and build < FIRST_NT10_BUILD
    if not (nt10 or nt6):
        raise _error(source, f"{major}.{minor}.{build} is not a Windows NT 6.x or 10.0 version")
    return WindowsVersion(major, minor, build, _known_revision(revision))


def _is_catalogued(build: int) -> bool:
    return catalog.entry_for_build(build) is not None


def _nt10(build: int, revision: Optional[int], source: object) -> WindowsVersion:
    if build < FIRST_NT10_BUILD:
        raise _error(source, f"build {build} predates Windows 10 ({FIRST_NT10_BUILD}); give major.minor.build")
    return _make(10, 0, build, revision, source)


# --- mappings ----------------------------------------------------------------------------------------------
_NESTED_KEYS = (
    "os.version",
    "osversion",
    "os_version",
    "kernelversion",
    "version",
    "platform",
    "nodeinfo",
    "status",
    "stdout",  # a registered command result
)
_BUILD_KEYS = ("currentbuildnumber", "currentbuild", "osbuildnumber", "build")
_REVISION_KEYS = ("ubr", "windowsubr", "revision")
# Keys whose text can add the revision to a build read from another key (docker info's OperatingSystem).
_REVISION_TEXT_KEYS = ("operatingsystem", "osdisplayversion", "windowsversion", "oshotfixes")
# Get-ComputerInfo's WindowsVersion and the registry's ReleaseId: a release id that may name the build.
_RELEASE_ID_KEYS = ("releaseid", "windowsversion")


def _from_mapping(value: Mapping[Any, Any], depth: int) -> WindowsVersion:
    """Registry values, ``as_dict()`` output, or objects holding one (manifest entries, nodes, inspect data)."""
    keys = {key.lower(): item for key, item in value.items() if isinstance(key, str)}
    build = next((keys[key] for key in _BUILD_KEYS if keys.get(key) not in (None, "")), None)
    if build in (None, ""):
        build = _release_id_of_mapping(keys, value)
    if build not in (None, ""):
        build_no = _int(build, "the build (CurrentBuildNumber)")
        major = keys.get("currentmajorversionnumber", keys.get("major"))
        minor = keys.get("currentminorversionnumber", keys.get("minor"))
        revision = next((keys[key] for key in _REVISION_KEYS if keys.get(key) not in (None, "")), None)
        rev = None if revision is None else _int(revision, "the revision (UBR)")
        if major in (None, "") and minor in (None, "", 0, "0"):
            # CurrentVersion says 6.3 on every Windows 10 and later for compatibility: never use it.
            return _nt10(build_no, rev, value)
        if major in (None, ""):
            raise _error(value, "it gives a minor version but no major version (CurrentMajorVersionNumber)")
        return _make(_int(major, "the major version"), _int(minor or 0, "the minor version"), build_no, rev, value)
    for key in _NESTED_KEYS:
        nested = keys.get(key)
        if nested not in (None, "", {}, []):
            return _with_revision_from(_parse(nested, depth + 1), keys)
    raise _error(value, "no CurrentBuildNumber/CurrentBuild, build, OsVersion, os.version or kernelVersion key")


def _release_id_of_mapping(keys: Mapping[str, Any], value: object) -> Optional[int]:
    """The build a ReleaseId / WindowsVersion key names (with a UBR / WindowsUBR beside it and no build key)."""
    if not any(keys.get(key) not in (None, "") for key in _REVISION_KEYS) or keys.get("displayversion"):
        return None
    release_id = next((keys[key] for key in _RELEASE_ID_KEYS if isinstance(keys.get(key), (str, int))), None)
    if release_id is None or isinstance(release_id, bool):
        return None
    text = str(release_id).strip() if isinstance(release_id, str) or 0 <= release_id <= 9999 else ""
    return _build_of_release_id(text, value) if ascii_int(text) is not None else None


def _with_revision_from(version: WindowsVersion, keys: Mapping[str, Any]) -> WindowsVersion:
    """``version`` with the revision another key of the same object gives for its build (docker info's JSON:
    ``OSVersion`` 10.0.14393, ``OperatingSystem`` ... (OS Build 14393.7428))."""
    if version.revision is not None:
        return version
    for key in _REVISION_TEXT_KEYS:
        text = keys.get(key)
        if not isinstance(text, str) or not text.strip():
            continue
        try:
            other = parse_windows_version(text)
        except VersionParseError:
            continue
        if other.build == version.build and other.revision is not None:
            return WindowsVersion(version.major, version.minor, version.build, other.revision)
    return version


# --- text --------------------------------------------------------------------------------------------------
def _collect(text: str) -> tuple[list[int], dict[int, set[int]], Optional[tuple[int, int]], set[int]]:
    """Builds and revisions found in free text; BuildLabEx, HAL and Environment.OSVersion revisions are ignored.

    A BuildLab/BuildLabEx build counts only when the text names no other build: releases shipped as
    enablement packages keep their base build there (``19041.1.amd64fre...`` on 19042 to 19045,
    ``22621.1...`` on 22631, ``26100.1...`` on 26200 and 26300).
    """
    builds: list[int] = []
    revisions: dict[int, set[int]] = {}
    major_minor: Optional[tuple[int, int]] = None
    lab_builds: list[int] = []
    original = text

    def add(build: int, revision: Optional[int] = None) -> None:
        builds.append(build)
        if revision:
            revisions.setdefault(build, set()).add(revision)

    def build_only(match: re.Match[str]) -> str:
        lab_builds.append(int(match.group(1)))
        return " "

    text = _BUILD_LAB.sub(build_only, text)
    text = _FILE_VERSION_LINE.sub(" ", text)
    for match in _NT_OSVERSION.finditer(text):
        major_minor = (int(match.group(1)), int(match.group(2)))
        add(int(match.group(3)))
    text = _NT_OSVERSION.sub(" ", text)
    for match in _VERSION_TABLE.finditer(text):
        major_minor = (int(match.group(1)), int(match.group(2)))
        add(int(match.group(3)), None if _PS_BUILD_VERSION.search(original) else int(match.group(4)))
    text = _VERSION_TABLE.sub(" ", text)
    for match in _BUILD_AFTER.finditer(text):
        build, after = int(match.group(1)), int(match.group(2))
        add(build, after if after != build and after < build else None)
    registry: dict[str, int] = {}
    for match in _KEY_VALUE.finditer(text):
        registry.setdefault(match.group(1).lower(), _int(match.group(2), match.group(1)))
    reg_build = registry.get("currentbuildnumber") or registry.get("currentbuild") or registry.get("osbuildnumber")
    reg_revision = registry.get("ubr") or registry.get("windowsubr")
    if reg_build:
        add(reg_build, reg_revision)
        if "currentmajorversionnumber" in registry:
            major_minor = (registry["currentmajorversionnumber"], registry.get("currentminorversionnumber", 0))
    for match in _NT10.finditer(text):
        add(int(match.group(1)), int(match.group(2)) if match.group(2) else None)
        major_minor = major_minor or (10, 0)
    for build, revision in _build_dot_revisions(_NT10.sub(" ", text)):
        add(build, revision)
    floating = {int(match.group(1)) for match in _UBR_WORDS.finditer(text)} - {0}
    if not builds and not lab_builds:
        release_build = _release_id_build(registry, text, original)
        if release_build is not None:
            add(release_build, reg_revision)
    if not builds and lab_builds:
        _refuse_shared_base_build(lab_builds[0], original)
    return builds or lab_builds, revisions, major_minor, floating


def _build_dot_revisions(text: str) -> list[tuple[int, int]]:
    """The ``B.R`` tokens of ``text`` whose build is catalogued or named (``OS Build``, ``osbuild=``).

    One pass over the text for the named tokens, one for all tokens, one catalog look-up per distinct build.
    """
    named = {match.start(1) for match in _NAMED_BUILD_DOT_REVISION.finditer(text)}
    catalogued: dict[int, bool] = {}
    found: list[tuple[int, int]] = []
    for match in _BUILD_DOT_REVISION.finditer(text):
        build = int(match.group(1))
        if not FIRST_NT10_BUILD <= build <= _MAX_BUILD:
            continue
        if build not in catalogued:
            catalogued[build] = _is_catalogued(build)
        if catalogued[build] or match.start(1) in named:
            found.append((build, int(match.group(2))))
    return found


def _release_id_build(registry: Mapping[str, int], text: str, source: object) -> Optional[int]:
    """The build a ReleaseId / WindowsVersion (Get-ComputerInfo) names, when the text gives no build.

    Used only when the release id names exactly one catalogued build: never ``2009``, which every release since
    20H2 writes, and not when the text has a DisplayVersion (ReleaseId is frozen on those releases).
    """
    release_id = registry.get("releaseid") or registry.get("windowsversion")
    if release_id is None or _DISPLAY_VERSION.search(text):
        return None
    return _build_of_release_id(str(release_id), source)


def _build_of_release_id(release_id: str, source: object) -> Optional[int]:
    """The one build the catalog gives for ``release_id`` (``1809`` → 17763); an error for ``2009``."""
    if catalog.ambiguous_builds(release_id):
        raise _error(source, f"ReleaseId {release_id} is written by several releases; give CurrentBuild or the build")
    return catalog.build_for_alias(release_id)


def _refuse_shared_base_build(build: int, source: object) -> None:
    """A BuildLab/BuildLabEx alone cannot tell 19041 from the releases enabled over it (19042 to 19045)."""
    enabled = catalog.enablement_builds(build)
    if enabled:
        releases = ", ".join(map(str, (build, *enabled)))
        raise _error(
            source,
            f"BuildLabEx names the base build {build}, which builds {releases} all report; give CurrentBuild, "
            "the output of ver or the OS build",
        )


def _from_text(text: str, source: object) -> Optional[WindowsVersion]:
    builds, revisions, major_minor, floating = _collect(text)
    if not builds:
        return None
    distinct = sorted(set(builds))
    if len(distinct) > 1:
        raise _error(source, "it names several builds: " + ", ".join(map(str, distinct)) + "; pass one host's output")
    build = distinct[0]
    found = sorted(revisions.get(build) or floating)
    if len(found) > 1:
        raise _error(source, f"it names several revisions of build {build}: " + ", ".join(map(str, found)))
    revision = found[0] if found else None
    if major_minor is None or major_minor == (10, 0):
        return _nt10(build, revision, source)
    return _make(major_minor[0], major_minor[1], build, revision, source)


# --- tags, references and release names --------------------------------------------------------------------
def _tag_of(reference: str) -> str:
    """The tag of an image reference (``repo/name:tag@digest`` → ``tag``); the text itself when it has none."""
    reference = _DIGEST.sub("", reference)
    last = reference.rsplit("/", 1)[-1]
    return last.rsplit(":", 1)[1] if ":" in last else reference


def _from_alias(text: str, source: object) -> Optional[WindowsVersion]:
    """A release name or tag: ``ltsc2019``, ``1809-KB4493509``, ``ltsc2022-amd64``, ``4.8-windowsservercore-ltsc2019``.

    Release names and KB numbers are looked up in the catalog.
    """
    if text.strip() == "2009":
        raise _error(source, "ReleaseId 2009 is written by every release since Windows 10 20H2; give the build")
    build = catalog.build_for_alias(text)
    if build is not None:
        return _nt10(build, None, source)
    candidates = catalog.ambiguous_builds(text)
    if candidates:
        listed = ", ".join(map(str, candidates))
        raise _error(source, f"it may mean build {listed}; give the product name or the build")
    tag = _tag_of(text.strip())
    tokens = [token for token in tag.split("-") if token.lower() not in _ARCH_TOKENS]
    kb = next((token for token in tokens if _KB_TOKEN.match(token)), None)
    found = _release_token(tokens) or _build_token(tokens)
    if found is None or isinstance(found, WindowsVersion):
        return found
    if kb:
        return _nt10(found, _kb_revision(found, kb, source), source)
    return _nt10(found, None, source)


def _release_token(tokens: list[str]) -> Union[WindowsVersion, int, None]:
    """The first token of a tag that is a full version (``10.0.17763.437``) or a release name (``ltsc2019``)."""
    for token in tokens:
        build = catalog.build_for_alias(token)
        if build is not None:
            return build
        if token.count(".") >= 2:
            try:
                found = _dotted(token)
            except VersionParseError:
                continue
            if found is not None:
                return found
    return None


def _build_token(tokens: list[str]) -> Optional[WindowsVersion]:
    """The first ``17763`` or ``17763.437`` token of a tag whose build is catalogued: a CI build number such as
    ``48213`` in ``48213-windowsservercore-ltsc2022`` is not a Windows build."""
    for token in tokens:
        try:
            found = _dotted(token)
        except VersionParseError:
            continue
        if found is not None and _is_catalogued(found.build):
            return found
    return None


def _kb_revision(build: int, kb: str, source: object) -> Optional[int]:
    """The revision a KB tag brings to ``build``; an error when the KB is another build's update."""
    revision = catalog.revision_for_kb(build, kb)
    others = [other for other in catalog.builds_for_kb(kb) if other != build]
    if revision is None and others:
        raise _error(source, f"{kb.upper()} is an update of build {others[0]}, not of {build}")
    return revision


def _dotted(text: str) -> Optional[WindowsVersion]:
    """``10.0.17763[.437]`` (any major.minor), ``17763.437`` or ``17763``; None for anything else."""
    match = _DOTTED.fullmatch(text)
    if match:
        major, minor, build, revision = match.groups()
        rev = int(revision) if revision else None
        if rev is not None and rev > MAX_REVISION:
            return None
        return _make(int(major), int(minor), int(build), rev, text)
    match = _BUILD_REVISION.fullmatch(text)
    if match and int(match.group(1)) >= FIRST_NT10_BUILD:
        revision = match.group(2)
        rev = int(revision) if revision else None
        if rev is not None and rev > MAX_REVISION:
            return None
        return _nt10(int(match.group(1)), rev, text)
    return None


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _parse_short_text(text: str) -> WindowsVersion:
    return _parse_any_text(text)


def _parse_text(text: str) -> WindowsVersion:
    """Parse ``text``; results of short texts are cached (bounded by count and by the length of each text)."""
    if len(text) > MAX_TEXT:
        raise _error(text, f"it is {len(text)} characters long; at most {MAX_TEXT} are read")
    return _parse_short_text(text) if len(text) <= _CACHED_TEXT else _parse_any_text(text)


def _parse_any_text(text: str) -> WindowsVersion:
    stripped = text.strip()
    if stripped.lower().startswith("v"):
        quick = _dotted(stripped[1:])
        if quick is not None:
            return quick
    quick = _dotted(stripped)
    if quick is not None:
        return quick
    if not stripped:
        raise _error(text, "it is empty")
    found = _from_text(stripped, text)
    if found is not None:
        return found
    if len(stripped) <= 200 and "\n" not in stripped and _ALIAS_CHARS.match(stripped):
        found = _from_alias(stripped, text)
        if found is not None:
            return found
    raise _error(text)


catalog.on_change(_parse_short_text.cache_clear)  # release names and KB numbers come from the active catalog


def parse_windows_version(value: object) -> WindowsVersion:
    """Read a Windows version from any supported form (see ``_EXPECTED_FORMS``); raise ``VersionParseError``."""
    return _parse(value, 0)


def _parse(value: object, depth: int) -> WindowsVersion:
    if depth > _MAX_NESTING:
        raise _error(value, f"the version is nested more than {_MAX_NESTING} levels deep")
    if isinstance(value, WindowsVersion):
        return value
    if isinstance(value, str):
        return _parse_text(value)
    if isinstance(value, bool):
        raise _error(value, "a boolean is not a version")
    if isinstance(value, int):
        if not 0 <= value <= _MAX_BUILD:
            raise _error(value, f"a build is a number from {FIRST_NT10_BUILD} to {_MAX_BUILD}")
        return _nt10(value, None, value)
    if isinstance(value, float):
        raise _error(value, "a float loses digits (17763.1970 reads as 17763.197); quote the version")
    if isinstance(value, (bytes, bytearray)):
        if len(value) > MAX_TEXT:
            raise _error(value, f"it is {len(value)} bytes long; at most {MAX_TEXT} are read")
        return _parse_text(bytes(value).decode("utf-8", "replace"))
    if isinstance(value, Mapping):
        return _from_mapping(value, depth)
    if isinstance(value, (list, tuple)) and value and all(isinstance(item, str) for item in value):
        if sum(len(item) + 1 for item in value) > MAX_TEXT:
            raise _error(value, f"its lines hold more than {MAX_TEXT} characters")
        return _parse_text("\n".join(value))
    if isinstance(value, (list, tuple)) and len(value) == 1:
        return _parse(value[0], depth + 1)  # docker inspect prints a list of one object
    raise _error(value, f"a {type(value).__name__} is not a version")


def safe_version(value: object) -> Optional[WindowsVersion]:
    """``parse_windows_version(value)``, or None when ``value`` is empty or holds no Windows version."""
    if value is None or value == "":
        return None
    try:
        return parse_windows_version(value)
    except WinCompatError:
        return None


def windows_version(value: object) -> dict[str, Any]:
    """The public filter: ``{major, minor, build, revision, version}`` of any supported form."""
    return parse_windows_version(value).as_dict()
