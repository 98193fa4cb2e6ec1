# Copyright: (c) 2026, euc.workspaces contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: workspaces
short_description: Amazon WorkSpaces as inventory hosts
version_added: 0.1.0
description:
  - Makes every Amazon WorkSpace (cloud desktop) an inventory host, so desktops can be configured
    with Ansible (software, patches, settings).
  - The inventory source is a YAML file whose name ends in C(workspaces.yml) or C(workspaces.yaml),
    for example C(office.workspaces.yml).
  - Each host carries the WorkSpace's fields in snake_case (as M(euc.workspaces.workspace_info) returns
    them), its tags as a dict in C(workspace_tags), the C(region) it lives in, and C(ansible_host) set to its
    IP address. O(compose), O(groups) and O(keyed_groups) see the same names, for example
    C(workspace_tags.Department). (The tags are not in C(tags), which is a play keyword, a name reserved by
    Ansible.)
  - "Every host is in the group C(workspaces) and in one group for each of its directory, bundle, state,
    running mode and compute type: C(workspaces_directory_<id>), C(workspaces_bundle_<id>),
    C(workspaces_state_<state>), C(workspaces_running_mode_<mode>) and C(workspaces_compute_type_<type>),
    in lower case (for example C(workspaces_directory_d_1234567890), C(workspaces_state_available),
    C(workspaces_running_mode_auto_stop), C(workspaces_compute_type_standard))."
  - Every group name the plugin makes, including those from O(keyed_groups) and O(groups), is a valid
    Ansible group name whatever the C(TRANSFORM_INVALID_GROUP_CHARS) setting says; any character other
    than a letter, a digit or an underscore becomes an underscore.
  - Listings are complete (every page is read, each page retried on throttling); tags are read in bulk
    through the Resource Groups Tagging API (C(tag:GetResources)), or with one C(DescribeTags) call per
    WorkSpace where that API is not allowed.
  - A region that cannot be read (the service is not offered there, the region is not enabled for the
    account, or an AWS error) is reported with a warning naming the region, and the WorkSpaces of the other
    regions still load. The plugin fails only when no region could be read at all.
author:
  - euc.workspaces contributors (@euc-workspaces)
extends_documentation_fragment:
  - inventory_cache
  - constructed
  - amazon.aws.boto3
  - amazon.aws.common.plugins
  - amazon.aws.region.plugins
  - amazon.aws.assume_role.plugins
notes:
  - The IAM permissions needed are C(workspaces:DescribeWorkspaces) and C(tag:GetResources) (or
    C(workspaces:DescribeTags)), and C(workspaces:DescribeWorkspacesConnectionStatus) with
    O(include_connection_status).
  - With caching on, a result that misses a region because of an AWS error is not written to the cache,
    so a later run does not serve an incomplete inventory as complete. Regions where the service is
    simply not available do not prevent caching.
  - The cache holds the WorkSpaces that matched the filters; after changing O(directory_ids), O(bundle_ids),
    O(states) or O(tag_filters), run with C(--flush-cache) (or O(cache=false)) once.
    O(hostnames), O(compose), O(groups) and O(keyed_groups) are applied to cached data too.
