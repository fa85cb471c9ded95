# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A local vCenter REST simulator for Content Library item update sessions.

Run it with the ``vsphere-content-simulator`` command (or ``python -m
vsphere_content_simulator``); see the package's README.md.
"""

from __future__ import annotations

__version__ = "0.1.0"
