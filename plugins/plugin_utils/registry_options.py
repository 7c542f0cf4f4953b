"""The registry connection options the action plugins share: their argument spec, their checks, ``config.json``.

``registry_image_info`` and ``windows_manifest_list`` reach registries with the same options (``auth``,
``docker_config``, TLS, ``timeout``, ``retries``); :func:`registry_session` turns them into the
``RegistrySession`` of ``registry_client`` after :func:`check_connection_options` refused bad values by name.
"""

from __future__ import annotations

import json
import os
from typing import Any, Mapping, Optional

from ansible.errors import AnsibleActionFail
from ansible_collections.wincontainers.compat.plugins.module_utils.registry import RegistryError, explicit_credentials
from ansible_collections.wincontainers.compat.plugins.module_utils.registry_client import (
    ClientOptions,
    DigestCache,
    RegistrySession,
)
from ansible_collections.wincontainers.compat.plugins.plugin_utils.credential_helpers import CredentialHelpers

CONNECTION_SPEC: dict[str, Any] = {
    "auth": {"type": "dict", "default": {}, "no_log": True},
    "docker_config": {"type": "path"},
    "validate_certs": {"type": "bool", "default": True},
    "ca_path": {"type": "path"},
    "insecure_registries": {"type": "list", "elements": "str", "default": []},
    "timeout": {"type": "float", "default": 30.0},
    "retries": {"type": "int", "default": 3},
}


def default_docker_config() -> Optional[str]:
    """``$DOCKER_CONFIG/config.json``, else ``~/.docker/config.json``, when the file exists (as the Docker CLI)."""
    directory = os.environ.get("DOCKER_CONFIG") or os.path.join(os.path.expanduser("~"), ".docker")
    path = os.path.join(directory, "config.json")
    return path if os.path.isfile(path) else None


def load_docker_config(path: Optional[str], explicit: bool) -> Optional[dict[str, Any]]:
    """The parsed ``config.json``; an explicit path that cannot be read fails, a default one is skipped."""
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError) as exc:
        if explicit:
            raise AnsibleActionFail(f"docker_config {path} cannot be read as a Docker config.json: {exc}") from exc
        return None
    if not isinstance(data, dict):
        raise AnsibleActionFail(f"docker_config {path} is not a JSON object with an auths entry")
    return data


def check_connection_options(args: Mapping[str, Any]) -> None:
    """Refuse a ``timeout`` or ``retries`` out of range, and an ``auth`` entry without credentials, by name.

    The ``auth`` messages name the host, never a secret.
    """
    if args["timeout"] <= 0:
        raise AnsibleActionFail(f"timeout must be a positive number of seconds; got {args['timeout']}")
    if args["retries"] < 0:
        raise AnsibleActionFail(f"retries must be 0 or more; got {args['retries']}")
    auth = args["auth"]
    for host in auth:
        try:
            explicit_credentials(str(host), {host: auth[host]})
        except RegistryError as exc:
            raise AnsibleActionFail(str(exc)) from exc


def registry_session(args: Mapping[str, Any], cache: Optional[DigestCache] = None) -> RegistrySession:
    """The session of checked connection options: ``docker_config`` (else the default ``config.json``) loaded.

    Its credential helpers run within ``timeout``, each once per registry.
    """
    check_connection_options(args)
    explicit = args["docker_config"] is not None
    config = load_docker_config(args["docker_config"] or default_docker_config(), explicit)
    options = ClientOptions(
        validate_certs=args["validate_certs"],
        ca_path=args["ca_path"],
        timeout=args["timeout"],
        retries=args["retries"],
        insecure_registries=tuple(args["insecure_registries"]),
    )
    return RegistrySession(options, CredentialHelpers(options.timeout).ask, args["auth"], config, cache)
