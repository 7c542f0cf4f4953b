"""Table-driven tests of the registry core: references as the Docker CLI normalises them, challenges, config.json
credentials, manifests and platforms, and base image currency.

Normalisation cases follow github.com/distribution/reference ``normalize_test.go`` (``TestParseNormalizedNamed``:
``docker.io/library/...`` for one-component names, ``index.docker.io`` folded into ``docker.io``); challenge forms
follow the ``WWW-Authenticate`` headers Docker Hub, MCR, ACR and GHCR send (distribution ``registry/client/auth/
challenge`` tests); the MCR tags are those of ``mcr.microsoft.com/v2/windows/servercore/tags/list``.
"""

from __future__ import annotations

import base64
import json

import pytest
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import ImageReferenceError, WinCompatError
from ansible_collections.wincontainers.compat.plugins.module_utils.manifest import (
    ManifestListError,
    registry_image_version,
    select_manifest,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.registry import (
    DOCKER_LIST,
    OCI_INDEX,
    OCI_MANIFEST,
    RegistryError,
    as_manifest_list,
    base_image_currency,
    config_platform,
    credentials_for,
    docker_config_credentials,
    image_result,
    index_platforms,
    is_image_result,
    manifest_media_type,
    next_link,
    parse_reference,
    parse_www_authenticate,
    pinned_revisions,
    repository_scope,
    retry_after_seconds,
    sha256_digest,
)
from hypothesis import given, settings
from hypothesis import strategies as st

D1 = "sha256:" + "1" * 64
D2 = "sha256:" + "2" * 64
D3 = "sha256:" + "3" * 64

REFERENCES = [
    # (as written, registry, repository, tag, digest, canonical)
    ("nginx", "docker.io", "library/nginx", "latest", None, "docker.io/library/nginx:latest"),
    ("nginx:1.27", "docker.io", "library/nginx", "1.27", None, "docker.io/library/nginx:1.27"),
    ("contoso/app", "docker.io", "contoso/app", "latest", None, "docker.io/contoso/app:latest"),
    ("docker.io/nginx", "docker.io", "library/nginx", "latest", None, "docker.io/library/nginx:latest"),
    ("index.docker.io/contoso/app:2", "docker.io", "contoso/app", "2", None, "docker.io/contoso/app:2"),
    ("docker.io/library/nginx:1", "docker.io", "library/nginx", "1", None, "docker.io/library/nginx:1"),
    (
        "mcr.microsoft.com/windows/servercore:ltsc2022",
        "mcr.microsoft.com",
        "windows/servercore",
        "ltsc2022",
        None,
        "mcr.microsoft.com/windows/servercore:ltsc2022",
    ),
    ("localhost/app", "localhost", "app", "latest", None, "localhost/app:latest"),
    ("localhost:5000/app:1", "localhost:5000", "app", "1", None, "localhost:5000/app:1"),
    ("127.0.0.1:5000/win/app", "127.0.0.1:5000", "win/app", "latest", None, "127.0.0.1:5000/win/app:latest"),
    (f"contoso.azurecr.io/orders@{D1}", "contoso.azurecr.io", "orders", None, D1, f"contoso.azurecr.io/orders@{D1}"),
    (
        f"contoso.azurecr.io/orders:2024.11.3@{D1}",
        "contoso.azurecr.io",
        "orders",
        "2024.11.3",
        D1,
        f"contoso.azurecr.io/orders:2024.11.3@{D1}",
    ),
    (f"nginx@{D2}", "docker.io", "library/nginx", None, D2, f"docker.io/library/nginx@{D2}"),
]


@pytest.mark.parametrize(("written", "registry", "repository", "tag", "digest", "canonical"), REFERENCES)
def test_references_are_normalised_as_the_docker_cli_does(
    written: str, registry: str, repository: str, tag: str | None, digest: str | None, canonical: str
) -> None:
    ref = parse_reference(written)
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (registry, repository, tag, digest)
    assert str(ref) == canonical
    assert ref.identifier == (digest or tag)


def test_docker_hub_is_asked_at_its_api_host() -> None:
    assert parse_reference("nginx").api_host == "registry-1.docker.io"
    assert parse_reference("ghcr.io/o/r").api_host == "ghcr.io"


@pytest.mark.parametrize("bad", ["", "UPPER/case:tag", "app:tag with space", "app@sha512:" + "a" * 128, 42])
def test_bad_references_name_the_input(bad: object) -> None:
    with pytest.raises(ImageReferenceError):
        parse_reference(bad)


CHALLENGES = [
    (
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
        "bearer",
        {
            "realm": "https://auth.docker.io/token",
            "service": "registry.docker.io",
            "scope": "repository:library/nginx:pull",
        },
    ),
    (
        'Bearer realm="https://contoso.azurecr.io/oauth2/token", service="contoso.azurecr.io"',
        "bearer",
        {"realm": "https://contoso.azurecr.io/oauth2/token", "service": "contoso.azurecr.io"},
    ),
    ('Basic realm="Registry Realm"', "basic", {"realm": "Registry Realm"}),
    ("Basic realm=unquoted", "basic", {"realm": "unquoted"}),
    (
        'bearer realm="a\\"b",scope="repository:a:pull,push"',
        "bearer",
        {"realm": 'a"b', "scope": "repository:a:pull,push"},
    ),
    ("", "", {}),
]


@pytest.mark.parametrize(("header", "scheme", "params"), CHALLENGES)
def test_www_authenticate_challenges(header: str, scheme: str, params: dict[str, str]) -> None:
    assert parse_www_authenticate(header) == (scheme, params)


def test_scope_names_the_repository_and_actions() -> None:
    assert repository_scope("library/nginx") == "repository:library/nginx:pull"
    assert repository_scope("win/app", ("pull", "push")) == "repository:win/app:pull,push"


def _auth(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


DOCKER_CONFIG = {
    "auths": {
        "https://index.docker.io/v1/": {"auth": _auth("hubuser", "hub:pass")},
        "contoso.azurecr.io": {"identitytoken": "refresh-me"},
        "http://127.0.0.1:5000/v2/": {"username": "u", "password": "p"},
        "ghcr.io": {},
    },
    "credsStore": "desktop",
}


@pytest.mark.parametrize(
    ("registry", "expected"),
    [
        ("docker.io", {"username": "hubuser", "password": "hub:pass"}),
        ("index.docker.io", {"username": "hubuser", "password": "hub:pass"}),
        ("contoso.azurecr.io", {"identitytoken": "refresh-me"}),
        ("127.0.0.1:5000", {"username": "u", "password": "p"}),
        ("ghcr.io", None),
        ("quay.io", None),
    ],
)
def test_docker_config_credentials(registry: str, expected: dict[str, str] | None) -> None:
    assert docker_config_credentials(DOCKER_CONFIG, registry) == expected


def test_docker_config_auth_that_is_not_base64_names_its_key() -> None:
    with pytest.raises(RegistryError, match=r"auths\['quay.io'\].auth"):
        docker_config_credentials({"auths": {"quay.io": {"auth": "not base64!"}}}, "quay.io")
    with pytest.raises(RegistryError, match="user:password"):
        docker_config_credentials({"auths": {"quay.io": {"auth": base64.b64encode(b"nocolon").decode()}}}, "quay.io")


def _no_helper(helper: object) -> None:
    raise AssertionError(f"no credential helper may be asked here; {helper} was")


def test_auth_option_wins_over_docker_config() -> None:
    auth = {"docker.io": {"username": "a", "password": "b"}, "ghcr.io": {"token": "t"}}
    config = {"auths": DOCKER_CONFIG["auths"]}
    assert credentials_for("docker.io", auth, config, _no_helper) == {"username": "a", "password": "b"}
    assert credentials_for("ghcr.io", auth, config, _no_helper) == {"token": "t"}
    assert credentials_for("contoso.azurecr.io", auth, config, _no_helper) == {"identitytoken": "refresh-me"}
    assert credentials_for("quay.io", auth, None, _no_helper) is None
    with pytest.raises(RegistryError, match="username and password, or token"):
        credentials_for("quay.io", {"quay.io": {"password": "only"}}, None, _no_helper)


@pytest.mark.parametrize(
    ("value", "default", "expected"),
    [
        ("3", 1.0, 3.0),
        (" 0 ", 1.0, 0.0),
        ("600", 1.0, 60.0),
        (None, 0.5, 0.5),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 2.0, 2.0),
        ("-5", 1.0, 0.0),
    ],
)
def test_retry_after(value: str | None, default: float, expected: float) -> None:
    assert retry_after_seconds(value, default) == expected


def test_next_link_of_tag_list_pagination() -> None:
    assert next_link('</v2/win/app/tags/list?last=b&n=2>; rel="next"') == "/v2/win/app/tags/list?last=b&n=2"
    assert next_link(None) is None
    assert next_link('</x>; rel="prev"') is None


def test_index_platforms_keep_list_order_and_missing_os_version() -> None:
    index = {
        "mediaType": OCI_INDEX,
        "manifests": [
            {"digest": D1, "platform": {"os": "windows", "architecture": "amd64", "os.version": "10.0.20348.2966"}},
            {"digest": D2, "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}},
            {"digest": D3},
        ],
    }
    assert index_platforms(index) == [
        {"os": "windows", "architecture": "amd64", "variant": None, "os_version": "10.0.20348.2966", "digest": D1},
        {"os": "linux", "architecture": "arm64", "variant": "v8", "os_version": None, "digest": D2},
        {"os": None, "architecture": None, "variant": None, "os_version": None, "digest": D3},
    ]
    with pytest.raises(RegistryError, match=r"manifests\[0\]"):
        index_platforms({"manifests": [{"digest": "md5:x"}]})
    with pytest.raises(RegistryError, match="no manifests array"):
        index_platforms({"layers": []})


def test_config_platform_reads_os_version_of_the_image_config() -> None:
    config = {"os": "windows", "architecture": "amd64", "os.version": "10.0.17763.6659", "rootfs": {}}
    assert config_platform(config, D1) == {
        "os": "windows",
        "architecture": "amd64",
        "variant": None,
        "os_version": "10.0.17763.6659",
        "digest": D1,
    }


@pytest.mark.parametrize(
    ("document", "content_type", "expected"),
    [
        ({"mediaType": DOCKER_LIST, "manifests": []}, None, DOCKER_LIST),
        ({"manifests": []}, "application/vnd.oci.image.index.v1+json; charset=utf-8", OCI_INDEX),
        ({"manifests": []}, "application/json", OCI_INDEX),
        ({"config": {}, "layers": []}, None, OCI_MANIFEST),
    ],
)
def test_manifest_media_type(document: dict[str, object], content_type: str | None, expected: str) -> None:
    assert manifest_media_type(document, content_type) == expected


def test_sha256_digest() -> None:
    assert sha256_digest(b"") == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


ENTRY = image_result(
    D3,
    OCI_INDEX,
    [
        {"os": "windows", "architecture": "amd64", "variant": None, "os_version": "10.0.17763.6659", "digest": D1},
        {"os": "windows", "architecture": "amd64", "variant": None, "os_version": "10.0.20348.2966", "digest": D2},
        {"os": "linux", "architecture": "amd64", "variant": None, "os_version": None, "digest": D3},
    ],
)


def test_select_manifest_takes_a_registry_entry() -> None:
    assert is_image_result(ENTRY)
    chosen = select_manifest(ENTRY, "10.0.20348.3091")
    assert chosen["digest"] == D2
    assert chosen["os_version"] == "10.0.20348.2966"
    assert chosen["platform"] == {"os": "windows", "architecture": "amd64", "os.version": "10.0.20348.2966"}
    assert select_manifest(ENTRY, "10.0.17763.100", rules="docker")["digest"] == D1
    with pytest.raises(ManifestListError, match=r"no matching manifest for windows/amd64 10\.0\.14393"):
        select_manifest(ENTRY, "10.0.14393.100")


def test_a_registry_entry_with_an_error_cannot_be_selected_from() -> None:
    failed = image_result(error="x: registry r answered 404 (not found) to GET x:latest")
    with pytest.raises(RegistryError, match="404"):
        select_manifest(failed, "10.0.20348.1")
    with pytest.raises(RegistryError, match="404"):
        as_manifest_list(failed)


def test_registry_image_version_is_the_pulled_entry_s_build() -> None:
    assert registry_image_version(ENTRY, "10.0.20348.1") == "10.0.20348.2966"
    assert registry_image_version(ENTRY, "10.0.17763.1", rules="docker") == "10.0.17763.6659"
    assert registry_image_version("ltsc2022", "10.0.20348.1") == "ltsc2022"
    no_build = image_result(
        D1, OCI_INDEX, [{"os": "windows", "architecture": "amd64", "variant": None, "os_version": None, "digest": D1}]
    )
    with pytest.raises(ManifestListError, match=r"no os\.version"):
        registry_image_version(no_build, "10.0.20348.1")


MCR_TAGS = [
    "1809",
    "ltsc2019",
    "10.0.17763.6532",
    "10.0.17763.6659",
    "ltsc2022",
    "10.0.20348.2700",
    "10.0.20348.2762",
    "10.0.20348.2762-amd64",
    "10.0.20348.2849",
    "10.0.20348.2966",
    "ltsc2025",
    "10.0.26100.2605",
    "10.0.20348.x",
]


@pytest.mark.parametrize(
    ("image", "max_behind", "behind", "newest", "stale"),
    [
        ("10.0.20348.2700", 0, 3, 2966, True),
        ("10.0.20348.2700", 3, 3, 2966, False),
        ("10.0.20348.2849", 0, 1, 2966, True),
        ("10.0.20348.2966", 0, 0, 2966, False),
        ("10.0.20348.3091", 0, 0, 2966, False),  # newer than the list: nothing newer is published
        ("10.0.20348.2800", 1, 2, 2966, True),  # an out-of-band revision between two monthly images
        ("10.0.17763.6532", 0, 1, 6659, True),
    ],
)
def test_base_image_currency(image: str, max_behind: int, behind: int, newest: int, stale: bool) -> None:
    result = base_image_currency(MCR_TAGS, image, "mcr.microsoft.com/windows/servercore", max_behind)
    assert result["behind"] == behind
    assert result["newest_revision"] == newest
    assert result["stale"] is stale
    assert result["current"] is (behind == 0)
    build = int(image.split(".")[2])
    assert result["rebuild_on"] == f"mcr.microsoft.com/windows/servercore:10.0.{build}.{newest}"


def test_pinned_revisions_ignore_release_tags_and_other_builds() -> None:
    assert pinned_revisions(MCR_TAGS, 20348) == [2700, 2762, 2849, 2966]
    assert pinned_revisions(MCR_TAGS, 14393) == []


@pytest.mark.parametrize(
    ("image", "max_behind", "message"),
    [
        ("10.0.20348", 0, "has no revision"),
        ("10.0.14393.7000", 0, "no version-pinned tag of build 14393"),
        ("10.0.20348.1", -1, "max_behind"),
        ("not a version", 0, "not a version"),
    ],
)
def test_base_image_currency_refuses_what_it_cannot_answer(image: str, max_behind: int, message: str) -> None:
    with pytest.raises(WinCompatError, match=message):
        base_image_currency(MCR_TAGS, image, max_behind=max_behind)


def test_image_result_shape_is_what_the_module_documents() -> None:
    assert json.loads(json.dumps(ENTRY)).keys() == {"digest", "media_type", "platforms", "error"}


_COMPONENT = st.from_regex(r"[a-z0-9]{1,8}(?:[._-][a-z0-9]{1,8})?", fullmatch=True)


@given(
    registry=st.sampled_from(
        [None, "docker.io", "index.docker.io", "mcr.microsoft.com", "localhost:5000", "10.1.2.3:4"]
    ),
    path=st.lists(_COMPONENT, min_size=1, max_size=3),
    tag=st.one_of(st.none(), st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}", fullmatch=True)),
    digest=st.one_of(st.none(), st.from_regex(r"sha256:[0-9a-f]{64}", fullmatch=True)),
)
@settings(max_examples=200, deadline=None)
def test_canonical_reference_parses_back_to_itself(
    registry: str | None, path: list[str], tag: str | None, digest: str | None
) -> None:
    written = "/".join(([registry] if registry else []) + path)
    written += (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")
    ref = parse_reference(written)
    assert parse_reference(str(ref)) == ref
    assert ref.registry != "index.docker.io"
    assert ref.tag == tag or (tag is None and ref.tag == (None if digest else "latest"))
    if ref.registry == "docker.io":
        assert "/" in ref.repository
