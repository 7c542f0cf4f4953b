"""Generate docs/release-catalog.md from the release catalog, or check that the committed file is current.

Usage: ``scripts/gen-catalog-docs`` (which sets up the environment and runs this file) rewrites the page;
``--check`` fails when it is stale.
The unit test ``test_catalog_docs.py`` runs the same check.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Mapping, Sequence

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "release-catalog.md"
sys.path.insert(0, str(ROOT / ".tmp" / "collections"))

from ansible_collections.wincontainers.compat.plugins.module_utils import catalog  # noqa: E402

HEADER = """\
# Windows release catalog

<!-- Generated from plugins/module_utils/release_catalog.py by scripts/gen-catalog-docs; do not edit by hand. -->

The data behind `wincontainers.compat.windows_release` and every compatibility decision lives in
`plugins/module_utils/release_catalog.py`: one entry per Windows build, each citing its sources
(Microsoft lifecycle and release-information pages, the container base image pages, Docker Hub readmes
of the MCR repositories, hcsshim's `osversion` constants). This page is generated from that data
(`scripts/gen-catalog-docs`), and a unit test fails when the committed page differs from it.

Tags are those of `mcr.microsoft.com/windows/<repo>`; every monthly image also has a `10.0.B.R` tag.
End of support is that of the primary (first) product; the data lists every product of the build
with its own dates (for example Windows 10 Enterprise LTSC 2019 on 17763 until 2029-01-09).
"""

RULES = """\
## Rule fields

The compatibility rules read these fields of the entries, so a new release is one entry (see the field list in
`release_catalog.py`): `stable-ABI LTSC` (`stable_abi_ltsc`: later server hosts run its images with process
isolation, Windows 11 hosts as "preview"), `compatLTSCReleases` (`hcsshim_compat_ltsc`: hcsshim's and
containerd's list, which sets the oldest image build a newer host accepts), `same revision` (`same_revision`:
process isolation needs the host's exact revision, so tags are pinned to `10.0.B.R`), `client process isolation`
(`client_process`: what Microsoft's client matrix lists on a client host of the build) and `Docker process
isolation on a client` (`docker_client_process`).
"""

AMBIGUITY = """\
## Names and ambiguity

`build_for_alias` accepts every tag, codename (`rs5`, `20h1`, `fe`, `ge` ...), release name
(`Windows Server 2022`, `Windows 11 24H2`, `Windows 10, version 1809`) and product name with an edition
(`Windows Server 2019 Datacenter`), case-insensitively. A bare version names the release that has an MCR
tag of that name (`1809`, `20H2`). A name that several builds carry (a version, the registry `ReleaseId`, the
family `Windows 10` or `Windows 11` of the client products) and that is no entry's own alias or tag is
ambiguous; the catalog derives these names from the data and refuses them with the list of candidates rather
than guessing:
"""

FOOTER = """\
`2009` is the registry `ReleaseId` of every release since Windows 10 20H2; it is not the release 20H2.
Windows 11 reports `ProductName` "Windows 10 ...": read the build, never the product name, for the release.

## Extending the catalog

A YAML file of extra or corrected entries in this schema, named by the `WINCONTAINERS_CATALOG` environment
variable (filters, the `compatible_with` test and the action plugins on the controller) or by the `catalog`
option of the modules and roles, extends the catalog without a new release of the collection. An entry of a
build the catalog knows replaces the fields it gives (`tags` and `kb_revisions` are merged by key); a new build
gives at least `build`, `name`, `kind`, `channel` and `products`. Every error names the file, the entry and the
field. `examples/catalog/windows-server-2028.yml` adds a Windows Server build newer than the collection.

## Support status

`support_status(build, kind, on, edition=None)` judges a build as a `server` or `client` host on a date.
A build ships as several products with different ends (17763: Windows 10 1809 Home and Pro ended
2020-11-10, Windows 10 Enterprise LTSC 2019 runs to 2029-01-09). Given the edition (`ProductName` or
`EditionID`, e.g. `Windows 10 Enterprise LTSC 2019`, `EnterpriseS`, `Windows 10 Pro`) the verdict is that of
the matching product; without it, a build is in support while any product of that kind is.
Builds without published dates (Windows 11 26H2 here) have an unknown status (`null`).
Builds 10240 and 10586 predate Windows containers (first shipped with 14393); they are listed so that
their version strings are recognised. Builds the catalog does not list give `known: false`.
"""


def _tags(entry: Mapping) -> str:
    parts = [f"{repo}: " + ", ".join(f"`{tag}`" for tag in tags) for repo, tags in entry["tags"].items() if tags]
    return "; ".join(parts) or "none"


def _release_row(entry: Mapping) -> str:
    primary = entry["products"][0]
    others = ", ".join(product["name"] for product in entry["products"][1:]) or "-"
    cells = [
        str(entry["build"]),
        entry["name"],
        entry.get("version") or "-",
        entry["kind"],
        entry["channel"],
        _tags(entry),
        primary.get("released") or "not published",
        primary.get("end_of_support") or "not published",
        others,
    ]
    return "| " + " | ".join(cells) + " |"


def _yes(value: object) -> str:
    return "yes" if value else "-"


def _rule_row(entry: Mapping) -> str:
    client = entry["kind"] in ("client", "both")
    cells = [
        entry["name"],
        str(entry["build"]),
        _yes(entry.get("stable_abi_ltsc")),
        _yes(entry.get("hcsshim_compat_ltsc")),
        _yes(entry.get("same_revision")),
        (entry.get("client_process") or "none") if client else "-",
        ("yes" if entry.get("docker_client_process", True) else "no") if client else "-",
    ]
    return "| " + " | ".join(cells) + " |"


def render(entries: Sequence[Mapping], ambiguous: Mapping[str, Sequence[int]]) -> str:
    """The whole page for ``entries`` (ascending builds) and the ambiguous names derived from them."""
    lines = [HEADER]
    lines.append(
        "| build | release | version | kind | channel | MCR tags | released | end of support | also shipped as |"
    )
    lines.append("|---|---|---|---|---|---|---|---|---|")
    lines += [_release_row(entry) for entry in entries]
    lines += ["", RULES]
    lines.append(
        "| release | build | stable-ABI LTSC | compatLTSCReleases | same revision | client process isolation "
        "| Docker process isolation on a client |"
    )
    lines.append("|---|---|---|---|---|---|---|")
    lines += [_rule_row(entry) for entry in entries if entry.get("containers")]
    lines += ["", AMBIGUITY, "| name | may mean |", "|---|---|"]
    lines += [f"| `{name}` | {', '.join(map(str, builds))} |" for name, builds in ambiguous.items()]
    lines += ["", FOOTER]
    return "\n".join(lines)


def render_active() -> str:
    """The page for the active catalog."""
    return render(catalog.all_releases(), catalog.ambiguous_aliases())


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when docs/release-catalog.md is stale")
    options = parser.parse_args(argv)
    text = render_active()
    if options.check:
        if DOC.read_text(encoding="utf-8") != text:
            print(f"{DOC} is stale: run scripts/gen-catalog-docs", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
