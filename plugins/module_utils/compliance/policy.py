"""The compliance policy (what the fleet should look like), its constants, and the cached core verdicts."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional

from ansible_collections.wincontainers.compat.plugins.module_utils import k8s, swarm
from ansible_collections.wincontainers.compat.plugins.module_utils.compat import (
    RULE_SETS,
    container_compat,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import (
    OptionError,
    WinCompatError,
    check_choice,
    describe,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.version import (
    WindowsVersion,
    parse_windows_version,
)

SCHEMA = "wincontainers.compat/compliance/v1"
ISOLATION_POLICIES = ("any", "process", "hyperv", "auto")
RUNNING_OK = ("supported", "preview")
# The core's status for an image it cannot judge without update revisions (not running-ok, as compatible_with says).
UNVERIFIED = "unverified"
HOSTS_SUITE = "hosts"
MAX_LISTED = 5  # nodes named in a placement finding's message; its ``hosts`` lists them all
HOST_CHECKS = (
    "facts_present",
    "host_support",
    "container_compat",
    "image_revision",
    "update_impact",
    "daemon_isolation",
    "image_tag_pinned",
    "image_support",
)
PLACEMENT_CHECKS = ("swarm_placement", "k8s_placement")
# Checks of swarm_compat_info and k8s_compat_info that report the effect of a wrong placement.
CONSEQUENCES = (
    "task_failed",
    "service_not_converged",
    "image_build_mismatch",
    "selector_allows_incompatible_nodes",
)

CompatFn = Callable[[str, str, str, str], dict]


@dataclass(frozen=True)
class Policy:
    """What the fleet should look like; every field has the default of the ``compliance`` role."""

    isolation: str = "any"
    rules: str = "documented"
    today: datetime.date = field(default_factory=datetime.date.today)
    unpinned_tags: tuple[str, ...] = ("latest",)
    swarm_os_label: str = "OS"
    swarm_version_label: str = "OsVersion"
    swarm_version_format: str = "major.minor.build"
    k8s_version_labels: tuple[str, ...] = k8s.DEFAULT_VERSION_LABELS
    k8s_osbuild_format: str = "auto"
    base_image_max_behind: int = 1

    def as_dict(self) -> dict[str, Any]:
        """The policy as JSON-ready data, for the report."""
        return {
            "isolation": self.isolation,
            "rules": self.rules,
            "today": self.today.isoformat(),
            "unpinned_tags": list(self.unpinned_tags),
            "swarm_labels": {
                "os": self.swarm_os_label,
                "version": self.swarm_version_label,
                "version_format": self.swarm_version_format,
            },
            "k8s_version_labels": list(self.k8s_version_labels),
            "k8s_osbuild_format": self.k8s_osbuild_format,
            "base_image_max_behind": self.base_image_max_behind,
        }


def make_policy(options: Optional[Mapping[str, Any]] = None) -> Policy:
    """Build a :class:`Policy` from plain options, validating each one.

    Raises:
        OptionError: an option is out of range (names the option and its choices).
    """
    options = dict(options or {})
    kwargs: dict[str, Any] = {}
    if options.get("isolation") is not None:
        kwargs["isolation"] = check_choice("isolation", options["isolation"], ISOLATION_POLICIES)
    if options.get("rules") is not None:
        kwargs["rules"] = check_choice("rules", options["rules"], RULE_SETS)
    if options.get("today") is not None:
        kwargs["today"] = _date(options["today"])
    if options.get("unpinned_tags") is not None:
        kwargs["unpinned_tags"] = tuple(str(tag).lower() for tag in options["unpinned_tags"])
    for key in ("swarm_os_label", "swarm_version_label"):
        if options.get(key):
            kwargs[key] = str(options[key])
    if options.get("swarm_version_format") is not None:
        kwargs["swarm_version_format"] = check_choice(
            "swarm_version_format", options["swarm_version_format"], swarm.VERSION_FORMATS
        )
    if options.get("k8s_version_labels") is not None:
        kwargs["k8s_version_labels"] = tuple(str(key) for key in options["k8s_version_labels"])
    if options.get("k8s_osbuild_format") is not None:
        kwargs["k8s_osbuild_format"] = check_choice(
            "k8s_osbuild_format", options["k8s_osbuild_format"], k8s.OSBUILD_FORMATS
        )
    if options.get("base_image_max_behind") is not None:
        kwargs["base_image_max_behind"] = _monthly_images(options["base_image_max_behind"])
    return Policy(**kwargs)


def _monthly_images(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip().isdigit():
        shown = describe(value)
        raise OptionError(f"base_image_max_behind must be a whole number of monthly images, 0 or more; got {shown}")
    count = int(str(value).strip())
    if count >= 10_000:
        raise OptionError(f"base_image_max_behind must be below 10000 monthly images; got {count}")
    return count


def _date(value: object) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise OptionError(f"today must be a date such as 2026-11-28; got {describe(value)}") from None


def read_target(value: object, what: str) -> Optional[WindowsVersion]:
    """The version a host moves to, None when none is given.

    Raises:
        OptionError: ``value`` is given but is no Windows version (the message names ``what``).
    """
    if value in (None, ""):
        return None
    try:
        return parse_windows_version(value)
    except WinCompatError as exc:
        raise OptionError(f"{what}: {exc}") from None


class Verdicts:
    """``container_compat`` with a cache per distinct input; errors become ``status: unknown``."""

    def __init__(self, rules: str, compat: Optional[CompatFn] = None) -> None:
        self.rules = rules
        self._compat = compat or self._core
        self._cache: dict[tuple[str, str, str, str], dict[str, Any]] = {}

    def _core(self, image: str, host: str, isolation: str, host_kind: str) -> dict:
        return container_compat(image, host, isolation=isolation, host_kind=host_kind, rules=self.rules)

    def __call__(self, image: str, host: str, isolation: str, host_kind: str) -> dict[str, Any]:
        key = (image, host, isolation, host_kind)
        cached = self._cache.get(key)
        if cached is None:
            try:
                cached = self._compat(image, host, isolation, host_kind)
            except WinCompatError as exc:
                cached = {"status": "unknown", "reason": str(exc)}
            self._cache[key] = cached
        return cached
