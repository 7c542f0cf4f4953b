"""The checks the windows_manifest_list action makes before it asks a registry anything."""

from __future__ import annotations

import re

import pytest
from ansible.errors import AnsibleActionFail
from ansible_collections.wincontainers.compat.plugins.action.windows_manifest_list import (
    ARGUMENT_SPEC,
    image_references,
    target_reference,
)

DIGEST = "sha256:" + "ab" * 32


def test_the_list_needs_a_tag() -> None:
    assert str(target_reference("reg.example:5000/team/app:1.4")) == "reg.example:5000/team/app:1.4"
    assert str(target_reference("team/app")) == "docker.io/team/app:latest"
    with pytest.raises(AnsibleActionFail, match="name must be a repository and tag"):
        target_reference(f"reg.example/team/app@{DIGEST}")


def test_images_must_be_in_the_repository_of_the_list() -> None:
    target = target_reference("reg.example/team/app:1.4")
    refs = image_references(["reg.example/team/app:1.4-ltsc2022", f"reg.example/team/app@{DIGEST}"], target)
    assert [ref.identifier for ref in refs] == ["1.4-ltsc2022", DIGEST]
    with pytest.raises(
        AnsibleActionFail, match=re.escape("these are not: reg.example/team/other:1, other.example/team/app:2")
    ):
        image_references(["reg.example/team/other:1", "other.example/team/app:2"], target)
    with pytest.raises(AnsibleActionFail, match="images is empty"):
        image_references([], target)


def test_credentials_are_never_logged_and_tls_is_verified_by_default() -> None:
    assert ARGUMENT_SPEC["auth"]["no_log"] is True
    assert ARGUMENT_SPEC["validate_certs"]["default"] is True
