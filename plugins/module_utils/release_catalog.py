"""The Windows release catalog: one entry per Windows build that Windows containers care about.

Data only, no logic. ``catalog.py`` builds the look-up indexes over it. Conventions:

* ``build`` ascending and unique; one entry per build, listing every product shipped on that build.
* ``name``/``kind``/``channel``/``version`` describe the primary product (the server release when a build
  shipped as both server and client, because that is the release container images are named after).
* ``client_name`` (builds shipped as both) names the client release of the build, as a client host knows it.
* ``base_build`` (releases shipped as an enablement package over an earlier build) is the build the release
  shares its binaries with; BuildLab and BuildLabEx keep naming it (``19041.1.amd64fre...`` on 19042 to 19045).
* ``channel``: ``LTSC`` (Long-Term Servicing Channel), ``SAC`` (Windows Server Semi-Annual Channel),
  ``AC`` (Windows Server Annual Channel, from version 23H2 on) or ``client``.
* ``aliases`` are lowercase, normalised (no commas, no word "version", single spaces) and unique across
  entries. A name that fits several builds is not an alias: ``catalog.py`` derives the ambiguous names from
  the data (the ``version`` of an entry and of its products, its ``release_id``, and the family ``Windows 10``
  or ``Windows 11`` of its client products) and refuses them with the list of candidates. Rule: a bare
  version such as ``1809`` or ``20h2`` names the release that has an MCR tag of that name; a bare version with
  no MCR tag that more than one build carries (``21h2``, ``22h2``, ``23h2``) is ambiguous.
* ``release_id`` (only where it differs from ``version``): the registry ``ReleaseId`` of the build (``2009`` on
  every release from 20H2 on).
* ``products[*]`` dates are ISO dates from Microsoft's lifecycle pages: ``released`` (lifecycle start),
  ``mainstream_end`` (fixed lifecycle only) and ``end_of_support`` (end of servicing / extended support).
* ``tags`` lists, for each repository under ``mcr.microsoft.com/windows/``, the release tags Microsoft
  publishes for the build (version-pinned tags ``10.0.B.R`` exist for every monthly image and are not listed).
* ``kb_revisions`` maps the KB number of a monthly update to the revision (UBR) it brings, as stated in the
  build's update-history page, for KB-suffixed tags such as ``1809-KB4493509``.
* ``containers`` is False for the builds that predate Windows containers (introduced with build 14393).

The compatibility rules (``compat.py``) read these fields, so a new release is one entry here:

* ``stable_abi_ltsc``: a Long-Term Servicing Channel server release in Microsoft's stable-ABI promise
  (Windows Server 2022 on): with process isolation, the next releases' server hosts run its images, and
  Windows 11 hosts run them as "preview".
* ``hcsshim_compat_ltsc``: listed in ``compatLTSCReleases`` of hcsshim (osversion/platform_compat_windows.go)
  and containerd/platforms, which set the oldest image build a newer host accepts.
* ``same_revision``: process isolation needs the image's revision (UBR) to equal the host's (Windows Server
  2016); such hosts get version-pinned tags (``10.0.B.R``) and a ``build.revision`` Kubernetes label.
* ``client_process`` (builds shipped as a client): what Microsoft's client matrix lists for process isolation
  on such a host: ``none``, ``same_build`` (the same-version images only) or ``older_ltsc_preview`` (the
  same build, and the older stable-ABI LTSC images as "preview"). Unknown builds take the value of the newest
  catalogued client build below them.
* ``docker_client_process`` (False on Windows 10 before 1809): whether Docker starts process-isolated
  containers on a client of this build at all.
* ``fails_on_newer_clients``: an issue reporting that this build's images fail on newer client builds.
"""

from __future__ import annotations

_LIFECYCLE = "https://learn.microsoft.com/en-us/lifecycle/products/"
_W10_RELEASES = "https://learn.microsoft.com/en-us/windows/release-health/release-information"
_W11_RELEASES = "https://learn.microsoft.com/en-us/windows/release-health/windows11-release-information"
_SERVER_RELEASES = "https://learn.microsoft.com/en-us/windows-server/get-started/windows-server-release-info"
_BASE_IMAGE_LIFECYCLE = (
    "https://learn.microsoft.com/en-us/virtualization/windowscontainers/deploy-containers/base-image-lifecycle"
)
_VERSION_COMPAT = (
    "https://learn.microsoft.com/en-us/virtualization/windowscontainers/deploy-containers/version-compatibility"
)
_HCSSHIM_BUILDS = "https://github.com/microsoft/hcsshim/blob/main/osversion/windowsbuilds.go"
_HUB_SERVERCORE = "https://hub.docker.com/r/microsoft/windows-servercore"
_HUB_NANOSERVER = "https://hub.docker.com/r/microsoft/windows-nanoserver"
_HUB_SERVER = "https://hub.docker.com/r/microsoft/windows-server"
_HUB_WINDOWS = "https://hub.docker.com/r/microsoft/windows"
_UPDATE_CONTAINERS = (
    "https://learn.microsoft.com/en-us/virtualization/windowscontainers/deploy-containers/update-containers"
)
_PORTABILITY = "https://learn.microsoft.com/en-us/virtualization/windowscontainers/deploy-containers/portability"
_WS2019_GA_BLOG = "https://techcommunity.microsoft.com/t5/containers/windows-server-2019-now-available/ba-p/382430"

