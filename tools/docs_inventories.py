#!/usr/bin/env python
"""Write the Sphinx intersphinx inventories that antsibull-docs' conf.py looks for beside the
source directory, rst/ (../python2.inv, ../python3.inv, ../jinja2.inv, ../ansible_devel.inv), so that `make docs`
needs no network. Only the labels the generated pages use are in them, pointing at the real
pages of the Ansible documentation. Usage: docs_inventories.py DIR
"""

import sys
import zlib
from pathlib import Path

HEADER = '# Sphinx inventory version 2\n# Project: {project}\n# Version: \n# The remainder of this file is compressed using zlib.\n'
ANSIBLE_LABELS = {
    # label: (page relative to https://docs.ansible.com/projects/ansible/devel/, anchor, title)
    'common_return_values': ('reference_appendices/common_return_values.html', 'common-return-values', 'Return Values'),
    'ansible_configuration_settings': ('reference_appendices/config.html', 'ansible-configuration-settings', 'Ansible Configuration Settings'),
}


def write(path, project, lines):
    path.write_bytes(HEADER.format(project=project).encode() + zlib.compress(''.join(lines).encode()))


def main():
    out = Path(sys.argv[1])
    for name, project in (('python2', 'Python'), ('python3', 'Python'), ('jinja2', 'Jinja')):
        write(out / ('%s.inv' % name), project, [])
    write(
        out / 'ansible_devel.inv',
        'Ansible',
        ['%s std:label -1 %s#%s %s\n' % (label, page, anchor, title) for label, (page, anchor, title) in ANSIBLE_LABELS.items()],
    )


if __name__ == '__main__':
    main()
