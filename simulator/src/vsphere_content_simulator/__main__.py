# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``python -m vsphere_content_simulator``: the same as the ``vsphere-content-simulator`` command."""

from __future__ import annotations

import sys

from vsphere_content_simulator.cli import main

if __name__ == "__main__":
    sys.exit(main())
