"""Session fixtures for real registries (Debian's ``docker-registry``) in the modes of ``tests/harness/registry.py``.

``registry_http``, ``registry_tls``, ``registry_basic`` and ``registry_token`` run for the whole session;
``registry_factory`` starts extra ones that a test may stop and restart (they are closed at its end).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from registry import Registry, start_registry

__all__ = ["registry_basic", "registry_factory", "registry_http", "registry_tls", "registry_token"]


def _session_registry(factory: pytest.TempPathFactory, mode: str) -> Iterator[Registry]:
    registry = start_registry(factory.mktemp(f"registry-{mode}"), mode)
    try:
        yield registry
    finally:
        registry.close()


@pytest.fixture(scope="session")
def registry_http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """Plain HTTP, no auth: an insecure registry on loopback."""
    yield from _session_registry(tmp_path_factory, "http")


@pytest.fixture(scope="session")
def registry_tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """HTTPS with a certificate of the harness's own CA (``registry_tls.ca_file``)."""
    yield from _session_registry(tmp_path_factory, "tls")


@pytest.fixture(scope="session")
def registry_basic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """htpasswd basic auth (``registry_basic.credentials``)."""
    yield from _session_registry(tmp_path_factory, "basic")


@pytest.fixture(scope="session")
def registry_token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """Bearer token auth with the harness's token server signing the JWTs the registry verifies."""
    yield from _session_registry(tmp_path_factory, "token")


@pytest.fixture
def registry_factory(tmp_path: Path) -> Iterator[Callable[[str], Registry]]:
    """Start registries private to one test: ``registry_factory("http")``; all are closed when it ends."""
    started: list[Registry] = []

    def start(mode: str = "http") -> Registry:
        registry = start_registry(tmp_path / f"registry-{mode}-{len(started)}", mode)
        started.append(registry)
        return registry

    try:
        yield start
    finally:
        for registry in started:
            registry.close()
