# Copyright: wincontainers.compat maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The registry connection options of the registry modules (``registry_options.CONNECTION_SPEC``)."""

    DOCUMENTATION = r"""
options:
  auth:
    description:
      - Credentials by registry host (C(contoso.azurecr.io), C(127.0.0.1:5000); C(docker.io) for Docker Hub).
      - Each entry holds C(username) and C(password), or C(token) (a registry Bearer token used as it is).
      - Takes precedence over O(docker_config) and its credential helpers. Never logged.
    type: dict
    default: {}
  docker_config:
    description:
      - A Docker C(config.json) whose credentials are used for the registries O(auth) does not name, looked up as
        the Docker CLI does by the registry host (C(https://index.docker.io/v1/) for Docker Hub).
      - A credential helper named for the registry in C(credHelpers), else in C(credsStore), is asked first - the
        program C(docker-credential-<name>) on the controller's E(PATH), run as C(docker-credential-<name> get)
        (no shell) with the registry's key on its standard input, once per registry and run, within O(timeout).
        Its answer replaces the C(auths) entry, as in the Docker CLI; an answer of no credentials (C(credentials
        not found in native keychain)) means anonymous access. A helper that is missing, fails or does not answer
        in time is an error of what is read from that registry, naming the helper and the registry. The answer is
        never logged.
      - Without a helper, the C(auths) entry - the base64 C(auth) value (C(user:password)),
        C(username)/C(password), or C(identitytoken) (an OAuth refresh token, as C(docker login) stores it for
        Azure Container Registry).
      - Default C($DOCKER_CONFIG/config.json), else C(~/.docker/config.json), when it exists.
    type: path
  validate_certs:
    description:
      - Verify the TLS certificates of the registries and token services.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file of CA certificates trusted in addition to the system's, for a registry with a private CA.
    type: path
  insecure_registries:
    description:
      - Registry hosts (C(host:port) or C(host)) where plain HTTP and unverified HTTPS are allowed, like dockerd's
        option of that name - HTTPS is tried first, plain HTTP when it fails.
    type: list
    elements: str
    default: []
  timeout:
    description:
      - Seconds to wait for each HTTP answer, and for each credential helper of O(docker_config).
    type: float
    default: 30
  retries:
    description:
      - How often a request answered with C(429) or C(5xx), or not answered at all, is retried. Each retry waits
        for the answer's C(Retry-After) (at most 60 seconds) or a short back-off.
      - A registry that still cannot be reached (or refuses TLS) after the retries is not asked again in the run;
        what is left to read from it fails at once with the same reason, so a registry that drops connections
        costs one request's O(timeout) and retries, not every read's.
    type: int
    default: 3
"""
