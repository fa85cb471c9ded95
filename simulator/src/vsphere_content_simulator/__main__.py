# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Entry point for ``python tests/simulator``.

Python runs this file with ``tests/simulator`` itself on sys.path, where the
package cannot import itself by name; putting ``tests/`` first lets the rest of
the code use plain ``simulator.*`` imports, exactly as the test suite does.
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from simulator.cli import main  # noqa: E402  pylint: disable=wrong-import-position

if __name__ == "__main__":
    sys.exit(main())
