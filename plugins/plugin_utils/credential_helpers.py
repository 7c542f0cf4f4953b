"""Docker credential helpers run on the controller: ``docker-credential-<name> get``, as the Docker CLI runs them.

``registry.credential_helper`` chooses the helper and ``registry.helper_answer`` reads its answer; this runs the
program: found on ``PATH``, no shell, the server address on stdin, a time limit, each helper asked once per
server address for a run (``CredentialHelpers``). The answer is never logged.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from typing import Optional

from ansible_collections.wincontainers.compat.plugins.module_utils.registry import (
    CredentialHelper,
    RegistryError,
    helper_answer,
)


def run_credential_helper(helper: CredentialHelper, timeout: float) -> Optional[dict[str, str]]:
    """Run ``<program> get`` with the server address on stdin; the credentials of its answer (``helper_answer``).

    Raises ``RegistryError`` naming the helper and the registry when the program is not on ``PATH``, cannot be
    run or does not answer within ``timeout`` seconds.
    """
    path = shutil.which(helper.program)
    if path is None:
        raise RegistryError(f"{helper}: {helper.program} is not an executable on PATH")
    try:
        done = subprocess.run(
            [path, "get"],
            input=helper.server_address.encode("utf-8"),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RegistryError(f"{helper} did not answer within {timeout:g} seconds") from None
    except OSError as exc:
        raise RegistryError(f"{helper} cannot be run: {exc.strerror or exc}") from None
    return helper_answer(helper, done.returncode, done.stdout)


class CredentialHelpers:
    """The credential helpers of a run: each helper asked once per server address, its answer or error kept.

    A lock per (helper, server address): a slow helper holds up only the lookups that wait for its answer.
    """

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._answers: dict[CredentialHelper, tuple[Optional[dict[str, str]], str]] = {}
        self._locks: dict[CredentialHelper, threading.Lock] = {}
        self._locks_lock = threading.Lock()

    def _lock_of(self, helper: CredentialHelper) -> threading.Lock:
        with self._locks_lock:
            return self._locks.setdefault(helper, threading.Lock())

    def ask(self, helper: CredentialHelper) -> Optional[dict[str, str]]:
        """The credentials ``helper`` holds (None for none); raises ``RegistryError`` when it failed."""
        with self._lock_of(helper):
            if helper not in self._answers:
                try:
                    self._answers[helper] = (run_credential_helper(helper, self.timeout), "")
                except RegistryError as exc:
                    self._answers[helper] = (None, str(exc))
            credentials, error = self._answers[helper]
        if error:
            raise RegistryError(error)
        return dict(credentials) if credentials else None
