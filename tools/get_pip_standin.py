"""Offline stand-in for get-pip.py (marker: get_pip_standin).

ansible-test --venv creates virtual environments without pip and bootstraps pip by
running ~/.ansible/test/cache/get_pip_<version>.py with pip-install arguments, e.g.
``--disable-pip-version-check pip==24.2 --no-setuptools --no-wheel``. The real script
is downloaded from a host this network cannot reach, so tools/ansible-test.sh copies
this file to that cache path. It installs pip with ensurepip, then runs
``python -m pip install`` with the same arguments (minus get-pip's own flags).
"""

import importlib.util
import subprocess
import sys

GET_PIP_ONLY_FLAGS = {'--no-setuptools', '--no-wheel'}


def main():
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_FLAGS]
    if importlib.util.find_spec('pip') is None:
        rc = subprocess.call([sys.executable, '-m', 'ensurepip', '--default-pip'])
        if rc:
            sys.exit(rc)
    sys.exit(subprocess.call([sys.executable, '-m', 'pip', 'install'] + args))


if __name__ == '__main__':
    main()
