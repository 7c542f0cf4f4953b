#!/usr/bin/python
# Copyright: wincontainers.compat maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This is a documentation stub: the work is done by the action plugin of the same name, on the controller.

from __future__ import annotations

DOCUMENTATION = r"""
---
module: compliance_report
short_description: Check a Windows container fleet and write JSON, JUnit XML and HTML reports
version_added: 0.1.0
description:
  - Runs every compliance check over a fleet in one pass on the controller, and writes the reports once.
  - Host checks, per host - facts present; release in support; each running container's image against the
    host's build and the container's isolation; process-isolated images newer than the host's update revision
    (error 0xc0370106); containers that stop running after the host's pending update (O(targets));
    the Docker engine's default isolation against O(isolation); image tags pinned (no V(latest)); the image's
    release in support.
  - Orchestrator checks - Swarm node labels (O(swarm_version_label)) and Kubernetes node labels
    (O(k8s_version_labels)) against the values the label modules and kubelet set for what the matching hosts
    really run (the same rule as M(wincontainers.compat.swarm_compat_info) and
    M(wincontainers.compat.k8s_compat_info)); services whose placement constraints,
    and workloads whose nodeSelector or RuntimeClass, allow nodes whose real build cannot run their image;
    image tags pinned. When no Windows node runs the image's build, the fix names the image rebuilt for the
    builds the cluster runs (and Hyper-V isolation where the rules allow it) rather than a build no node has.
  - Findings that M(wincontainers.compat.swarm_compat_info) and M(wincontainers.compat.k8s_compat_info) reported
    are carried into the report with their source, for example C(task_failed) (a Swarm task that did not
    start, with the engine's error) and C(service_not_converged). One that is the consequence of a placement
    finding of the same service or workload, on the same nodes (C(task_failed), C(service_not_converged),
    C(image_build_mismatch), C(selector_allows_incompatible_nodes)), is not reported twice - it is quoted in
    that finding's message and kept in its C(evidence).
  - Every verdict comes from the core of this collection (C(container_compat) with the rule set O(rules)).
  - Host facts are, for each host of O(hosts), O(facts) if given, else the host's
    C(ansible_facts.wincontainers_host) (from M(wincontainers.compat.win_container_host_facts)), else the
    host variable C(wincontainers_host), else the recorded file in O(offline_dir).
  - The reports are written on the controller, each through a temporary file that replaces it atomically,
    and only when its content changed. The content depends only on the inputs and O(today), so a rerun
    on the same day with the same fleet reports C(changed=false).
author:
  - wincontainers.compat maintainers (@wincontainers)
extends_documentation_fragment:
  - wincontainers.compat.controller
  - wincontainers.compat.catalog
options:
  hosts:
    description:
      - Names of the hosts to check. Hosts without facts get a C(facts_present) finding.
      - When empty, every host of O(facts) and of the offline input is checked.
    type: list
    elements: str
    default: []
  facts:
    description:
      - C(wincontainers_host) facts by host name, taking precedence over host variables and the offline input.
    type: dict
    default: {}
  offline_dir:
    description:
      - A directory of recorded input, for reports without a reachable host or cluster.
      - C(hosts/<name>) or C(hosts/<name>.json) - a result of M(wincontainers.compat.win_container_host_facts)
        as C(ansible windows -m wincontainers.compat.win_container_host_facts --tree hosts/) writes it, or the
        bare facts; an optional top-level C(target_version) gives the host's pending update.
      - C(swarm/<cluster>.json) - a result of M(wincontainers.compat.swarm_compat_info).
      - C(k8s/<cluster>.json) - a result of M(wincontainers.compat.k8s_compat_info), optionally with
        C(runtime_classes) (a list of C(name), C(handler), C(node_selector)).
      - C(registry/<name>.json) - recorded results of M(wincontainers.compat.registry_image_info), merged (their
        C(images) and C(tag_lists)).
    type: path
  swarm:
    description:
      - Results of M(wincontainers.compat.swarm_compat_info) by cluster name, or a registered loop result
        (named by each item's C(name)). Added to those of O(offline_dir).
    type: raw
    default: {}
  k8s:
    description:
      - Results of M(wincontainers.compat.k8s_compat_info) by cluster name, or a registered loop result.
    type: raw
    default: {}
  registry:
    description:
      - The result of M(wincontainers.compat.registry_image_info) for the running and deployed images.
      - Images the registry answered for take their build from it; for a manifest list each host's matrix cell
        judges the entry its engine pulls (Docker's rules, containerd's on a containerd host), and a host no entry
        fits gets an C(unsupported) cell saying "no matching manifest".
      - Merged over the recorded answers of O(offline_dir) (C(registry/*.json)).
      - Every image column, matrix cell and image finding says where its build came from (C(source) and
        C(image_source)) V(registry) with the digest, V(host) (an image store), V(given), or V(tag) (the tag text,
        marked as a guess).
      - Its C(tag_lists) (the tags of base image repositories such as C(mcr.microsoft.com/windows/servercore)) give
        the C(base_image_stale) check the newest monthly image of each build; see O(base_image_max_behind).
    type: dict
  targets:
    description:
      - The Windows version each host moves to with its pending update or upgrade, by host name, for
        example C(win2016-01) to V(10.0.14393.7699). The host variable C(wincontainers_target_version) works too.
      - A value that names no Windows version (a KB number such as V(KB5049993)) fails the task, naming the host.
    type: dict
    default: {}
  isolation:
    description:
      - The default isolation the Docker engines must have. V(any) checks nothing; V(auto) wants V(process) where
        every running image is V(supported) with process isolation by O(rules), and V(hyperv) elsewhere (the
        rule of P(wincontainers.compat.auto_isolation#filter), which the role
        P(wincontainers.compat.daemon_isolation#role) applies too).
    type: str
    default: any
    choices: [any, process, hyperv, auto]
  rules:
    description:
      - The rule set of the verdicts, see the C(container_compat) filter.
    type: str
    default: documented
    choices: [documented, containerd, docker]
  today:
    description:
      - The date of the support checks, C(YYYY-MM-DD). Defaults to the controller's date.
    type: str
  unpinned_tags:
    description:
      - Tags that float (compared without case). A reference with no tag and no digest is unpinned too.
    type: list
    elements: str
    default: [latest]
  swarm_os_label:
    description:
      - The Swarm node label that names the OS.
    type: str
    default: OS
  swarm_version_label:
    description:
      - The Swarm node label that carries the Windows version. It must be present and hold exactly the value
        M(wincontainers.compat.swarm_node_labels) writes for the host's version in O(swarm_version_format), as
        M(wincontainers.compat.swarm_compat_info) checks it - Swarm constraints compare strings, so a label
        V(10.0.17763.6659) does not match C(node.labels.OsVersion==10.0.17763).
    type: str
    default: OsVersion
  swarm_version_format:
    description:
      - The form of the Swarm version label, as the O(wincontainers.compat.swarm_node_labels#module:version_format)
        that labels the nodes - V(major.minor.build) (V(10.0.17763)), V(build) (V(17763)) or V(version)
        (V(10.0.17763.6659)). The placement fixes name constraints in this form too.
    type: str
    default: major.minor.build
    choices: [major.minor.build, build, version]
  k8s_version_labels:
    description:
      - Kubernetes node labels that name a Windows build, a version or a release; each one present must hold
        the value set for the host's version (selectors and RuntimeClasses compare strings). A missing label is
        no finding.
      - C(node.kubernetes.io/windows-build) must be what kubelet sets (V(10.0.17763)); the labels
        M(wincontainers.compat.k8s_node_labels) manages by default, C(beta.kubernetes.io/osbuild) and
        C(wincontainers.compat/release), what it writes in O(k8s_osbuild_format) (by default C(auto), for example
        V(17763), V(14393.7606), V(ltsc2019)), as M(wincontainers.compat.k8s_compat_info) checks them.
      - Any other label must hold one of the values M(wincontainers.compat.k8s_node_labels) can write for the
        host's build (V(17763), V(17763.6659), V(10.0.17763), V(10.0.17763.6659) or V(ltsc2019)).
    type: list
    elements: str
    default: [node.kubernetes.io/windows-build, beta.kubernetes.io/osbuild, wincontainers.compat/release]
  k8s_osbuild_format:
    description:
      - The form of C(beta.kubernetes.io/osbuild), as the
        O(wincontainers.compat.k8s_node_labels#module:osbuild_format) that labels the nodes - V(auto) (V(17763),
        V(14393.7606) on Windows Server 2016, whose containers need the host's revision), V(build), V(build.revision),
        V(major.minor.build) or V(version).
      - A format that needs the revision is not judged on a host whose revision is unknown.
    type: str
    default: auto
    choices: [auto, build, build.revision, major.minor.build, version]
  base_image_max_behind:
    description:
      - How many monthly base images a running or deployed image may be behind the newest one its registry
        publishes for its build before the report has a C(base_image_stale) finding (V(0) wants the newest).
      - The default V(1) leaves a month to rebuild after each Patch Tuesday release.
      - The newest revision is read only from the C(tag_lists) of O(registry) (the version-pinned tags
        C(10.0.<build>.<revision>) of the image's own repository when listed, else of the repository its name sits
        under (C(servercore/iis) under C(servercore)); else the base repository is not known and the first listed
        repository, by name, that publishes its build is assumed, which the finding says (C(base_repository_assumed));
        every Windows base repository publishes the same monthly revisions, so the count holds, and the tag to rebuild
        on names the assumed repository), and the count is C(base_image_currency)'s. Without tag lists, for an image
        whose version has no revision, or a build no list publishes, there is no finding (nothing is guessed).
      - The finding says how many monthly images the image is behind and the tag to rebuild on (C(rebuild_on));
        its severity is V(low), V(medium) from 3 monthly images behind. Each build of a manifest list is judged.
    type: int
    default: 1
  dest:
    description:
      - The directory on the controller to write the reports to. No file is written when omitted.
      - A relative path is taken from the directory ansible-playbook runs in; RV(reports) gives absolute paths.
    type: path
  basename:
    description:
      - The file name of the reports without extension (C(.json), C(.xml), C(.html)).
      - A plain file name; a path such as C(../x) or C(/etc/cron.d/x), C(..), or a name with C(/) or a backslash is
        refused, so the reports never leave O(dest).
    type: str
    default: compliance
  formats:
    description:
      - The reports to write.
    type: list
    elements: str
    default: [json, junit, html]
    choices: [json, junit, html]
  title:
    description:
      - The title of the HTML page.
    type: str
    default: Windows container compliance
  junit_fail_from:
    description:
      - The mildest severity that makes a JUnit test case fail; milder findings go to its C(system-out).
    type: str
    default: low
    choices: [critical, high, medium, low, info]
  fail_on:
    description:
      - Fail the task, after writing the reports, when a finding of this severity or worse exists.
    type: str
    default: none
    choices: [none, critical, high, medium, low, info]
  fail_see:
    description:
      - What the failure message of O(fail_on) points the reader at when no report file is written (in check mode
        or without O(dest)), for example C(the summary above) when the play prints RV(table).
      - The message points at the HTML report (else the first report) whenever one is written.
    type: str
  return_report:
    description:
      - Return the whole report (hosts, images, matrix, checks) in RV(report).
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Evaluates and returns everything; writes no report and predicts RV(ignore:changed).
  diff_mode:
    support: none
    description: No diff is returned.
  idempotent:
    support: full
    description: The reports depend only on the inputs and O(today); unchanged files are not rewritten.
  platform:
    support: full
    platforms: posix
    description: Runs on the controller; hosts are read from their facts or the offline input.
notes:
  - Run it once for the fleet (C(run_once) or a play on C(localhost)); the role
    P(wincontainers.compat.compliance#role) does.
seealso:
  - module: wincontainers.compat.win_container_host_facts
  - module: wincontainers.compat.swarm_compat_info
  - module: wincontainers.compat.k8s_compat_info
"""

