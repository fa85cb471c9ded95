# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator's own test suite: ``python -m pytest simulator/tests`` (the package installed)."""

from __future__ import annotations
