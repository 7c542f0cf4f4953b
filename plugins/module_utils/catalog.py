"""Look-ups over the Windows release catalog (``release_catalog.RELEASES``).

Every index is built once at import, so each look-up is a dict access. Entries returned by
:func:`entry_for_build` and :func:`all_releases` are the shared catalog data: read them, never change them.
:func:`windows_release` returns a copy that callers may change.
"""

from __future__ import annotations

import datetime
import re
from typing import Any, Optional, Union

from ansible_collections.wincontainers.compat.plugins.module_utils.errors import (
    UnknownReleaseError,
    VersionParseError,
    check_choice,
    describe,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.release_catalog import (
    AMBIGUOUS_ALIASES,
    RELEASES,
)

REPOSITORIES: tuple[str, ...] = ("servercore", "nanoserver", "server", "windows")
FIRST_CONTAINER_BUILD = 14393

_SPACES = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_KB = re.compile(r"^(?:kb)?(\d{6,7})$", re.IGNORECASE | re.ASCII)
# Edition words that may follow a product name (ProductName, Caption); dropped on a second look-up.
_EDITION_WORDS = frozenset(
    {"datacenter", "standard", "essentials", "evaluation", "azure", "edition", "pro", "home", "education"}
    | {"enterprise", "core", "n", "iot", "microsoft"}
)


def normalize_alias(text: str) -> str:
    """Return the normal form of a release name or tag: lowercase, no commas, no word "version", single spaces."""
    words = _SPACES.split(text.replace(",", " ").strip().lower())
    return " ".join(word for word in words if word and word != "version")


def _build_indexes() -> tuple[dict[int, dict], dict[str, int], dict[tuple[int, str], int]]:
    """Index the catalog by build, by alias (aliases, tags, product names) and by (build, KB)."""
    by_build: dict[int, dict] = {}
    by_alias: dict[str, int] = {}
    by_kb: dict[tuple[int, str], int] = {}
    for entry in RELEASES:
        build = entry["build"]
        by_build[build] = entry
        names = list(entry["aliases"])
        names += [tag for tags in entry["tags"].values() for tag in tags]
        names += [entry["name"]] + [product["name"] for product in entry["products"]]
        for name in names:
            key = normalize_alias(name)
            if key not in AMBIGUOUS_ALIASES:
                by_alias.setdefault(key, build)
        for kb, revision in entry.get("kb_revisions", {}).items():
            by_kb[(build, kb.upper())] = revision
    return by_build, by_alias, by_kb


_BY_BUILD, _BY_ALIAS, _BY_KB = _build_indexes()
_BUILDS: tuple[int, ...] = tuple(sorted(_BY_BUILD))


def all_releases() -> tuple[dict, ...]:
    """Return every catalog entry, in ascending build order."""
    return RELEASES


def entry_for_build(build: int) -> Optional[dict]:
    """Return the catalog entry of ``build``, or None when the build is not in the catalog."""
    return _BY_BUILD.get(build)


def build_for_alias(alias: str) -> Optional[int]:
    """Return the build a release name or tag stands for (``ltsc2019``, ``20H2``, ``Windows Server 2022``).

    Case-insensitive. Returns None for unknown and for ambiguous names (see :func:`ambiguous_builds`).
    """
    if not isinstance(alias, str):
        return None
    key = normalize_alias(alias)
    build = _BY_ALIAS.get(key)
    if build is None and key not in AMBIGUOUS_ALIASES:
        words = _NOT_WORD.sub(" ", key).split()
        build = _BY_ALIAS.get(" ".join(word for word in words if word not in _EDITION_WORDS))
    return build


def ambiguous_builds(alias: str) -> tuple[int, ...]:
    """Return the builds an ambiguous name (``21H2``, ``22H2``, ``23H2``, ``2009``) may mean, else ``()``."""
    if not isinstance(alias, str):
        return ()
    return AMBIGUOUS_ALIASES.get(normalize_alias(alias), ())


def revision_for_kb(build: int, kb: str) -> Optional[int]:
    """Return the revision (UBR) that update ``kb`` (``KB4493509`` or ``4493509``) brings to ``build``."""
    match = _KB.match(kb.strip()) if isinstance(kb, str) else None
    if match is None:
        return None
    return _BY_KB.get((build, "KB" + match.group(1)))


def builds_for_kb(kb: str) -> tuple[int, ...]:
    """Return the builds whose catalogued updates include ``kb``, else ``()``."""
    match = _KB.match(kb.strip()) if isinstance(kb, str) else None
    if match is None:
        return ()
    return tuple(build for build, known in _BY_KB if known == "KB" + match.group(1))


def enablement_builds(base: int) -> tuple[int, ...]:
    """Return the releases shipped as enablement packages over ``base`` (19041: 19042 to 19045), else ``()``."""
    return tuple(entry["build"] for entry in RELEASES if entry.get("base_build") == base)


def tags_for(build: int, repo: str) -> list[str]:
    """Return the official MCR release tags of ``repo`` for ``build`` (empty when there are none)."""
    entry = _BY_BUILD.get(build)
    return list(entry["tags"].get(repo, [])) if entry else []


def release_name(build: int, kind: str = "server") -> Optional[str]:
    """The release of ``build`` as a ``kind`` host names it (26100: Windows Server 2025, or Windows 11, version
    24H2 on a client); None for a build the catalog does not know."""
    entry = _BY_BUILD.get(build)
    if entry is None:
        return None
    return str(entry.get("client_name") if kind == "client" and entry.get("client_name") else entry["name"])


def latest_known_build() -> int:
    """Return the newest build in the catalog."""
    return _BUILDS[-1]


def _nearest_known(build: int) -> Optional[dict]:
    """Return the entry of the newest catalogued build not newer than ``build``."""
    lower = [known for known in _BUILDS if known <= build]
    return _BY_BUILD[lower[-1]] if lower else None


def unknown_release(build: int) -> dict:
    """Return a synthesised entry, ``known: False``, for a build the catalog does not list."""
    nearest = _nearest_known(build)
    return {
        "build": build,
        "name": f"Unknown Windows build {build}",
        "kind": nearest["kind"] if nearest else "client",
        "channel": None,
        "version": None,
        "codename": None,
        "containers": build >= FIRST_CONTAINER_BUILD,
        "aliases": [],
        "products": [],
        "tags": {repo: [] for repo in REPOSITORIES},
        "kb_revisions": {},
        "sources": [],
        "notes": f"Build {build} is not in the release catalog (newest known build: {_BUILDS[-1]}).",
        "known": False,
        "released": None,
        "end_of_support": None,
        "eos": None,
    }


def _clone(value: Any) -> Any:
    """Return a deep copy of catalog data (dicts, lists and scalars), several times faster than ``deepcopy``."""
    if isinstance(value, dict):
        return {key: _clone(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clone(item) for item in value]
    return value


def release_for_build(build: int) -> dict:
    """Return a copy of the catalog entry of ``build`` with ``known``, ``released`` and ``end_of_support``.

    ``released`` and ``end_of_support`` (also as ``eos``) are those of the primary product.
    Unknown builds give :func:`unknown_release`.
    """
    entry = _BY_BUILD.get(build)
    if entry is None:
        return unknown_release(build)
    result: dict = _clone(entry)
    primary = entry["products"][0]
    result["known"] = True
    result["released"] = primary.get("released")
    result["end_of_support"] = primary.get("end_of_support")
    result["eos"] = result["end_of_support"]
    return result


def windows_release(value: object) -> dict:
    """Return the catalog entry of the release ``value`` names.

    ``value`` is a release alias or tag (``ltsc2022``, ``1809``, ``Windows 11 24H2``) or anything
    ``version.parse_windows_version`` accepts. Raises ``UnknownReleaseError`` for ambiguous names and
    ``VersionParseError`` for input that names no version.
    """
    if isinstance(value, str):
        build = build_for_alias(value)
        if build is not None:
            return release_for_build(build)
        candidates = ambiguous_builds(value)
        if candidates:
            listed = ", ".join(f"{_BY_BUILD[b]['name']} ({b})" for b in candidates if b in _BY_BUILD)
            raise UnknownReleaseError(
                f"{describe(value)} is ambiguous: it may mean {listed}; give the product name "
                "(for example 'Windows 11 21H2') or a version such as 10.0.22000"
            )
    if isinstance(value, int) and not isinstance(value, bool) and 9200 < value <= 0xFFFFFFFF:
        return release_for_build(value)
    from ansible_collections.wincontainers.compat.plugins.module_utils.version import (
        parse_windows_version,
    )

    return release_for_build(parse_windows_version(value).build)


def _parse_date(on: Union[datetime.date, str, None]) -> datetime.date:
    """Return ``on`` as a date (today when None); accepts ISO date strings."""
    if on is None:
        return datetime.date.today()
    if isinstance(on, datetime.datetime):
        return on.date()
    if isinstance(on, datetime.date):
        return on
    if isinstance(on, str):
        try:
            return datetime.date.fromisoformat(on.strip()[:10])
        except ValueError:
            pass
    raise VersionParseError(f"expected a date (YYYY-MM-DD); got {describe(on)}")


def _edition_products(products: list[dict], edition: str) -> list[dict]:
    """Return the products an edition text (ProductName, Caption, EditionID) points at, or ``[]`` if unsure.

    ``Windows 10 Enterprise LTSC 2019`` picks the LTSC product, ``Windows 10 Pro`` the Home and Pro one,
    ``Windows 10 Education`` the Enterprise and Education one, ``Nano Server`` the Nano Server one.
    """
    words = set(normalize_alias(re.sub(r"[^A-Za-z0-9]+", " ", edition)).split())
    if words & {"ltsc", "ltsb", "enterprises", "iotenterprises"}:
        picked = [p for p in products if p["channel"] == "LTSC"]
        iot = [p for p in picked if "IoT" in p["name"]]
        return iot if words & {"iot", "iotenterprises"} and iot else [p for p in picked if "IoT" not in p["name"]]
    if words & {"nano", "nanoserver"}:
        return [p for p in products if "Nano Server" in p["name"]]
    general = [p for p in products if p["channel"] == "client"]
    if words & {"enterprise", "education", "enterprisen", "educationn"}:
        return [p for p in general if "Enterprise and Education" in p["name"]] or general[:1]
    if words & {"home", "pro", "professional", "core", "workstations", "professionaln", "corecountryspecific"}:
        return [p for p in general if "Home and Pro" in p["name"]] or general[:1]
    return []


def support_status(
    build: int,
    kind: str = "server",
    on: Union[datetime.date, str, None] = None,
    edition: Optional[str] = None,
) -> dict:
    """Tell whether ``build`` is still serviced on date ``on`` (default today) as a ``kind`` host.

    A build ships as several products (17763: Windows Server 2019, Windows 10 1809 Home and Pro, Enterprise and
    Education, Enterprise LTSC 2019). With ``edition`` (a ProductName such as ``Windows 10 Enterprise LTSC 2019``
    or an EditionID) the verdict is that of the matching product. Without it, or when it matches none,
    ``in_support`` is True while any product of that kind is serviced, False once all have ended, and None when
    the catalog has no date for such a product. ``products`` gives each product's own verdict.
    """
    check_choice("host_kind", kind, ("server", "client"))
    day = _parse_date(on)
    entry = _BY_BUILD.get(build)
    products = [p for p in entry["products"] if p["kind"] == kind] if entry else []
    chosen = {id(p) for p in _edition_products(products, edition)} if isinstance(edition, str) and edition else set()
    verdicts = [
        {
            "name": product["name"],
            "end_of_support": product.get("end_of_support"),
            "in_support": (day <= datetime.date.fromisoformat(product["end_of_support"]))
            if product.get("end_of_support")
            else None,
            "edition_match": id(product) in chosen,
        }
        for product in products
    ]
    dated = [v for v in verdicts if v["end_of_support"] and (v["edition_match"] or not chosen)]
    if not dated:
        return {"build": build, "in_support": None, "end_of_support": None, "product": None, "products": verdicts}
    last = max(dated, key=lambda v: v["end_of_support"])
    return {
        "build": build,
        "in_support": last["in_support"],
        "end_of_support": last["end_of_support"],
        "product": last["name"],
        "products": verdicts,
    }
