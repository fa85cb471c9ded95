# -*- coding: utf-8 -*-
# Copyright (c) vsphere.content_library contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    # What the attributes of every module mean; each module states its support.
    DOCUMENTATION = r'''
attributes:
  check_mode:
    description: Can run in check mode and return a prediction of C(changed) without sending any write to vCenter.
  diff_mode:
    description: Returns the C(before) and C(after) of what changed (or would change in check mode) when run with C(--diff).
  idempotent:
    description:
      - When run twice in a row with the same parameters, the second run reports C(changed=false) and sends no write.
  action_group:
    description: Use C(group/vsphere.content_library.all) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - vsphere.content_library.all
'''

    INFO_MODULE = r'''
attributes:
  check_mode:
    support: full
    details: This module only reads, in check mode or not.
  diff_mode:
    support: N/A
    details: This module changes nothing.
  idempotent:
    support: full
'''