# fmt: off
RELEASES: tuple[dict, ...] = (
    {
        "build": 10240,
        "name": "Windows 10, version 1507",
        "kind": "client",
        "channel": "client",
        "version": "1507",
        "codename": "TH1",
        "containers": False,
        "client_process": "none",
        "docker_client_process": False,
        "aliases": ["1507", "th1", "threshold 1", "windows 10 1507", "ltsb2015", "windows 10 enterprise 2015 ltsb"],
        "products": [
            {"name": "Windows 10, version 1507", "kind": "client", "channel": "client", "version": "1507",
             "released": "2015-07-29", "end_of_support": "2017-05-09"},
            {"name": "Windows 10 Enterprise 2015 LTSB", "kind": "client", "channel": "LTSC", "version": "1507",
             "released": "2015-07-29", "mainstream_end": "2020-10-13", "end_of_support": "2025-10-14"},
        ],
        "tags": {"servercore": [], "nanoserver": [], "server": [], "windows": []},
        "kb_revisions": {},
        "sources": [_W10_RELEASES, _LIFECYCLE + "windows-10-2015-ltsb"],
        "notes": "Predates Windows containers (first shipped with build 14393).",
    },
    {
        "build": 10586,
        "name": "Windows 10, version 1511",
        "kind": "client",
        "channel": "client",
        "version": "1511",
        "codename": "TH2",
        "containers": False,
        "client_process": "none",
        "docker_client_process": False,
        "aliases": ["1511", "th2", "threshold 2", "windows 10 1511"],
        "products": [
            {"name": "Windows 10 Home and Pro, version 1511", "kind": "client", "channel": "client",
             "version": "1511", "released": "2015-11-10", "end_of_support": "2017-10-10"},
            {"name": "Windows 10 Enterprise and Education, version 1511", "kind": "client", "channel": "client",
             "version": "1511", "released": "2015-11-10", "end_of_support": "2018-04-10"},
        ],
        "tags": {"servercore": [], "nanoserver": [], "server": [], "windows": []},
        "kb_revisions": {},
        "sources": [_W10_RELEASES, _LIFECYCLE + "windows-10-home-and-pro"],
        "notes": "Predates Windows containers (first shipped with build 14393).",
    },
    {
        "build": 14393,
        "name": "Windows Server 2016",
        "kind": "both",
        "client_name": "Windows 10, version 1607",
        "channel": "LTSC",
        "version": "1607",
        "codename": "RS1",
        "containers": True,
        "same_revision": True,
        "client_process": "none",
        "docker_client_process": False,
        "aliases": [
            "ltsc2016", "sac2016", "1607", "rs1", "redstone 1", "windows server 2016", "server 2016", "ws2016",
            "windows-2016", "windows 10 1607", "ltsb2016", "windows 10 enterprise 2016 ltsb",
        ],
        "products": [
            {"name": "Windows Server 2016", "kind": "server", "channel": "LTSC", "version": "1607",
             "released": "2016-10-15", "mainstream_end": "2022-01-11", "end_of_support": "2027-01-12"},
            {"name": "Nano Server (sac2016)", "kind": "server", "channel": "SAC", "version": "1607",
             "released": "2016-10-15", "end_of_support": "2018-10-09"},
            {"name": "Windows 10 Home and Pro, version 1607", "kind": "client", "channel": "client",
             "version": "1607", "released": "2016-08-02", "end_of_support": "2018-04-10"},
            {"name": "Windows 10 Enterprise and Education, version 1607", "kind": "client", "channel": "client",
             "version": "1607", "released": "2016-08-02", "end_of_support": "2019-04-09"},
            {"name": "Windows 10 Enterprise 2016 LTSB", "kind": "client", "channel": "LTSC", "version": "1607",
             "released": "2016-08-02", "mainstream_end": "2021-10-12", "end_of_support": "2026-10-13"},
        ],
        "tags": {"servercore": ["ltsc2016"], "nanoserver": ["sac2016"], "server": [], "windows": []},
        # version-compatibility: 14393.1770 = KB4041691, .1914 = KB4051033, .1944 = KB4053579;
        # update-containers: 14393.3443 = KB4534271 (January 2020); update history (windows-server-release-info):
        # .7428 = KB5044293 (October 2024), .7515 = KB5046612, .7606 = KB5048671, .7699 = KB5049993 (January 2025).
        "kb_revisions": {
            "KB4041691": 1770, "KB4051033": 1914, "KB4053579": 1944, "KB4534271": 3443,
            "KB5044293": 7428, "KB5046612": 7515, "KB5048671": 7606, "KB5049993": 7699,
        },
        "sources": [
            _LIFECYCLE + "windows-server-2016", _LIFECYCLE + "windows-10-2016-ltsb", _W10_RELEASES,
            _BASE_IMAGE_LIFECYCLE, _VERSION_COMPAT, _UPDATE_CONTAINERS, _HCSSHIM_BUILDS, _HUB_SERVERCORE,
            _HUB_NANOSERVER,
        ],
    },
    {
        "build": 15063,
        "name": "Windows 10, version 1703",
        "kind": "client",
        "channel": "client",
        "version": "1703",
        "codename": "RS2",
        "containers": True,
        "client_process": "none",
        "docker_client_process": False,
        "aliases": ["1703", "rs2", "redstone 2", "windows 10 1703"],
        "products": [
            {"name": "Windows 10 Home and Pro, version 1703", "kind": "client", "channel": "client",
             "version": "1703", "released": "2017-04-11", "end_of_support": "2018-10-09"},
            {"name": "Windows 10 Enterprise and Education, version 1703", "kind": "client", "channel": "client",
             "version": "1703", "released": "2017-04-11", "end_of_support": "2019-10-08"},
        ],
        "tags": {"servercore": [], "nanoserver": [], "server": [], "windows": []},
        "kb_revisions": {},
        "sources": [_W10_RELEASES, _LIFECYCLE + "windows-10-home-and-pro", _HCSSHIM_BUILDS],
        "notes": "Client-only release: no Windows Server release and no container base image.",
    },
    {
        "build": 16299,
        "name": "Windows Server, version 1709",
        "kind": "both",
        "client_name": "Windows 10, version 1709",
        "channel": "SAC",
        "version": "1709",
        "codename": "RS3",
        "containers": True,
        "client_process": "none",
        "docker_client_process": False,
        "aliases": ["1709", "rs3", "redstone 3", "windows server 1709", "windows 10 1709"],
        "products": [
            {"name": "Windows Server, version 1709", "kind": "server", "channel": "SAC", "version": "1709",
             "released": "2017-10-17", "end_of_support": "2019-04-09"},
            {"name": "Windows 10 Home and Pro, version 1709", "kind": "client", "channel": "client",
             "version": "1709", "released": "2017-10-17", "end_of_support": "2019-04-09"},
            {"name": "Windows 10 Enterprise and Education, version 1709", "kind": "client", "channel": "client",
             "version": "1709", "released": "2017-10-17", "end_of_support": "2020-10-13"},
        ],
        "tags": {"servercore": ["1709"], "nanoserver": ["1709"], "server": [], "windows": []},
        "kb_revisions": {},
        "sources": [
            _SERVER_RELEASES, _BASE_IMAGE_LIFECYCLE, _W10_RELEASES, _HCSSHIM_BUILDS, _HUB_SERVERCORE, _WS2019_GA_BLOG,
        ],
    },
    {
        "build": 17134,
        "name": "Windows Server, version 1803",
        "kind": "both",
        "client_name": "Windows 10, version 1803",
        "channel": "SAC",
        "version": "1803",
        "codename": "RS4",
        "containers": True,
        "client_process": "none",
        "docker_client_process": False,
        "aliases": ["1803", "rs4", "redstone 4", "windows server 1803", "windows 10 1803"],
        "products": [
            {"name": "Windows Server, version 1803", "kind": "server", "channel": "SAC", "version": "1803",
             "released": "2018-04-30", "end_of_support": "2019-11-12"},
            {"name": "Windows 10 Home and Pro, version 1803", "kind": "client", "channel": "client",
             "version": "1803", "released": "2018-04-30", "end_of_support": "2019-11-12"},
            {"name": "Windows 10 Enterprise and Education, version 1803", "kind": "client", "channel": "client",
             "version": "1803", "released": "2018-04-30", "end_of_support": "2021-05-11"},
        ],
        "tags": {"servercore": ["1803"], "nanoserver": ["1803"], "server": [], "windows": []},
        "kb_revisions": {"KB4534293": 1246},
        "sources": [
            _SERVER_RELEASES, _BASE_IMAGE_LIFECYCLE, _UPDATE_CONTAINERS, _W10_RELEASES, _HCSSHIM_BUILDS,
            _HUB_SERVERCORE, _WS2019_GA_BLOG,
        ],
    },
    {
        "build": 17763,
        "name": "Windows Server 2019",
        "kind": "both",
        "client_name": "Windows 10, version 1809",
        "channel": "LTSC",
        "version": "1809",
        "codename": "RS5",
        "containers": True,
        "client_process": "none",
        "aliases": [
            "ltsc2019", "1809", "rs5", "redstone 5", "windows server 2019", "server 2019", "ws2019", "windows-2019",
            "windows2019", "windows server 1809", "windows 10 1809", "windows 10 enterprise ltsc 2019",
        ],
        "products": [
            {"name": "Windows Server 2019", "kind": "server", "channel": "LTSC", "version": "1809",
             "released": "2018-11-13", "mainstream_end": "2024-01-09", "end_of_support": "2029-01-09"},
            {"name": "Windows Server, version 1809", "kind": "server", "channel": "SAC", "version": "1809",
             "released": "2018-11-13", "end_of_support": "2020-11-10"},
            {"name": "Windows 10 Home and Pro, version 1809", "kind": "client", "channel": "client",
             "version": "1809", "released": "2018-11-13", "end_of_support": "2020-11-10"},
            {"name": "Windows 10 Enterprise and Education, version 1809", "kind": "client", "channel": "client",
             "version": "1809", "released": "2018-11-13", "end_of_support": "2021-05-11"},
            {"name": "Windows 10 Enterprise LTSC 2019", "kind": "client", "channel": "LTSC", "version": "1809",
             "released": "2018-11-13", "mainstream_end": "2024-01-09", "end_of_support": "2029-01-09"},
        ],
        "tags": {
            "servercore": ["ltsc2019", "1809"], "nanoserver": ["1809"], "server": [], "windows": ["ltsc2019", "1809"],
        },
        # version-compatibility: nanoserver:1809-KB4493509 = 10.0.17763.437; update-containers: .973 = KB4534273,
        # servercore:1809-KB4546852 = .1040, .1098 = KB4538461; windows:1809-KB5034768 = .5458 (recorded tag list);
        # update history: .6414 = KB5044277 (October 2024), .6532 = KB5046615, .6659 = KB5048661, .6775 = KB5050008.
        "kb_revisions": {
            "KB4493509": 437, "KB4534273": 973, "KB4546852": 1040, "KB4538461": 1098, "KB5034768": 5458,
            "KB5044277": 6414, "KB5046615": 6532, "KB5048661": 6659, "KB5050008": 6775,
        },
        "sources": [
            _LIFECYCLE + "windows-server-2019", _LIFECYCLE + "windows-10-enterprise-ltsc-2019", _SERVER_RELEASES,
            _W10_RELEASES, _BASE_IMAGE_LIFECYCLE, _VERSION_COMPAT, _UPDATE_CONTAINERS, _WS2019_GA_BLOG,
            _HCSSHIM_BUILDS, _HUB_SERVERCORE, _HUB_NANOSERVER, _HUB_WINDOWS,
            "https://github.com/ocurrent/ocaml-dockerfile/issues/201",
        ],
        "notes": "Nano Server has no ltsc2019 tag: its 17763 image is tagged 1809 (serviced until 2024-01-09).",
    },
    {
        "build": 18362,
        "name": "Windows Server, version 1903",
        "kind": "both",
        "client_name": "Windows 10, version 1903",
        "channel": "SAC",
        "version": "1903",
        "codename": "19H1",
        "containers": True,
        "client_process": "none",
        "aliases": ["1903", "19h1", "windows server 1903", "windows 10 1903"],
        "products": [
            {"name": "Windows Server, version 1903", "kind": "server", "channel": "SAC", "version": "1903",
             "released": "2019-05-21", "end_of_support": "2020-12-08"},
            {"name": "Windows 10, version 1903", "kind": "client", "channel": "client", "version": "1903",
             "released": "2019-05-21", "end_of_support": "2020-12-08"},
        ],
        "tags": {"servercore": ["1903"], "nanoserver": ["1903"], "server": [], "windows": ["1903"]},
        "kb_revisions": {"KB4528760": 592, "KB4540673": 719},
        "sources": [
            _SERVER_RELEASES, _W10_RELEASES, _BASE_IMAGE_LIFECYCLE, _UPDATE_CONTAINERS, _HCSSHIM_BUILDS,
            _HUB_SERVERCORE, _HUB_WINDOWS,
        ],
    },
    {
        "build": 18363,
        "base_build": 18362,
        "name": "Windows Server, version 1909",
        "kind": "both",
        "client_name": "Windows 10, version 1909",
        "channel": "SAC",
        "version": "1909",
        "codename": "19H2",
        "containers": True,
        "client_process": "none",
        "aliases": ["1909", "19h2", "windows server 1909", "windows 10 1909"],
        "products": [
            {"name": "Windows Server, version 1909", "kind": "server", "channel": "SAC", "version": "1909",
             "released": "2019-11-12", "end_of_support": "2021-05-11"},
            {"name": "Windows 10 Home and Pro, version 1909", "kind": "client", "channel": "client",
             "version": "1909", "released": "2019-11-12", "end_of_support": "2021-05-11"},
            {"name": "Windows 10 Enterprise and Education, version 1909", "kind": "client", "channel": "client",
             "version": "1909", "released": "2019-11-12", "end_of_support": "2022-05-10"},
        ],
        "tags": {"servercore": ["1909"], "nanoserver": ["1909"], "server": [], "windows": ["1909"]},
        "kb_revisions": {"KB4528760": 592, "KB4540673": 719},
        "sources": [
            _SERVER_RELEASES, _W10_RELEASES, _BASE_IMAGE_LIFECYCLE, _UPDATE_CONTAINERS, _HCSSHIM_BUILDS,
            _HUB_SERVERCORE, _HUB_WINDOWS,
        ],
    },
    {
        "build": 19041,
        "name": "Windows Server, version 2004",
        "kind": "both",
        "client_name": "Windows 10, version 2004",
        "channel": "SAC",
        "version": "2004",
        "codename": "20H1",
        "containers": True,
        "client_process": "same_build",
        "aliases": ["2004", "20h1", "vb", "vibranium", "windows server 2004", "windows 10 2004"],
        "products": [
            {"name": "Windows Server, version 2004", "kind": "server", "channel": "SAC", "version": "2004",
             "released": "2020-05-27", "end_of_support": "2021-12-14"},
            {"name": "Windows 10, version 2004", "kind": "client", "channel": "client", "version": "2004",
             "released": "2020-05-27", "end_of_support": "2021-12-14"},
        ],
        "tags": {"servercore": ["2004"], "nanoserver": ["2004"], "server": [], "windows": ["2004"]},
        "kb_revisions": {},
        "sources": [
            _SERVER_RELEASES, _W10_RELEASES, _BASE_IMAGE_LIFECYCLE, _HCSSHIM_BUILDS, _HUB_SERVERCORE, _HUB_WINDOWS,
        ],
    },
    {
        "build": 19042,
        "base_build": 19041,
        "name": "Windows Server, version 20H2",
        "kind": "both",
        "client_name": "Windows 10, version 20H2",
        "channel": "SAC",
        "version": "20H2",
        "codename": "20H2",
        "containers": True,
        "release_id": "2009",
        "client_process": "same_build",
        "aliases": ["20h2", "windows server 20h2", "windows 10 20h2"],
        "products": [
            {"name": "Windows Server, version 20H2", "kind": "server", "channel": "SAC", "version": "20H2",
             "released": "2020-10-20", "end_of_support": "2022-08-09"},
            {"name": "Windows 10 Home and Pro, version 20H2", "kind": "client", "channel": "client",
             "version": "20H2", "released": "2020-10-20", "end_of_support": "2022-05-10"},
            {"name": "Windows 10 Enterprise and Education, version 20H2", "kind": "client", "channel": "client",
             "version": "20H2", "released": "2020-10-20", "end_of_support": "2023-05-09"},
        ],
        "tags": {"servercore": ["20H2"], "nanoserver": ["20H2"], "server": [], "windows": ["20H2"]},
        # Docker Hub tag table of mcr.microsoft.com/windows (July 2022): 20H2-KB5015807 = 10.0.19042.1826;
        # update history: .1706 = KB5013942 (May 2022), .1766 = KB5014699, .1889 = KB5016616 (the last, August 2022).
        "kb_revisions": {"KB5013942": 1706, "KB5014699": 1766, "KB5015807": 1826, "KB5016616": 1889},
        "sources": [
            _SERVER_RELEASES, _W10_RELEASES, _BASE_IMAGE_LIFECYCLE, _HCSSHIM_BUILDS, _HUB_SERVERCORE, _HUB_WINDOWS,
        ],
        "notes": "Last Windows Server Semi-Annual Channel release. Its registry ReleaseId is 2009, not 20H2.",
    },
    {
        "build": 19043,
        "base_build": 19041,
        "name": "Windows 10, version 21H1",
        "kind": "client",
        "channel": "client",
        "version": "21H1",
        "codename": "21H1",
        "containers": True,
        "release_id": "2009",
        "client_process": "none",
        "aliases": ["21h1", "windows 10 21h1"],
        "products": [
            {"name": "Windows 10, version 21H1", "kind": "client", "channel": "client", "version": "21H1",
             "released": "2021-05-18", "end_of_support": "2022-12-13"},
        ],
        "tags": {"servercore": [], "nanoserver": [], "server": [], "windows": []},
        "kb_revisions": {},
        "sources": [_W10_RELEASES, _LIFECYCLE + "windows-10-home-and-pro", _HCSSHIM_BUILDS],
    },
    {
        "build": 19044,
        "base_build": 19041,
        "name": "Windows 10, version 21H2",
        "kind": "client",
        "channel": "client",
        "version": "21H2",
        "codename": "21H2",
        "containers": True,
        "release_id": "2009",
        "client_process": "none",
        "aliases": ["windows 10 21h2", "ltsc2021", "windows 10 enterprise ltsc 2021"],
        "products": [
            {"name": "Windows 10 Home and Pro, version 21H2", "kind": "client", "channel": "client",
             "version": "21H2", "released": "2021-11-16", "end_of_support": "2023-06-13"},
            {"name": "Windows 10 Enterprise and Education, version 21H2", "kind": "client", "channel": "client",
             "version": "21H2", "released": "2021-11-16", "end_of_support": "2024-06-11"},
            {"name": "Windows 10 Enterprise LTSC 2021", "kind": "client", "channel": "LTSC", "version": "21H2",
             "released": "2021-11-16", "end_of_support": "2027-01-12"},
            {"name": "Windows 10 IoT Enterprise LTSC 2021", "kind": "client", "channel": "LTSC", "version": "21H2",
             "released": "2021-11-16", "mainstream_end": "2027-01-12", "end_of_support": "2032-01-13"},
        ],
        "tags": {"servercore": [], "nanoserver": [], "server": [], "windows": []},
        "kb_revisions": {},
        "sources": [
            _W10_RELEASES, _LIFECYCLE + "windows-10-enterprise-ltsc-2021",
            _LIFECYCLE + "windows-10-iot-enterprise-ltsc-2021", _HCSSHIM_BUILDS,
        ],
    },
    {
        "build": 19045,
        "base_build": 19041,
        "name": "Windows 10, version 22H2",
        "kind": "client",
        "channel": "client",
        "version": "22H2",
        "codename": "22H2",
        "containers": True,
        "release_id": "2009",
        "client_process": "none",
        "aliases": ["windows 10 22h2"],
        "products": [
            {"name": "Windows 10, version 22H2", "kind": "client", "channel": "client", "version": "22H2",
             "released": "2022-10-18", "end_of_support": "2025-10-14"},
        ],
        "tags": {"servercore": [], "nanoserver": [], "server": [], "windows": []},
        "kb_revisions": {},
        "sources": [_W10_RELEASES, _LIFECYCLE + "windows-10-home-and-pro", _HCSSHIM_BUILDS],
        "notes": "Last Windows 10 feature update.",
    },
    {
        "build": 20348,
        "name": "Windows Server 2022",
        "kind": "server",
        "channel": "LTSC",
        "version": "21H2",
        "codename": "FE",
        "containers": True,
        "release_id": "2009",
        "stable_abi_ltsc": True,
        "hcsshim_compat_ltsc": True,
        "aliases": [
            "ltsc2022", "fe", "iron", "windows server 2022", "server 2022", "ws2022", "windows-2022", "windows2022",
            "windows server 21h2",
        ],
        "products": [
            {"name": "Windows Server 2022", "kind": "server", "channel": "LTSC", "version": "21H2",
             "released": "2021-08-18", "mainstream_end": "2026-10-13", "end_of_support": "2031-10-14"},
        ],
        "tags": {"servercore": ["ltsc2022"], "nanoserver": ["ltsc2022"], "server": ["ltsc2022"], "windows": []},
        # Docker Hub tag table of mcr.microsoft.com/windows/server: ltsc2022-KB5015827 = 10.0.20348.825 (July 2022);
        # recorded tag list: server:ltsc2022-KB5034770 = 10.0.20348.2322 (February 2024); update history:
        # .2762 = KB5044281 (October 2024), .2849 = KB5046616, .2966 = KB5048654, .3091 = KB5049983 (January 2025).
        "kb_revisions": {
            "KB5015827": 825, "KB5034770": 2322,
            "KB5044281": 2762, "KB5046616": 2849, "KB5048654": 2966, "KB5049983": 3091,
        },
        "sources": [
            _LIFECYCLE + "windows-server-2022", _SERVER_RELEASES, _VERSION_COMPAT, _HCSSHIM_BUILDS,
            _HUB_SERVERCORE, _HUB_NANOSERVER, _HUB_SERVER, "https://github.com/ocurrent/ocaml-dockerfile/issues/201",
        ],
    },
    {
        "build": 22000,
        "name": "Windows 11, version 21H2",
        "kind": "client",
        "channel": "client",
        "version": "21H2",
        "codename": "CO",
        "containers": True,
        "release_id": "2009",
        "client_process": "older_ltsc_preview",
        "aliases": ["windows 11 21h2", "co", "cobalt"],
        "products": [
            {"name": "Windows 11 Home and Pro, version 21H2", "kind": "client", "channel": "client",
             "version": "21H2", "released": "2021-10-04", "end_of_support": "2023-10-10"},
            {"name": "Windows 11 Enterprise and Education, version 21H2", "kind": "client", "channel": "client",
             "version": "21H2", "released": "2021-10-04", "end_of_support": "2024-10-08"},
        ],
        "tags": {"servercore": [], "nanoserver": [], "server": [], "windows": []},
        "kb_revisions": {},
        "sources": [_W11_RELEASES, _LIFECYCLE + "windows-11-home-and-pro", _VERSION_COMPAT, _HCSSHIM_BUILDS],
    },
    {
        "build": 22621,
        "name": "Windows 11, version 22H2",
        "kind": "client",
        "channel": "client",
        "version": "22H2",
        "codename": "NI",
        "containers": True,
        "release_id": "2009",
        "client_process": "older_ltsc_preview",
        "aliases": ["windows 11 22h2", "ni", "nickel"],
        "products": [
            {"name": "Windows 11 Home and Pro, version 22H2", "kind": "client", "channel": "client",
             "version": "22H2", "released": "2022-09-20", "end_of_support": "2024-10-08"},
            {"name": "Windows 11 Enterprise and Education, version 22H2", "kind": "client", "channel": "client",
             "version": "22H2", "released": "2022-09-20", "end_of_support": "2025-10-14"},
        ],
        "tags": {"servercore": [], "nanoserver": [], "server": [], "windows": []},
        "kb_revisions": {},
        "sources": [_W11_RELEASES, _LIFECYCLE + "windows-11-home-and-pro", _VERSION_COMPAT, _HCSSHIM_BUILDS],
    },
    {
        "build": 22631,
        "base_build": 22621,
        "name": "Windows 11, version 23H2",
        "kind": "client",
        "channel": "client",
        "version": "23H2",
        "codename": "NI",
        "containers": True,
        "release_id": "2009",
        "client_process": "older_ltsc_preview",
        "aliases": ["windows 11 23h2"],
        "products": [
            {"name": "Windows 11 Home and Pro, version 23H2", "kind": "client", "channel": "client",
             "version": "23H2", "released": "2023-10-31", "end_of_support": "2025-11-11"},
            {"name": "Windows 11 Enterprise and Education, version 23H2", "kind": "client", "channel": "client",
             "version": "23H2", "released": "2023-10-31", "end_of_support": "2026-11-10"},
        ],
        "tags": {"servercore": [], "nanoserver": [], "server": [], "windows": []},
        "kb_revisions": {},
        "sources": [_W11_RELEASES, _LIFECYCLE + "windows-11-home-and-pro", _VERSION_COMPAT, _HCSSHIM_BUILDS],
        "notes": "Enablement package over the 22621 code base.",
    },
    {
        "build": 25398,
        "name": "Windows Server, version 23H2",
        "kind": "server",
        "channel": "AC",
        "version": "23H2",
        "codename": "ZN",
        "containers": True,
        "release_id": "2009",
        "aliases": ["windows server 23h2", "zn", "zinc"],
        "products": [
            {"name": "Windows Server, version 23H2", "kind": "server", "channel": "AC", "version": "23H2",
             "released": "2023-10-24", "end_of_support": "2025-10-24"},
        ],
        "tags": {"servercore": [], "nanoserver": [], "server": [], "windows": []},
        "kb_revisions": {},
        "sources": [
            _LIFECYCLE + "windows-server-annual-channel", _SERVER_RELEASES, _BASE_IMAGE_LIFECYCLE, _PORTABILITY,
            _VERSION_COMPAT,
        ],
        "notes": (
            "Windows Server Annual Channel for Containers: a container host with no base images of its own; "
            "it runs Windows Server 2022 (ltsc2022) images."
        ),
    },
    {
        "build": 26100,
        "name": "Windows Server 2025",
        "kind": "both",
        "client_name": "Windows 11, version 24H2",
        "channel": "LTSC",
        "version": "24H2",
        "codename": "GE",
        "containers": True,
        "release_id": "2009",
        "stable_abi_ltsc": True,
        "hcsshim_compat_ltsc": True,
        "client_process": "older_ltsc_preview",
        "fails_on_newer_clients": "https://github.com/microsoft/hcsshim/issues/2566",
        "aliases": [
            "ltsc2025", "24h2", "ge", "germanium", "windows server 2025", "server 2025", "ws2025", "windows-2025",
            "windows2025", "windows server 24h2", "windows 11 24h2", "ltsc2024", "windows 11 enterprise ltsc 2024",
        ],
        "products": [
            {"name": "Windows Server 2025", "kind": "server", "channel": "LTSC", "version": "24H2",
             "released": "2024-11-01", "mainstream_end": "2029-11-13", "end_of_support": "2034-11-14"},
            {"name": "Windows 11 Home and Pro, version 24H2", "kind": "client", "channel": "client",
             "version": "24H2", "released": "2024-10-01", "end_of_support": "2026-10-13"},
            {"name": "Windows 11 Enterprise and Education, version 24H2", "kind": "client", "channel": "client",
             "version": "24H2", "released": "2024-10-01", "end_of_support": "2027-10-12"},
            {"name": "Windows 11 Enterprise LTSC 2024", "kind": "client", "channel": "LTSC", "version": "24H2",
             "released": "2024-10-01", "mainstream_end": "2029-10-09", "end_of_support": "2029-10-09"},
            {"name": "Windows 11 IoT Enterprise LTSC 2024", "kind": "client", "channel": "LTSC", "version": "24H2",
             "released": "2024-10-01", "mainstream_end": "2029-10-09", "end_of_support": "2034-10-10"},
        ],
        "tags": {"servercore": ["ltsc2025"], "nanoserver": ["ltsc2025"], "server": ["ltsc2025"], "windows": []},
        # update history (windows-server-release-info): 26100.2314 = KB5046617 (November 2024), .2605 = KB5048667,
        # .2894 = KB5050009 (January 2025).
        "kb_revisions": {"KB5046617": 2314, "KB5048667": 2605, "KB5050009": 2894},
        "sources": [
            _LIFECYCLE + "windows-server-2025", _LIFECYCLE + "windows-11-enterprise-ltsc-2024",
            _SERVER_RELEASES, _W11_RELEASES, _BASE_IMAGE_LIFECYCLE, _VERSION_COMPAT,
            _HUB_SERVERCORE, _HUB_NANOSERVER, _HUB_SERVER,
        ],
    },
    {
        "build": 26200,
        "base_build": 26100,
        "name": "Windows 11, version 25H2",
        "kind": "client",
        "channel": "client",
        "version": "25H2",
        "codename": "GE",
        "containers": True,
        "release_id": "2009",
        "client_process": "older_ltsc_preview",
        "aliases": ["25h2", "windows 11 25h2"],
        "products": [
            {"name": "Windows 11 Home and Pro, version 25H2", "kind": "client", "channel": "client",
             "version": "25H2", "released": "2025-09-30", "end_of_support": "2027-10-12"},
            {"name": "Windows 11 Enterprise and Education, version 25H2", "kind": "client", "channel": "client",
             "version": "25H2", "released": "2025-09-30", "end_of_support": "2028-10-10"},
        ],
        "tags": {"servercore": [], "nanoserver": [], "server": [], "windows": []},
        "kb_revisions": {},
        "sources": [_W11_RELEASES, _LIFECYCLE + "windows-11-home-and-pro"],
        "notes": "Enablement package over the 26100 code base.",
    },
    {
        "build": 26300,
        "base_build": 26100,
        "name": "Windows 11, version 26H2",
        "kind": "client",
        "channel": "client",
        "version": "26H2",
        "codename": "GE",
        "containers": True,
        "release_id": "2009",
        "client_process": "older_ltsc_preview",
        "aliases": ["26h2", "windows 11 26h2"],
        "products": [
            {"name": "Windows 11 Home and Pro, version 26H2", "kind": "client", "channel": "client",
             "version": "26H2"},
            {"name": "Windows 11 Enterprise and Education, version 26H2", "kind": "client", "channel": "client",
             "version": "26H2"},
        ],
        "tags": {"servercore": [], "nanoserver": [], "server": [], "windows": []},
        "kb_revisions": {},
        "sources": [
            _W11_RELEASES,
            "https://www.neowin.net/news/microsoft-confirms-windows-11-26h2-urges-it-admins-to-prepare-for-release/",
            "https://www.notebookcheck.net/Windows-11-version-26H2-Microsoft-details-rollout-strategy.1326216.0.html",
            "https://geekplanet.in/windows-11-26h2-update-174kb-upgrade-packs-new-features/",
        ],
        "notes": (
            "Announced 2026-06-19 as the fall 2026 feature update: an enablement package over 24H2/25H2 that "
            "raises the build to 26300. Its release and end-of-servicing dates are not recorded here "
            "(24 months for Home and Pro, 36 months for Enterprise and Education from release)."
        ),
    },
    {
        "build": 28000,
        "name": "Windows 11, version 26H1",
        "kind": "client",
        "channel": "client",
        "version": "26H1",
        "codename": "BR",
        "containers": True,
        "release_id": "2009",
        "client_process": "older_ltsc_preview",
        "aliases": ["26h1", "windows 11 26h1", "bromine"],
        "products": [
            {"name": "Windows 11 Home and Pro, version 26H1", "kind": "client", "channel": "client",
             "version": "26H1", "released": "2026-02-10", "end_of_support": "2028-03-14"},
            {"name": "Windows 11 Enterprise and Education, version 26H1", "kind": "client", "channel": "client",
             "version": "26H1", "released": "2026-02-10", "end_of_support": "2029-03-13"},
        ],
        "tags": {"servercore": [], "nanoserver": [], "server": [], "windows": []},
        "kb_revisions": {},
        "sources": [
            _W11_RELEASES,
            "https://support.microsoft.com/en-us/topic/windows-11-version-26h1-6a0533a9-71a8-43b8-a32c-8fa7db97543d",
            "https://www.windowslatest.com/2026/02/18/microsoft-details-windows-11-26h1-support-cycle-cpu-requirements"
            "-just-snapdragon-x2-for-now-and-more",
        ],
        "notes": (
            "Hardware-optimised release on a new core (Bromine), preinstalled on Snapdragon X2 devices only; "
            "it cannot update to 26H2. Numbered above 26300 although released before it."
        ),
    },
)
# fmt: on
