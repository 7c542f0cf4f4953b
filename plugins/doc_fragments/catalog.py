# Copyright: wincontainers.compat maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The ``catalog`` option of the modules and action plugins that consult the release catalog."""

    DOCUMENTATION = r"""
options:
  catalog:
    description:
      - A YAML file of extra or corrected release catalog entries, in the catalog's own schema (see
        C(docs/release-catalog.md)), such as a Windows build newer than the collection with its MCR tags, or a
        corrected field of a known build. An entry of a build the catalog knows replaces the fields it gives;
        a new build gives at least C(build), C(name), C(kind), C(channel) and C(products).
      - The file is validated; an error names the file, the entry and the field.
      - Can also be set with the E(WINCONTAINERS_CATALOG) environment variable, which the filters, the
        C(compatible_with) test and the action plugins read on the controller.
      - The path is read where the module's decisions are made, on the controller for the modules backed by an
        action plugin (M(wincontainers.compat.win_container_host_facts), M(wincontainers.compat.compliance_report),
        M(wincontainers.compat.patch_plan)), else where the module runs (the Swarm and Kubernetes modules usually
        run on the controller).
      - Without it (and without the variable) the collection's own catalog is used.
    type: path
"""

    # The ``catalog`` keyword of every filter and of the ``compatible_with`` test.
    FILTER = r"""
options:
  catalog:
    description:
      - A YAML file of extra or corrected release catalog entries (see C(docs/release-catalog.md)), on the
        controller. It wins over the E(WINCONTAINERS_CATALOG) environment variable, which every filter and test
        reads; without either, the collection's own catalog is used.
      - The file is validated; an error names the file, the entry and the field.
    type: path
"""