options:
  plugin:
    description:
      - The name of this plugin; it marks the file as a WorkSpaces inventory source.
    type: str
    required: true
    choices: ["euc.workspaces.workspaces"]
  regions:
    description:
      - The regions whose WorkSpaces make up the inventory.
      - When empty, every region in which botocore lists the WorkSpaces service. Regions that are not
        enabled for the account are then skipped quietly (shown with C(-v)) instead of with a warning.
    type: list
    elements: str
    default: []
  directory_ids:
    description:
      - Only WorkSpaces of these directories. Each directory is listed with one C(DescribeWorkspaces)
        query of its own.
      - When empty, WorkSpaces of every directory.
    type: list
    elements: str
    default: []
  bundle_ids:
    description:
      - Only WorkSpaces made from these bundles.
      - When O(directory_ids) is empty, each bundle is listed with one C(DescribeWorkspaces) query of its own;
        together with O(directory_ids), a WorkSpace must match both.
    type: list
    elements: str
    default: []
  states:
    description:
      - Only WorkSpaces in one of these states, for example V(AVAILABLE), V(STOPPED), V(IMPAIRED) or V(ERROR).
      - V(all) keeps WorkSpaces in every state.
    type: list
    elements: str
    default: [AVAILABLE]
  tag_filters:
    description:
      - Only WorkSpaces whose tags match every entry. The key is a tag key; the value is the tag value
        wanted, a list of acceptable values, or V(null) for "the tag is set, whatever its value".
      - Values are compared as strings, case-sensitively. AWS tag values are always strings, so a YAML boolean
        is compared as V(true) or V(false) in lower case (the way such tags are usually written), also inside a
        list, and a number as its text (V(1) as V("1")). A tag value written V(True) is matched by the quoted
        string V('True').
    type: dict
    default: {}
  hostnames:
    description:
      - Where a host's name comes from, in order of preference; the first field that has a value is used.
      - When none of the listed fields has a value, or when the name is already taken by another WorkSpace
        (a warning says which), the WorkSpace ID is used, which is unique and always present.
    type: list
    elements: str
    choices: [computer_name, ip_address, workspace_id, user_name, workspace_name]
    default: [computer_name, ip_address, workspace_id]
  include_connection_status:
    description:
      - Also read each WorkSpace's connection status (one C(DescribeWorkspacesConnectionStatus) call per
        25 WorkSpaces) into the host variables C(connection_state), C(connection_state_check_timestamp) and
        C(last_known_user_connection_timestamp).
    type: bool
    default: false
"""

EXAMPLES = r"""
# office.workspaces.yml: the AVAILABLE WorkSpaces of two regions, named by computer name.
plugin: euc.workspaces.workspaces
regions:
  - us-east-1
  - eu-west-1

---
# patching.workspaces.yml: running and stopped desktops of one directory that opted in to patching,
# with groups from tags and variables for the connection.
plugin: euc.workspaces.workspaces
regions: [us-east-1]
directory_ids: [d-1234567890]
states: [AVAILABLE, STOPPED]
tag_filters:
  Patching: [weekly, monthly]
  Owner:            # any value
hostnames: [computer_name, workspace_id]
keyed_groups:
  - key: workspace_tags.Department | default('none')
    prefix: department
  - key: region
    prefix: region
groups:
  power_users: workspace_properties.compute_type_name in ['POWER', 'POWERPRO']
compose:
  ansible_connection: "'winrm' if (workspace_properties.operating_system_name | default('WINDOWS', true)) is search('WINDOWS') else 'ssh'"
  ansible_user: user_name

---
# cached.workspaces.yml: cache the listing for an hour in JSON files.
plugin: euc.workspaces.workspaces
regions: [us-west-2]
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/ansible-workspaces
cache_timeout: 3600

