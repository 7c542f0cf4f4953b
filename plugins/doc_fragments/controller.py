# Copyright: wincontainers.compat maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The attributes every module backed by a controller-side action plugin shares."""

    DOCUMENTATION = r"""
attributes:
  action:
    support: full
    description: Runs on the controller only; no module is sent to the hosts.
  async:
    support: none
    description: Not applicable; the work is done on the controller.
  bypass_host_loop:
    support: none
    description: Runs once per host of the play; use C(run_once) (or a play on C(localhost)) to run it once.
"""
