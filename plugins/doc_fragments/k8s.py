# Copyright: wincontainers.compat maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Connection options of the Kubernetes modules, named and read from the environment as kubernetes.core does."""

    DOCUMENTATION = r"""
options:
  kubeconfig:
    description:
      - Path to a kubeconfig file, or the kubeconfig itself, as a dictionary or as YAML (or JSON) text (as the
        C(file) lookup reads it). Text with several lines, or starting with C({), is
        read as content, never as a path.
      - The credentials of inline content (C(token), C(password), C(client-key-data), the tokens of an
        C(auth-provider), and the C(args) and C(env) values of an C(exec) credential plugin) are hidden in what
        the module returns; content given as text is hidden whole, and an error names it only by its size.
        Set C(no_log) on a task that loops over such values, since Ansible shows the loop item of a failed task.
      - When neither O(kubeconfig) nor O(host) is given, C(KUBECONFIG) or C(~/.kube/config) is read, and
        the in-cluster service account is used when there is no such file.
      - Can also be set with the E(K8S_AUTH_KUBECONFIG) environment variable.
    type: raw
  context:
    description:
      - The kubeconfig context to use. Can also be set with E(K8S_AUTH_CONTEXT).
    type: str
  host:
    description:
      - URL of the API server. Can also be set with E(K8S_AUTH_HOST).
    type: str
  api_key:
    description:
      - Bearer token used to authenticate. Can also be set with E(K8S_AUTH_API_KEY).
    type: str
  username:
    description:
      - User name for HTTP basic authentication. Can also be set with E(K8S_AUTH_USERNAME).
    type: str
  password:
    description:
      - Password for HTTP basic authentication. Can also be set with E(K8S_AUTH_PASSWORD).
    type: str
  validate_certs:
    description:
      - Whether to verify the API server's TLS certificate. Verification is on unless this is V(false).
      - A kubeconfig's C(insecure-skip-tls-verify) does not turn verification off; only this option does.
      - Can also be set with E(K8S_AUTH_VERIFY_SSL).
    type: bool
    aliases: [verify_ssl]
  ca_cert:
    description:
      - Path to the CA certificate (the full chain) that signed the API server's certificate.
      - Can also be set with E(K8S_AUTH_SSL_CA_CERT).
    type: path
    aliases: [ssl_ca_cert]
  client_cert:
    description:
      - Path to a client certificate; needs O(client_key). Can also be set with E(K8S_AUTH_CERT_FILE).
    type: path
    aliases: [cert_file]
  client_key:
    description:
      - Path to the key of O(client_cert); needs O(client_cert). Can also be set with E(K8S_AUTH_KEY_FILE).
    type: path
    aliases: [key_file]
  proxy:
    description:
      - URL of an HTTP proxy. Can also be set with E(K8S_AUTH_PROXY).
    type: str
  no_proxy:
    description:
      - Comma-separated hosts that bypass O(proxy). Can also be set with E(K8S_AUTH_NO_PROXY).
    type: str
  proxy_headers:
    description:
      - Headers sent to the proxy.
    type: dict
    suboptions:
      proxy_basic_auth:
        description: C(user:password) for the proxy.
        type: str
      basic_auth:
        description: C(user:password) for basic authentication.
        type: str
      user_agent:
        description: User agent string.
        type: str
  impersonate_user:
    description:
      - User name to impersonate. Can also be set with E(K8S_AUTH_IMPERSONATE_USER).
    type: str
  impersonate_groups:
    description:
      - Groups to impersonate. Can also be set with E(K8S_AUTH_IMPERSONATE_GROUPS).
    type: list
    elements: str
  request_timeout:
    description:
      - Seconds to wait for each API request; more than 0.
    type: float
    default: 30
  api_retries:
    description:
      - How many times a request that failed with HTTP 429, a 5xx status or a connection error is
        retried, with exponential backoff (and HTTP 409 conflicts, after re-reading the object); 0 or more.
    type: int
    default: 5
requirements:
  - kubernetes >= 24.2.0 (the Python client)
notes:
  - The options are named as those of M(kubernetes.core.k8s). The action group of these modules is
    C(group/wincontainers.compat.k8s); it also holds kubernetes.core's C(k8s) group, so one C(module_defaults)
    entry for C(group/wincontainers.compat.k8s) sets the connection of the modules of both collections.
    An entry for C(group/kubernetes.core.k8s) does not reach the modules of this collection.
  - Leave O(request_timeout) and O(api_retries) out of a C(module_defaults) entry that also serves kubernetes.core
    modules, which refuse options they do not have.
"""