EXAMPLES = r"""
- name: Report on the example fleet recorded in examples/fleet/state
  wincontainers.compat.compliance_report:
    offline_dir: examples/fleet/state
    dest: reports
    today: "2026-11-28"
  register: compliance

- name: Show the summary table
  ansible.builtin.debug:
    msg: "{{ compliance.table }}"

- name: Check the gathered hosts against the live swarm, fail on critical findings
  wincontainers.compat.compliance_report:
    hosts: "{{ groups['windows'] }}"
    swarm:
      prod: "{{ swarm_state }}"
    isolation: process
    dest: /var/lib/compliance
    fail_on: critical
  run_once: true
"""

RETURN = r"""
summary:
  description: Counts of hosts, images and findings, by severity and by check.
  returned: always
  type: dict
  sample:
    hosts: 7
    hosts_with_findings: 5
    images: 12
    findings: 15
    by_severity: {critical: 4, high: 5, medium: 6, low: 0, info: 0}
    by_check: {container_compat: 1, host_support: 1}
    worst: critical
findings:
  description:
    - Every finding, worst first, in the shared shape (C(check), C(severity), C(subject), C(host),
      C(message), C(fix)) plus C(suite) and, for orchestrator findings, C(source), C(image), C(hosts).
    - C(host) is the inventory name of the host concerned (a node's host name is matched to it), or null for
      an object of a cluster that is not tied to one host; the reports then name its C(suite) (C(k8s prod)).
    - A finding counts for the host in C(host) only (C(summary.hosts_with_findings), the host rows); a
      placement finding on several nodes lists them in C(hosts) and counts for its cluster. The JUnit test case
      of a cluster object leads the message of a finding with a host by the host's name.
    - In the report's C(matrix), a cell's C(caveats) lists, per isolation that runs the image, the known risks
      of the combination (such as an image revision newer than the host's); the text marks them with C(!).
  returned: always
  type: list
  elements: dict
  sample:
    - check: swarm_placement
      severity: critical
      subject: service billing
      host: win2019-02
      message: >-
        image contoso/billing:1.8-ltsc2022 (10.0.20348.2966) can be placed on 1 node(s) where it cannot run:
        win2019-02 (10.0.17763.6775); swarm prod reports it: task billing.2 rejected: ... (0xc0370101)
      fix: >-
        constrain the service to node.labels.OsVersion==10.0.20348 with wincontainers.compat.swarm_service_placement,
        after fixing the node labels
      suite: swarm prod
      hosts: [win2019-02]
      evidence: [{check: task_failed, host: win2019-02, message: "task billing.2 rejected: ... (0xc0370101)"}]
table:
  description: The summary, the host x image matrix (process/hyperv verdicts) and the worst findings as text.
  returned: always
  type: str
reports:
  description: The path of each report written (or that would be written in check mode), by format.
  returned: always
  type: dict
  sample: {json: /srv/fleet/reports/compliance.json, junit: /srv/fleet/reports/compliance.xml,
           html: /srv/fleet/reports/compliance.html}
report:
  description: The whole report, as in the JSON file.
  returned: when O(return_report=true)
  type: dict
fail_on_reached:
  description: How many findings are of severity O(fail_on) or worse (V(0) when O(fail_on=none)).
  returned: always
  type: int
  sample: 4
"""
