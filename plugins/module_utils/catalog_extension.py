"""A user's extension of the release catalog: validate its entries and merge them into the collection's.

Pure: the caller reads the file (``catalog_file.py``) and hands over what YAML made of it. The file holds
entries in the catalog's own schema (see ``release_catalog.py``), as a list or under a ``releases`` key. An
entry whose ``build`` the catalog knows corrects it: the fields it gives replace the collection's (``tags`` and
``kb_revisions`` are merged by key), the rest is kept. An entry of a new build adds it and gives at least
``build``, ``name``, ``kind``, ``channel`` and ``products``. Every error names the file, the entry and the field.
"""

from __future__ import annotations

import datetime
import re
from typing import Any, Callable, Mapping, Optional, Sequence

from ansible_collections.wincontainers.compat.plugins.module_utils.catalog import (
    CLIENT_PROCESS,
    FIRST_CONTAINER_BUILD,
    REPOSITORIES,
    normalize_alias,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import (
    CatalogError,
    VersionParseError,
    describe,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.release_catalog import RELEASES
from ansible_collections.wincontainers.compat.plugins.module_utils.version import parse_windows_version

KINDS = ("server", "client", "both")
CHANNELS = ("LTSC", "SAC", "AC", "client")
REQUIRED_FOR_NEW = ("build", "name", "kind", "channel", "products")
MERGED_BY_KEY = ("tags", "kb_revisions")
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_KB = re.compile(r"^KB\d{6,7}$")
_PRODUCT_FIELDS = ("name", "kind", "channel", "version", "released", "mainstream_end", "end_of_support")


class _Field(Exception):
    """A field's problem, before the file and entry are added to the message; ``where`` and ``value`` name the
    part of the field at fault (``.servercore``, ``[1].released``) and its value."""

    def __init__(self, message: str, where: str = "", value: object = None, has_value: bool = False) -> None:
        super().__init__(message)
        self.where, self.value, self.has_value = where, value, has_value

    def inside(self, part: str, value: object) -> _Field:
        """The same problem, seen from the enclosing value."""
        if not self.has_value:
            return _Field(str(self), part + self.where, value, True)
        return _Field(str(self), part + self.where, self.value, True)


def _text(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Field("expected a non-empty string")
    return value


def _optional_text(value: object) -> Optional[str]:
    return None if value is None else _text(value)


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise _Field("expected true or false")
    return value


def _url(value: object) -> str:
    if not isinstance(value, str) or not value.startswith("https://"):
        raise _Field("expected an https:// address")
    return value


def _choice(choices: tuple[str, ...]) -> Callable[[object], str]:
    def check(value: object) -> str:
        if value not in choices:
            raise _Field(f"expected one of {', '.join(choices)}")
        return str(value)

    return check


def _build(value: object) -> int:
    """A build number, valid by the one rule ``parse_windows_version`` applies to every build."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Field("expected a build number such as 30000")
    try:
        return parse_windows_version(value).build
    except VersionParseError as exc:
        raise _Field(str(exc)) from exc


def _date(value: object) -> str:
    text = value.isoformat() if isinstance(value, datetime.date) else value
    if not isinstance(text, str) or not re.match(r"^\d{4}-\d{2}-\d{2}$", text):
        raise _Field("expected a date YYYY-MM-DD")
    try:
        datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise _Field("expected a date YYYY-MM-DD") from exc
    return text


def _list_of(item: Callable[[object], Any]) -> Callable[[object], list]:
    def check(value: object) -> list:
        if not isinstance(value, list):
            raise _Field("expected a list")
        checked = []
        for index, element in enumerate(value):
            try:
                checked.append(item(element))
            except _Field as exc:
                raise exc.inside(f"[{index + 1}]", element) from None
        return checked

    return check


def _alias(value: object) -> str:
    return normalize_alias(_text(value))


def _tag(value: object) -> str:
    if not isinstance(value, str) or not _TAG.match(value):
        raise _Field("expected MCR tags (letters, digits, '.', '_' or '-', such as ltsc2028)")
    return value


def _tags(value: object) -> dict[str, list[str]]:
    if not isinstance(value, Mapping) or not set(value) <= set(REPOSITORIES):
        raise _Field(f"expected a mapping of {', '.join(REPOSITORIES)} to lists of tags")
    checked = {}
    for repo, tags in value.items():
        try:
            checked[str(repo)] = _list_of(_tag)(tags)
        except _Field as exc:
            raise exc.inside(f".{repo}", tags) from None
    return checked


def _kb_revisions(value: object) -> dict[str, int]:
    if not isinstance(value, Mapping) or not all(isinstance(kb, str) and _KB.match(kb) for kb in value):
        raise _Field("expected a mapping of KB numbers (KB5048671) to revisions")
    if not all(isinstance(rev, int) and not isinstance(rev, bool) and rev > 0 for rev in value.values()):
        raise _Field("expected a positive revision (UBR) for every KB number")
    return dict(value)


def _product(value: object) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise _Field("expected a mapping with name, kind, channel, version and dates")
    unknown = sorted(str(key) for key in value if key not in _PRODUCT_FIELDS)
    if unknown:
        raise _Field(f"unknown product field {', '.join(unknown)}; expected {', '.join(_PRODUCT_FIELDS)}")
    product = {
        "name": _text(value.get("name")),
        "kind": _choice(("server", "client"))(value.get("kind")),
        "channel": _choice(CHANNELS)(value.get("channel")),
        "version": _optional_text(value.get("version")),
    }
    for field in ("released", "mainstream_end", "end_of_support"):
        if value.get(field) is not None:
            try:
                product[field] = _date(value[field])
            except _Field as exc:
                raise exc.inside(f".{field}", value[field]) from None
    return product


def _products(value: object) -> list[dict[str, Any]]:
    products = _list_of(_product)(value)
    if not products:
        raise _Field("expected at least one product")
    return products


FIELDS: dict[str, Callable[[object], Any]] = {
    "build": _build,
    "base_build": _build,
    "name": _text,
    "client_name": _text,
    "kind": _choice(KINDS),
    "channel": _choice(CHANNELS),
    "version": _optional_text,
    "codename": _optional_text,
    "release_id": _text,
    "containers": _flag,
    "aliases": _list_of(_alias),
    "products": _products,
    "tags": _tags,
    "kb_revisions": _kb_revisions,
    "sources": _list_of(_url),
    "notes": _text,
    "stable_abi_ltsc": _flag,
    "hcsshim_compat_ltsc": _flag,
    "same_revision": _flag,
    "client_process": _choice(CLIENT_PROCESS),
    "docker_client_process": _flag,
    "fails_on_newer_clients": _url,
}


def _entries_of(document: object, source: str) -> list:
    """The entries of a catalog file: a list, or the list under ``releases``; an empty file has none."""
    if document is None:
        return []
    if isinstance(document, Mapping) and set(document) == {"releases"}:
        document = document["releases"]
    if isinstance(document, list):
        return document
    raise CatalogError(
        f"{source}: expected a list of release entries, or a mapping with a 'releases' list; got {describe(document)}"
    )


def _where(source: str, index: int, entry: object) -> str:
    build = entry.get("build") if isinstance(entry, Mapping) else None
    return f"{source}: entry {index + 1}" + (f" (build {build})" if build is not None else "")


def _validated(entry: object, where: str) -> dict[str, Any]:
    """The entry's fields, each checked and normalised; raises ``CatalogError`` naming the field."""
    if not isinstance(entry, Mapping):
        raise CatalogError(f"{where}: expected a mapping of catalog fields (build, name, ...); got {describe(entry)}")
    for field in entry:
        if field not in FIELDS:
            raise CatalogError(f"{where}, field {field}: unknown field; expected one of {', '.join(FIELDS)}")
    if "build" not in entry:
        raise CatalogError(f"{where}, field build: missing; every entry names the build it adds or corrects")
    given: dict[str, Any] = {}
    for field, value in entry.items():
        try:
            given[str(field)] = FIELDS[str(field)](value)
        except _Field as exc:
            shown = exc.value if exc.has_value else value
            raise CatalogError(f"{where}, field {field}{exc.where}: {exc}; got {describe(shown)}") from None
    return given


def _corrected(entry: dict, given: Mapping[str, Any]) -> dict:
    """``entry`` with the fields ``given`` replaces (``tags`` and ``kb_revisions`` merged by key)."""
    merged = dict(entry)
    for field, value in given.items():
        merged[field] = {**entry.get(field, {}), **value} if field in MERGED_BY_KEY else value
    return merged


def _new_entry(given: Mapping[str, Any], where: str) -> dict:
    """A new build's entry, with the optional fields defaulted."""
    missing = [field for field in REQUIRED_FOR_NEW if field not in given]
    if given.get("kind") == "both" and "client_name" not in given:
        missing.append("client_name")
    if missing:
        raise CatalogError(
            f"{where}, field {missing[0]}: missing; a build the catalog does not know needs "
            f"{', '.join(REQUIRED_FOR_NEW)} (and client_name when kind is both)"
        )
    entry = {"version": None, "codename": None, "containers": given["build"] >= FIRST_CONTAINER_BUILD, **given}
    entry.setdefault("aliases", [])
    entry.setdefault("kb_revisions", {})
    entry.setdefault("sources", [])
    entry["tags"] = {repo: list(given.get("tags", {}).get(repo, [])) for repo in REPOSITORIES}
    return entry


def _check_entry(entry: Mapping[str, Any], where: str, builds: Sequence[int]) -> None:
    """The consistency of one merged entry: product kinds, base build."""
    kinds = {product["kind"] for product in entry["products"]}
    expected = {"server", "client"} if entry["kind"] == "both" else {entry["kind"]}
    if kinds != expected:
        raise CatalogError(
            f"{where}, field products: a release of kind {entry['kind']} needs products of kind "
            f"{' and '.join(sorted(expected))}; got {' and '.join(sorted(kinds))}"
        )
    base = entry.get("base_build")
    if base is not None and (base >= entry["build"] or base not in builds):
        raise CatalogError(f"{where}, field base_build: expected an older catalogued build; got {base}")


def _check_names(entries: Sequence[dict], given_at: Mapping[int, str]) -> None:
    """Aliases and tags of the given entries name one build only."""
    owners: dict[str, set[int]] = {}
    for entry in entries:
        for name in _own_names(entry):
            owners.setdefault(name, set()).add(entry["build"])
    for entry in entries:
        if entry["build"] not in given_at:
            continue
        for name in _own_names(entry):
            others = sorted(owners[name] - {entry["build"]})
            if others:
                raise CatalogError(
                    f"{given_at[entry['build']]}, field aliases: {name!r} already names build {others[0]}; "
                    "aliases and tags name one build only"
                )


def _own_names(entry: Mapping[str, Any]) -> set[str]:
    return {normalize_alias(name) for name in entry["aliases"]} | {
        normalize_alias(tag) for tags in entry["tags"].values() for tag in tags
    }


def _check_rule_data(entries: Sequence[dict], source: str) -> None:
    for field in ("stable_abi_ltsc", "hcsshim_compat_ltsc"):
        if not any(entry.get(field) for entry in entries):
            raise CatalogError(f"{source}: field {field}: no entry is left with it; the rules need at least one")


def extend_catalog(document: object, source: str, base: Sequence[dict] = RELEASES) -> tuple[dict, ...]:
    """The catalog ``base`` extended by the entries of ``document`` (what YAML made of the file ``source``).

    Returns every entry in ascending build order, ready for ``catalog.activate``. Raises ``CatalogError``
    naming ``source``, the entry (its position and build) and the field.
    """
    by_build = {int(entry["build"]): entry for entry in base}
    given_at: dict[int, str] = {}
    for index, raw in enumerate(_entries_of(document, source)):
        where = _where(source, index, raw)
        given = _validated(raw, where)
        build = given["build"]
        if build in given_at:
            raise CatalogError(f"{where}, field build: build {build} is given twice (first in {given_at[build]})")
        entry = _corrected(by_build[build], given) if build in by_build else _new_entry(given, where)
        by_build[build] = entry
        given_at[build] = where
    builds = sorted(by_build)
    for build, where in given_at.items():
        _check_entry(by_build[build], where, builds)
    merged = tuple(by_build[build] for build in builds)
    _check_names(merged, given_at)
    _check_rule_data(merged, source)
    return merged
