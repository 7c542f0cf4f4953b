"""Look-ups over the Windows release catalog, and the rule data derived from it.

The active catalog is the collection's own (``release_catalog.RELEASES``), or that list extended by a user's
catalog file (``catalog_extension.extend_catalog``) once :func:`activate` made it the active one. Every index,
the ambiguous names and the rule data are built once per catalog, so each look-up is a dict access. Entries
returned by :func:`entry_for_build` and :func:`all_releases` are the shared catalog data: read them, never
change them. :func:`release_for_build` returns a copy that callers may change.
"""

from __future__ import annotations

import bisect
import datetime
import re
from typing import Any, Callable, Optional, Sequence, Union

from ansible_collections.wincontainers.compat.plugins.module_utils.errors import (
    VersionParseError,
    check_choice,
    describe,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.release_catalog import RELEASES

REPOSITORIES: tuple[str, ...] = ("servercore", "nanoserver", "server", "windows")
CLIENT_PROCESS: tuple[str, ...] = ("none", "same_build", "older_ltsc_preview")
# Entry fields that feed the rules and the name look-ups; ``windows_release`` does not return them.
RULE_FIELDS: tuple[str, ...] = (
    "release_id",
    "stable_abi_ltsc",
    "hcsshim_compat_ltsc",
    "same_revision",
    "client_process",
    "docker_client_process",
    "fails_on_newer_clients",
)
# Windows containers were introduced with the first build the catalog marks ``containers`` (14393).
FIRST_CONTAINER_BUILD: int = next(int(entry["build"]) for entry in RELEASES if entry["containers"])

_SPACES = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_KB = re.compile(r"^(?:kb)?(\d{6,7})$", re.IGNORECASE | re.ASCII)
_CLIENT_FAMILY = re.compile(r"^(windows \d+)\b")
# Edition words that may follow a product name (ProductName, Caption); dropped on a second look-up.
_EDITION_WORDS = frozenset(
    {"datacenter", "standard", "essentials", "evaluation", "azure", "edition", "pro", "home", "education"}
    | {"enterprise", "core", "n", "iot", "microsoft"}
)


def normalize_alias(text: str) -> str:
    """Return the normal form of a release name or tag: lowercase, no commas, no word "version", single spaces."""
    words = _SPACES.split(text.replace(",", " ").strip().lower())
    return " ".join(word for word in words if word and word != "version")


def _explicit_names(entry: dict) -> list[str]:
    """The names that stand for ``entry`` alone: its aliases, tags, name and product names."""
    names = list(entry["aliases"])
    names += [tag for tags in entry["tags"].values() for tag in tags]
    return names + [entry["name"]] + [product["name"] for product in entry["products"]]


def _loose_names(entry: dict) -> set[str]:
    """Names that several builds may carry: versions, the registry ReleaseId, the client family."""
    names = {entry.get("version") or "", entry.get("release_id") or ""}
    names |= {product.get("version") or "" for product in entry["products"]}
    for product in entry["products"]:
        family = _CLIENT_FAMILY.match(normalize_alias(product["name"])) if product["kind"] == "client" else None
        names.add(family.group(1) if family else "")
    return {normalize_alias(name) for name in names if name}


def derive_ambiguous_aliases(entries: Sequence[dict]) -> dict[str, tuple[int, ...]]:
    """The names more than one build carries (``21h2``, ``2009``, ``windows 11``), with every build they may
    mean; a name that is one entry's own alias or tag (``1809``) is not ambiguous."""
    explicit = {normalize_alias(name) for entry in entries for name in _explicit_names(entry)}
    carriers: dict[str, set[int]] = {}
    for entry in entries:
        for name in _loose_names(entry):
            carriers.setdefault(name, set()).add(int(entry["build"]))
    return {
        name: tuple(sorted(builds))
        for name, builds in sorted(carriers.items())
        if len(builds) > 1 and name not in explicit
    }


class ReleaseCatalog:
    """One catalog (entries in ascending build order) with its indexes and the rule data derived from it."""

    __slots__ = (
        "ambiguous",
        "builds",
        "by_alias",
        "by_build",
        "by_kb",
        "client_builds",
        "clients",
        "entries",
        "hcsshim_compat_ltsc",
        "same_revision",
        "stable_abi_ltsc",
        "tagged_builds",
    )

    def __init__(self, entries: Sequence[dict]) -> None:
        self.entries: tuple[dict, ...] = tuple(entries)
        self.by_build: dict[int, dict] = {int(entry["build"]): entry for entry in self.entries}
        self.builds: tuple[int, ...] = tuple(sorted(self.by_build))
        self.ambiguous = derive_ambiguous_aliases(self.entries)
        self.by_alias: dict[str, int] = {}
        self.by_kb: dict[tuple[int, str], int] = {}
        for entry in self.entries:
            for name in _explicit_names(entry):
                key = normalize_alias(name)
                if key not in self.ambiguous:
                    self.by_alias.setdefault(key, entry["build"])
            for kb, revision in entry.get("kb_revisions", {}).items():
                self.by_kb[(entry["build"], kb.upper())] = revision
        self.stable_abi_ltsc = self._flagged("stable_abi_ltsc")
        self.hcsshim_compat_ltsc = self._flagged("hcsshim_compat_ltsc")
        self.same_revision = frozenset(self._flagged("same_revision"))
        self.tagged_builds: dict[str, tuple[int, ...]] = {
            repo: tuple(entry["build"] for entry in reversed(self.entries) if entry["tags"].get(repo))
            for repo in REPOSITORIES
        }
        self.clients: tuple[dict, ...] = tuple(entry for entry in self.entries if entry["kind"] in ("client", "both"))
        self.client_builds: tuple[int, ...] = tuple(entry["build"] for entry in self.clients)

    def _flagged(self, field: str) -> tuple[int, ...]:
        """The builds whose entry sets ``field``, ascending."""
        return tuple(entry["build"] for entry in self.entries if entry.get(field))

    def client_entry(self, build: int) -> Optional[dict]:
        """The entry that sets the client rules of ``build``: its own, else the newest client build below it."""
        index = bisect.bisect_right(self.client_builds, build)
        return self.clients[index - 1] if index else None


_BASE = ReleaseCatalog(RELEASES)
_active: ReleaseCatalog = _BASE
_on_change: list[Callable[[], None]] = []


def activate(entries: Optional[Sequence[dict]] = None) -> None:
    """Make ``entries`` (a catalog extended by ``catalog_extension.extend_catalog``) the catalog that every
    look-up, rule and filter reads; None goes back to the collection's own. Caches over the catalog are cleared
    when it changes."""
    global _active  # the one place the active catalog is chosen
    wanted = _BASE.entries if entries is None else tuple(entries)
    if wanted == _active.entries:
        return
    _active = _BASE if wanted == _BASE.entries else ReleaseCatalog(wanted)
    for clear in _on_change:
        clear()


def on_change(clear: Callable[[], None]) -> None:
    """Register a cache-clearing callback that :func:`activate` calls when the active catalog changes."""
    _on_change.append(clear)


def is_extended() -> bool:
    """Whether a user's catalog file extends the active catalog."""
    return _active is not _BASE


def all_releases() -> tuple[dict, ...]:
    """Return every catalog entry, in ascending build order."""
    return _active.entries


def entry_for_build(build: int) -> Optional[dict]:
    """Return the catalog entry of ``build``, or None when the build is not in the catalog."""
    return _active.by_build.get(build)


def build_for_alias(alias: str) -> Optional[int]:
    """Return the build a release name or tag stands for (``ltsc2019``, ``20H2``, ``Windows Server 2022``).

    Case-insensitive. Returns None for unknown and for ambiguous names (see :func:`ambiguous_builds`).
    """
    if not isinstance(alias, str):
        return None
    key = normalize_alias(alias)
    build = _active.by_alias.get(key)
    if build is None and key not in _active.ambiguous:
        words = _NOT_WORD.sub(" ", key).split()
        build = _active.by_alias.get(" ".join(word for word in words if word not in _EDITION_WORDS))
    return build


def ambiguous_aliases() -> dict[str, tuple[int, ...]]:
    """Every ambiguous name of the active catalog with the builds it may mean (derived from the data)."""
    return dict(_active.ambiguous)


def ambiguous_builds(alias: str) -> tuple[int, ...]:
    """Return the builds an ambiguous name (``21H2``, ``22H2``, ``23H2``, ``2009``) may mean, else ``()``."""
    if not isinstance(alias, str):
        return ()
    return _active.ambiguous.get(normalize_alias(alias), ())


def revision_for_kb(build: int, kb: str) -> Optional[int]:
    """Return the revision (UBR) that update ``kb`` (``KB4493509`` or ``4493509``) brings to ``build``."""
    match = _KB.match(kb.strip()) if isinstance(kb, str) else None
    if match is None:
        return None
    return _active.by_kb.get((build, "KB" + match.group(1)))


def builds_for_kb(kb: str) -> tuple[int, ...]:
    """Return the builds whose catalogued updates include ``kb``, else ``()``."""
    match = _KB.match(kb.strip()) if isinstance(kb, str) else None
    if match is None:
        return ()
    return tuple(build for build, known in _active.by_kb if known == "KB" + match.group(1))


def enablement_builds(base: int) -> tuple[int, ...]:
    """Return the releases shipped as enablement packages over ``base`` (19041: 19042 to 19045), else ``()``."""
    return tuple(entry["build"] for entry in _active.entries if entry.get("base_build") == base)


def tags_for(build: int, repo: str) -> list[str]:
    """Return the official MCR release tags of ``repo`` for ``build`` (empty when there are none)."""
    entry = _active.by_build.get(build)
    return list(entry["tags"].get(repo, [])) if entry else []


def tagged_builds(repo: str) -> tuple[int, ...]:
    """The builds that have release tags in ``repo``, newest first."""
    return _active.tagged_builds.get(repo, ())


def release_name(build: int, kind: str = "server") -> Optional[str]:
    """The release of ``build`` as a ``kind`` host names it (26100: Windows Server 2025, or Windows 11, version
    24H2 on a client); None for a build the catalog does not know."""
    entry = _active.by_build.get(build)
    if entry is None:
        return None
    return str(entry.get("client_name") if kind == "client" and entry.get("client_name") else entry["name"])


def latest_known_build() -> int:
    """Return the newest build in the catalog."""
    return _active.builds[-1]


# --- rule data ---------------------------------------------------------------------------------------------
def stable_abi_ltsc_builds() -> tuple[int, ...]:
    """The LTSC server builds of the stable-ABI promise (``stable_abi_ltsc``: 20348, 26100), ascending."""
    return _active.stable_abi_ltsc


def hcsshim_compat_ltsc_builds() -> tuple[int, ...]:
    """hcsshim's and containerd's ``compatLTSCReleases`` (``hcsshim_compat_ltsc``: 20348, 26100), ascending."""
    return _active.hcsshim_compat_ltsc


def same_revision_required(build: int) -> bool:
    """Whether process isolation on a host of ``build`` needs the image's exact revision (14393)."""
    return build in _active.same_revision


def client_process(build: int) -> str:
    """What Microsoft's client matrix lists for process isolation on a client host of ``build``
    (``none``, ``same_build`` or ``older_ltsc_preview``), from the newest client build at or below it."""
    entry = _active.client_entry(build)
    return str(entry.get("client_process") or "none") if entry else "none"


def docker_client_process(build: int) -> bool:
    """Whether Docker starts process-isolated containers on a client host of ``build`` (from Windows 10 1809 on)."""
    entry = _active.client_entry(build)
    return bool(entry.get("docker_client_process", True)) if entry else False


def fails_on_newer_clients(build: int) -> Optional[str]:
    """The issue reporting that images of ``build`` fail on newer client builds, else None."""
    entry = _active.by_build.get(build)
    return entry.get("fails_on_newer_clients") if entry else None


def _nearest_known(build: int) -> Optional[dict]:
    """Return the entry of the newest catalogued build not newer than ``build``."""
    lower = [known for known in _active.builds if known <= build]
    return _active.by_build[lower[-1]] if lower else None


def _unknown_release(build: int) -> dict:
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
        "notes": f"Build {build} is not in the release catalog (newest known build: {_active.builds[-1]}).",
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

    ``released`` and ``end_of_support`` (also as ``eos``) are those of the primary product; the rule fields
    (``RULE_FIELDS``) are left out. Unknown builds give :func:`unknown_release`.
    """
    entry = _active.by_build.get(build)
    if entry is None:
        return _unknown_release(build)
    result: dict = {key: _clone(value) for key, value in entry.items() if key not in RULE_FIELDS}
    primary = entry["products"][0]
    result["known"] = True
    result["released"] = primary.get("released")
    result["end_of_support"] = primary.get("end_of_support")
    result["eos"] = result["end_of_support"]
    return result


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
    entry = _active.by_build.get(build)
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