---
# other-account.workspaces.yml: WorkSpaces of another account, through a role.
plugin: euc.workspaces.workspaces
regions: [us-east-1]
assume_role_arn: arn:aws:iam::123456789012:role/WorkSpacesInventory
include_connection_status: true
"""

try:
    import botocore
except ImportError:
    pass  # AWSInventoryBase.parse() reports a missing botocore.

from ansible.errors import AnsibleError
from ansible.inventory.group import to_safe_group_name
from ansible.module_utils.common.text.converters import to_text
from ansible.utils.display import Display
from ansible_collections.amazon.aws.plugins.plugin_utils.inventory import AWSInventoryBase

from ansible_collections.euc.workspaces.plugins.module_utils import reads
from ansible_collections.euc.workspaces.plugins.module_utils.client import (
    error_code,
    tagging_client,
    workspaces_client,
)
from ansible_collections.euc.workspaces.plugins.module_utils.common import ALL_STATES, check_ids
from ansible_collections.euc.workspaces.plugins.module_utils.transformations import normalize_workspace

display = Display()

GROUP_PREFIX = "workspaces"

# The default groups: group kind -> where its value is in a host record.
DEFAULT_GROUPS = (
    ("directory", ("directory_id",)),
    ("bundle", ("bundle_id",)),
    ("state", ("state",)),
    ("running_mode", ("workspace_properties", "running_mode")),
    ("compute_type", ("workspace_properties", "compute_type_name")),
)

# Answers that mean "WorkSpaces cannot be reached in this region", not "something went wrong there":
# the service is not offered (no endpoint), or the region is not enabled for the account.
REGION_UNAVAILABLE_CODES = frozenset(
    ["UnrecognizedClientException", "InvalidClientTokenId", "AuthFailure", "OptInRequired", "InvalidSignatureException"]
)


class RegionUnavailable(Exception):
    """WorkSpaces cannot be reached in a region; the region has no WorkSpaces for this inventory."""


def safe_group_name(name: str) -> str:
    """A valid Ansible group name: characters other than letters, digits and underscores become underscores."""
    name = to_text(name)
    if name[:1].isdigit():
        name = f"_{name}"  # Ansible would replace the digit itself
    return to_safe_group_name(name, replacer="_", force=True, silent=True)


def field(record: dict, path: tuple):
    """The value at a path of keys in a host record; None when any key is missing."""
    value = record
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def default_groups(record: dict) -> list[str]:
    """The default group names of one host record: workspaces, then one group per directory, bundle, ..."""
    names = [GROUP_PREFIX]
    for kind, path in DEFAULT_GROUPS:
        value = field(record, path)
        if value not in (None, ""):
            names.append(safe_group_name(f"{GROUP_PREFIX}_{kind}_{value}".lower()))
    return names


def host_variables(record: dict) -> dict:
    """A host record's host variables: its tags are in workspace_tags, since tags is a reserved name (a play keyword).

    The cache holds records as normalize_workspace makes them; the rename happens here, for cached records too.
    """
    host_vars = dict(record)
    host_vars["workspace_tags"] = host_vars.pop("tags", None) or {}
    return host_vars


def preferred_hostname(record: dict, hostnames: list[str]) -> str:
    """The first field in the preference list that has a value; the WorkSpace ID when none has."""
    for name in hostnames:
        value = record.get(name)
        if value not in (None, ""):
            return to_text(value)
    return record["workspace_id"]


def wanted_states(states: list[str]) -> frozenset | None:
    """The states to keep (None: every state); unknown states raise, naming them."""
    upper = [to_text(state).upper() for state in states or []]
    if "ALL" in upper:
        return None
    unknown = sorted(set(upper) - ALL_STATES)
    if unknown:
        raise AnsibleError(
            f"states: unknown WorkSpace state(s) {', '.join(unknown)}; choose from all, {', '.join(sorted(ALL_STATES))}"
        )
    return frozenset(upper)


def tag_value_text(value) -> str:
    """A tag filter value as the text of a tag value: YAML booleans in lower case ("true"), numbers as their text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return to_text(value)


def tag_filter_values(tag_filters: dict) -> dict[str, frozenset | None]:
    """tag_filters as key -> acceptable values (None: any value, as long as the tag is set)."""
    result: dict[str, frozenset | None] = {}
    for key, value in (tag_filters or {}).items():
        if value is None:
            result[to_text(key)] = None
        elif isinstance(value, (list, tuple)):
            result[to_text(key)] = frozenset(tag_value_text(item) for item in value)
        else:
            result[to_text(key)] = frozenset([tag_value_text(value)])
    return result


def matches_tags(tags: dict, wanted: dict[str, frozenset | None]) -> bool:
    """True when the tags satisfy every tag filter."""
    for key, values in wanted.items():
        if key not in tags:
            return False
        if values is not None and to_text(tags[key]) not in values:
            return False
    return True


