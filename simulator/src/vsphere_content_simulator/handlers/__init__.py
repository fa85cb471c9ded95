# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Operation handlers: ``async def handler(ctx, params) -> result``, flavour-independent."""

from __future__ import annotations
