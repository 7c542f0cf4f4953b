"""The compliance role never shows the credentials of a Kubernetes cluster item, and still names the cluster.

The cluster is either a closed local port (the read fails at once) or a local stand-in answering every list
with no items (the read succeeds and the reports are written). Needs no kube-apiserver.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playbook_runner import REPO_ROOT

PLAYBOOK = Path(__file__).resolve().parent / "compliance_k8s_secrets.yml"
SECRETS = {"token": "KCSECRET31337", "api_key": "APIKEY-4242-secret", "password": "PW-7777-secret"}


class EmptyCluster(BaseHTTPRequestHandler):
    """Answers every GET with an empty list, as an API server with no objects would."""

    def do_GET(self) -> None:
        data = json.dumps({"kind": "List", "items": [], "metadata": {}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def empty_cluster() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), EmptyCluster)
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def play(server: str, report_dir: Path, token_only: bool) -> subprocess.CompletedProcess[str]:
    """ansible-playbook at -vvv with the default callback, as a user would see it."""
    extra = {
        "server": server,
        "secrets": SECRETS,
        "token_only": token_only,
        "report_dir": str(report_dir),
        "ansible_python_interpreter": sys.executable,
    }
    env = {**os.environ, "ANSIBLE_NOCOLOR": "1", "ANSIBLE_CONFIG": str(REPO_ROOT / "ansible.cfg")}
    command = ["ansible-playbook", "-vvv", "-i", "localhost,", str(PLAYBOOK), "-e", json.dumps(extra)]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=report_dir, timeout=300, check=False)


def shown(run: subprocess.CompletedProcess[str], report_dir: Path) -> str:
    written = "".join(path.read_text(errors="replace") for path in report_dir.rglob("*") if path.is_file())
    return run.stdout + run.stderr + written


@pytest.mark.parametrize("token_only", [True, False], ids=["kubeconfig-token", "every-credential"])
def test_unreachable_cluster_fails_naming_it_without_its_credentials(tmp_path: Path, token_only: bool) -> None:
    run = play("https://127.0.0.1:1", tmp_path, token_only)
    output = shown(run, tmp_path)
    for secret in SECRETS.values():
        assert secret not in output
    assert run.returncode != 0, output
    assert "(item=prod)" in output
    assert "cluster prod: cannot reach the API server at https://127.0.0.1:1" in output


@pytest.mark.parametrize("token_only", [True, False], ids=["kubeconfig-token", "every-credential"])
def test_readable_cluster_is_reported_without_its_credentials(
    tmp_path: Path, empty_cluster: str, token_only: bool
) -> None:
    run = play(empty_cluster, tmp_path, token_only)
    output = shown(run, tmp_path)
    for secret in SECRETS.values():
        assert secret not in output
    assert run.returncode == 0, output[-6000:]
    assert "cluster prod: read" in output
    assert list(tmp_path.rglob("compliance.json")), output[-3000:]
