#!/usr/bin/python

# Copyright: (c) 2026, euc.workspaces contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: bundle_info
short_description: List Amazon WorkSpaces bundles
version_added: 0.1.0
description:
  - Lists WorkSpaces bundles (the hardware and software a WorkSpace is created from) by ID, by owner, by name.
  - Bundles that match nothing, including well-formed IDs that do not exist, give an empty list. A malformed
    ID fails before any API call is made.
author:
  - euc.workspaces contributors (@euc-workspaces)
options:
  bundle_ids:
    description:
      - IDs of the bundles to list, in the form C(wsb-) followed by 8 to 63 lowercase letters or digits, whoever
        owns them.
      - Any number of IDs may be given; they are read 25 per API call.
      - An empty list matches no bundle (and makes no API call).
      - Mutually exclusive with I(owner).
    type: list
    elements: str
  owner:
    description:
      - Whose bundles to list when I(bundle_ids) is not given.
      - C(amazon) lists Amazon's public bundles, C(self) the bundles of this account.
      - C(any) lists both. The API returns only the account's own bundles when no owner is given, so this makes
        one listing of each and returns every bundle once.
    type: str
    choices: [amazon, self, any]
    default: any
  name:
    description:
      - Keep only the bundles with exactly this name (case matters).
      - Bundle names are not unique across Amazon's catalogue, so more than one bundle may match.
    type: str
extends_documentation_fragment:
  - euc.workspaces.info
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: List every bundle available to the account (Amazon's and its own)
  euc.workspaces.bundle_info:
  register: all_bundles

- name: Describe some bundles by ID
  euc.workspaces.bundle_info:
    bundle_ids:
      - wsb-0123abcd4
      - wsb-5678efgh9
  register: some_bundles

- name: List only the account's own bundles
  euc.workspaces.bundle_info:
    owner: self
  register: own_bundles

- name: Find Amazon's bundles with a given name
  euc.workspaces.bundle_info:
    owner: amazon
    name: Standard with Windows 10 (Server 2019 based)
  register: standard_bundles

- name: Use the ID of the one bundle with this name
  ansible.builtin.set_fact:
    bundle_id: "{{ standard_bundles.bundles | map(attribute='bundle_id') | first }}"
  when: standard_bundles.bundles | length == 1
"""

RETURN = r"""
bundles:
  description:
    - The bundles that match, each once, in the order of I(bundle_ids) when IDs were given. Empty when
      nothing matches.
  returned: always
  type: list
  elements: dict
  contains:
    bundle_id:
      description: The ID of the bundle.
      returned: always
      type: str
      sample: wsb-0123abcd4
    name:
      description: The name of the bundle.
      returned: always
      type: str
      sample: Standard with Windows 10 (Server 2019 based)
    owner:
      description: Who owns the bundle (C(Amazon) for public bundles); null when the API does not say.
      returned: always
      type: str
      sample: Amazon
    description:
      description: The description of the bundle; null when it has none.
      returned: always
      type: str
      sample: Standard with Windows 10 and Office 2019
    compute_type:
      description: The compute type of the bundle.
      returned: always
      type: str
      sample: STANDARD
    root_storage:
      description: The size of the root volume, in GiB (as text, as the API gives it).
      returned: always
      type: str
      sample: "80"
    user_storage:
      description: The size of the user volume, in GiB (as text, as the API gives it).
      returned: always
      type: str
      sample: "50"
    image_id:
      description: The image the bundle is made from.
      returned: always
      type: str
      sample: wsi-0123abcd4
    state:
      description: C(AVAILABLE), C(PENDING) or C(ERROR); null when the API does not say.
      returned: always
      type: str
      sample: AVAILABLE
    bundle_type:
      description: C(REGULAR) or C(STANDBY); null when the API does not say.
      returned: always
      type: str
      sample: REGULAR
    creation_time:
      description: When the bundle was created (ISO 8601); null when the API does not say.
      returned: always
      type: str
      sample: "2024-03-01T09:00:00+00:00"
    last_updated_time:
      description: When the bundle was last updated (ISO 8601); null when the API does not say.
      returned: always
      type: str
      sample: "2025-11-20T14:30:00+00:00"
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.euc.workspaces.plugins.module_utils import reads
from ansible_collections.euc.workspaces.plugins.module_utils.client import reported_failures, workspaces_client
from ansible_collections.euc.workspaces.plugins.module_utils.common import check_ids
from ansible_collections.euc.workspaces.plugins.module_utils.transformations import normalize_bundle

# The API's Owner value for each choice: AMAZON for public bundles, none at all for the account's own.
OWNERS = {"amazon": ["AMAZON"], "self": [None], "any": ["AMAZON", None]}

ARGUMENT_SPEC = {
    "bundle_ids": {"type": "list", "elements": "str"},
    "owner": {"type": "str", "choices": ["amazon", "self", "any"], "default": "any"},
    "name": {"type": "str"},
}


def list_bundles(client, params: dict) -> list[dict]:
    """The bundles the options select, complete, as the API describes them."""
    if params["bundle_ids"] is not None:
        if not params["bundle_ids"]:
            return []
        order: dict[str, int] = {}
        for bundle_id in params["bundle_ids"]:
            order.setdefault(bundle_id, len(order))
        found = reads.describe_bundles(client, bundle_ids=params["bundle_ids"])
        return sorted(found, key=lambda bundle: order.get(bundle["BundleId"], len(order)))
    return reads.describe_bundles_of_owners(client, OWNERS[params["owner"]])


def main():
    module = AnsibleAWSModule(
        argument_spec=ARGUMENT_SPEC,
        mutually_exclusive=[["bundle_ids", "owner"]],
        supports_check_mode=True,
    )
    params = module.params
    problems = check_ids("bundle_ids", "bundle", params["bundle_ids"])
    if problems:
        module.fail_json(msg="; ".join(problems))

    client = workspaces_client(module)
    with reported_failures(module, "list WorkSpaces bundles"):
        found = list_bundles(client, params)
    if params["name"] is not None:
        found = [bundle for bundle in found if bundle.get("Name") == params["name"]]
    module.exit_json(changed=False, bundles=[normalize_bundle(bundle) for bundle in found])


if __name__ == "__main__":
    main()
