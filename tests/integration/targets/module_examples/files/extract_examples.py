# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Write each module's EXAMPLES to DEST/<module>.yml, as a tasks file (read with ast, nothing is imported).

python extract_examples.py PLUGINS_MODULES_DIR DEST
"""

from __future__ import annotations

import ast
import os
import sys


def examples_of(path):
    with open(path) as handle:
        tree = ast.parse(handle.read(), path)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, 'id', None) == 'EXAMPLES' for t in node.targets):
            return ast.literal_eval(node.value)
    raise SystemExit('%s has no EXAMPLES' % path)


def main():
    source, dest = sys.argv[1:3]
    for name in sorted(os.listdir(source)):
        if name.endswith('.py') and not name.startswith('_'):
            with open(os.path.join(dest, name[:-3] + '.yml'), 'w') as handle:
                handle.write(examples_of(os.path.join(source, name)))


if __name__ == '__main__':
    main()
