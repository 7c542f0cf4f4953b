"""Offline stand-in for ansible-test's get-pip bootstrap script.

ansible-test bootstraps pip in its sanity virtualenvs by downloading ``get-pip.py`` from a host that
may be unreachable. This stand-in, installed at ``~/.ansible/test/cache/get_pip_<version>.py``,
bootstraps pip with ``ensurepip`` and then installs the requested packages from the configured index.
"""

from __future__ import annotations

import os
import subprocess
import sys

GET_PIP_ONLY_FLAGS = {"--no-setuptools", "--no-wheel"}


def main() -> None:
    env = dict(os.environ)
    env.pop("GET_PIP", None)
    subprocess.run([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"], check=True, env=env)
    # ensurepip runs with PIP_CONFIG_FILE=/dev/null; the install below keeps the caller's pip settings.
    arguments = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_FLAGS]
    if arguments:
        subprocess.run([sys.executable, "-m", "pip", "install", *arguments], check=True, env=env)


if __name__ == "__main__":
    main()
