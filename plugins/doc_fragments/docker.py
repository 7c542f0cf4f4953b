# Copyright: wincontainers.compat maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Connection options of the Swarm modules, named and read from the environment as community.docker does."""

    DOCUMENTATION = r"""
options:
  docker_host:
    description:
      - The Docker Engine API of a Swarm manager, for example V(unix:///var/run/docker.sock) or
        V(tcp://manager1.example.com:2376).
      - V(unix://) and V(npipe://) sockets are local and need no TLS. V(https://) always uses TLS. A plain
        V(http://) host (such as V(http://manager1:2375)) is refused unless both O(tls) and O(validate_certs)
        are V(false), the same explicit choice that lets a V(tcp://) host be reached without TLS.
      - Can also be set with the E(DOCKER_HOST) environment variable.
    type: str
    default: unix:///var/run/docker.sock
    aliases: [docker_url]
  tls_hostname:
    description:
      - The host name expected in the engine's certificate, when it differs from the host of O(docker_host).
      - Can also be set with E(DOCKER_TLS_HOSTNAME).
    type: str
  api_version:
    description:
      - The Engine API version to use; V(auto) asks the engine.
      - Can also be set with E(DOCKER_API_VERSION).
    type: str
    default: auto
    aliases: [docker_api_version]
  timeout:
    description:
      - Seconds to wait for each API request. Can also be set with E(DOCKER_TIMEOUT).
    type: int
    default: 60
  ca_path:
    description:
      - CA certificate that signed the engine's certificate.
      - Defaults to C(ca.pem) in the directory named by E(DOCKER_CERT_PATH), when that file exists.
    type: path
    aliases: [ca_cert, tls_ca_cert, cacert_path]
  client_cert:
    description:
      - Client certificate for TLS authentication; needs O(client_key).
      - Defaults to C(cert.pem) in E(DOCKER_CERT_PATH), when that file exists.
    type: path
    aliases: [tls_client_cert, cert_path]
  client_key:
    description:
      - Key of O(client_cert). Defaults to C(key.pem) in E(DOCKER_CERT_PATH), when that file exists.
    type: path
    aliases: [tls_client_key, key_path]
  tls:
    description:
      - Use TLS to reach a C(tcp://) O(docker_host) even when O(validate_certs=false).
      - Can also be set with E(DOCKER_TLS).
    type: bool
    default: false
  validate_certs:
    description:
      - Verify the engine's certificate. Verification is on unless this is V(false); a C(tcp://) host is
        then always reached over TLS.
      - Plain unencrypted TCP (V(tcp://) or V(http://)) is used only when both O(tls) and O(validate_certs) are
        V(false); otherwise an V(http://) O(docker_host) fails the task before any request.
      - Can also be set with E(DOCKER_TLS_VERIFY).
      - Unlike community.docker, whose default is V(false), verification is the default here.
    type: bool
    aliases: [tls_verify]
requirements:
  - docker >= 5.0.0 (the Docker SDK for Python)
notes:
  - The options are named as those of the community.docker modules. The action group of these modules is
    C(group/wincontainers.compat.swarm); it also holds community.docker's C(docker) group, so one C(module_defaults)
    entry for C(group/wincontainers.compat.swarm) sets the connection of the modules of both collections.
    An entry for C(group/community.docker.docker) does not reach the modules of this collection.
  - Leave O(timeout) out of a C(module_defaults) entry that also serves the community.docker modules that run the
    docker CLI (such as M(community.docker.docker_stack)), which have no such option.
  - Run the modules against a Swarm manager.
"""