def one_line(text, limit: int = 300) -> str:
    """An error text as one line of at most limit characters (some endpoints answer with a whole HTML page)."""
    text = " ".join(to_text(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def region_problem(error: Exception) -> tuple[bool, str]:
    """(whether the error means the service is unavailable in the region, a message for the user)."""
    if isinstance(error, RegionUnavailable):
        return True, one_line(error)
    if isinstance(error, (botocore.exceptions.EndpointConnectionError, botocore.exceptions.UnknownServiceError)):
        return True, f"the WorkSpaces service is not available there ({one_line(error)})"
    if isinstance(error, botocore.exceptions.ClientError):
        code = error_code(error)
        message = one_line(error.response.get("Error", {}).get("Message", ""))
        if code in REGION_UNAVAILABLE_CODES:
            return True, f"the region does not accept these credentials, it may not be enabled ({code}: {message})"
        return False, f"{code}: {message}"
    return False, one_line(error)


class InventoryModule(AWSInventoryBase):
    NAME = "euc.workspaces.workspaces"
    INVENTORY_FILE_SUFFIXES = ("workspaces.yml", "workspaces.yaml")

    # Group names from the plugin, keyed_groups and groups are always made valid.
    _sanitize_group_name = staticmethod(safe_group_name)

    class TemplatedOptions(AWSInventoryBase.TemplatedOptions):
        """amazon.aws's option templating, without the disable_lookups argument ansible-core 2.19 deprecates.

        Only values (or list and dict items) that are templates are templated; lookups stay allowed, which is
        what amazon.aws asks for and ansible-core's default.
        """

        def get(self, *args):
            value = self.original_options.get(*args)
            if not value or not self.templar or args[0] not in self.TEMPLATABLE_OPTIONS:
                return value
            return self._template(value)

        def _template(self, value):
            if isinstance(value, dict):
                return {key: self._template(item) for key, item in value.items()}
            if isinstance(value, list):
                return [self._template(item) for item in value]
            if isinstance(value, str) and self.templar.is_template(value):
                return self.templar.template(value)
            return value

    def __init__(self):
        super().__init__()
        self.states: frozenset | None = None
        self.tag_filters: dict = {}
        self.failed_regions: dict[str, str] = {}
        self.unavailable_regions: dict[str, str] = {}

    # -- reading ---------------------------------------------------------------------------------------------

    def _regions(self) -> tuple[list[str], bool]:
        """The regions to read and whether the user named them."""
        regions = self.get_option("regions")
        if regions:
            return list(dict.fromkeys(regions)), True
        return sorted(botocore.session.get_session().get_available_regions("workspaces")), False

    def _check_options(self):
        problems = check_ids("directory_ids", "directory", self.get_option("directory_ids"))
        problems += check_ids("bundle_ids", "bundle", self.get_option("bundle_ids"))
        if problems:
            raise AnsibleError("; ".join(problems))
        self.states = wanted_states(self.get_option("states"))
        self.tag_filters = tag_filter_values(self.get_option("tag_filters"))

    def _clients(self, region: str):
        try:
            return workspaces_client(self, region=region), tagging_client(self, region=region)
        except AnsibleError as error:
            # amazon.aws turns botocore's failures to make a client (such as an unknown service) into AnsibleError.
            raise RegionUnavailable(f"no WorkSpaces client could be made for it ({error})") from error

    def _list_workspaces(self, client) -> list[dict]:
        directory_ids = self.get_option("directory_ids") or []
        bundle_ids = self.get_option("bundle_ids") or []
        found: dict[str, dict] = {}
        if directory_ids:
            queries = [{"DirectoryId": directory_id} for directory_id in directory_ids]
        elif bundle_ids:
            queries = [{"BundleId": bundle_id} for bundle_id in bundle_ids]
        else:
            queries = [{}]
        for query in queries:
            for workspace in reads.describe_workspaces(client, **query):
                found.setdefault(workspace["WorkspaceId"], workspace)
        workspaces = list(found.values())
        if directory_ids and bundle_ids:
            workspaces = [w for w in workspaces if w.get("BundleId") in bundle_ids]
        if self.states is not None:
            workspaces = [w for w in workspaces if w.get("State") in self.states]
        return workspaces

    def _read_region(self, region: str) -> list[dict]:
        """The host records of one region, sorted by WorkSpace ID; raises when the region cannot be read."""
        client, tagging = self._clients(region)
        workspaces = self._list_workspaces(client)
        ids = [w["WorkspaceId"] for w in workspaces]
        tags = reads.resource_tags(client, tagging, ids, warn=self.warn)
        workspaces = [w for w in workspaces if matches_tags(tags.get(w["WorkspaceId"], {}), self.tag_filters)]
        statuses = {}
        if self.get_option("include_connection_status") and workspaces:
            statuses = reads.describe_connection_status(client, [w["WorkspaceId"] for w in workspaces])
        records = []
        for workspace in sorted(workspaces, key=lambda w: w["WorkspaceId"]):
            workspace_id = workspace["WorkspaceId"]
            connection = statuses.get(workspace_id, {}) if self.get_option("include_connection_status") else None
            record = normalize_workspace(workspace, tags=tags.get(workspace_id, {}), connection=connection)
            record["region"] = region
            records.append(record)
        return records

    def _query(self) -> list[dict]:
        """Host records of every region that could be read; a region that could not is reported and left out."""
        regions, named = self._regions()
        records: list[dict] = []
        loaded = 0
        for region in regions:
            try:
                records.extend(self._read_region(region))
                loaded += 1
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError, RegionUnavailable) as error:
                unavailable, reason = region_problem(error)
                if unavailable:
                    self.unavailable_regions[region] = reason
                    message = f"WorkSpaces inventory: skipped region {region}: {reason}"
                    if named:
                        self.warn(message)
                    else:
                        display.v(message)
                else:
                    self.failed_regions[region] = reason
                    self.warn(
                        f"WorkSpaces inventory: could not read region {region}, its WorkSpaces are missing from "
                        f"this inventory: {reason}"
                    )
        if regions and not loaded:
            problems = {**self.unavailable_regions, **self.failed_regions}
            details = "; ".join(f"{region}: {reason}" for region, reason in problems.items())
            raise AnsibleError(f"WorkSpaces inventory: no region could be read ({details})")
        return records

    # -- populating ------------------------------------------------------------------------------------------

    def _populate(self, records: list[dict]):
        hostnames = self.get_option("hostnames") or []
        strict = self.get_option("strict")
        owners: dict[str, str] = {}  # host name -> WorkSpace ID holding it
        self.inventory.add_group(GROUP_PREFIX)
        for record in records:
            workspace_id = record["workspace_id"]
            name = preferred_hostname(record, hostnames)
            if owners.get(name, workspace_id) != workspace_id:
                self.warn(
                    f"WorkSpaces inventory: host name {name!r} of {workspace_id} is already used by "
                    f"{owners[name]}; using {workspace_id} as its name"
                )
                name = workspace_id
            owners[name] = workspace_id

            host_vars = host_variables(record)
            if record.get("ip_address"):
                host_vars["ansible_host"] = record["ip_address"]
            for group in default_groups(record):
                self.inventory.add_group(group)
                self.inventory.add_host(name, group=group)
            for key, value in host_vars.items():
                self.inventory.set_variable(name, key, value)
            self._set_composite_vars(self.get_option("compose"), host_vars, name, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), host_vars, name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), host_vars, name, strict=strict)

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache=cache)
        self._check_options()

        was_cached, records = self.get_cached_result(path, cache)
        if not was_cached:
            records = self._query()
        self._populate(records)
        if not was_cached and not self.failed_regions:
            self.update_cached_result(path, cache, records)
