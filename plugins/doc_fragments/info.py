# Copyright: (c) 2026, euc.workspaces contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # What every *_info module of this collection promises: a complete listing, and no change ever made.
    # A fragment must hold options (or attributes); these modules share no option, so it holds none.
    DOCUMENTATION = r"""
options: {}
notes:
  - Supports check mode; the module never changes anything, so check mode runs exactly the same reads.
  - The listing is always complete. Every page of the API's answer is read; a page that still fails after
    retries fails the task with the AWS error code, so a partial list is never returned as if it were whole.
"""
