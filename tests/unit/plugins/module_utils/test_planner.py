"""The planner: desired + current -> steps, refusals, predictions, diffs, summaries. No API at all."""

from __future__ import annotations

import pytest

from ansible_collections.euc.workspaces.plugins.module_utils import planner
from ansible_collections.euc.workspaces.plugins.module_utils.common import ALL_STATES, TRANSITIONAL_STATES
from ansible_collections.euc.workspaces.plugins.module_utils.planner import (
    Item,
    Outcome,
    Refusal,
    build_items,
    find_current,
    plan_item,
    summarize,
)

D = "d-1234567890"
B = "wsb-0123abcd4"
WS = "ws-abcd12345"


def workspace(state="AVAILABLE", mode="AUTO_STOP", workspace_id=WS, user="jdoe", **extra):
    properties = {
        "RunningMode": mode,
        "ComputeTypeName": "STANDARD",
        "RootVolumeSizeGib": 80,
        "UserVolumeSizeGib": 50,
        "Protocols": ["PCOIP"],
    }
    if mode == "AUTO_STOP":
        properties["RunningModeAutoStopTimeoutInMinutes"] = 60
    properties.update(extra.pop("properties", {}))
    return {
        "WorkspaceId": workspace_id,
        "DirectoryId": D,
        "UserName": user,
        "BundleId": B,
        "State": state,
        "WorkspaceProperties": properties,
        **extra,
    }


def item(**values) -> Item:
    values.setdefault("directory_id", D)
    values.setdefault("user_name", "jdoe")
    return Item.from_values(None, values, explicit=tuple(values))


def kinds(plan) -> list[str]:
    return [step.kind for step in plan.steps]


def problems_of(**params) -> list[str]:
    base = dict.fromkeys(planner.ITEM_OPTIONS)
    base.update({"state": "present", "purge_tags": True, "directory_id": D, "user_name": "jdoe", "workspaces": None})
    base.update(params)
    return build_items(base)[1]


# -- validation before any call ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"running_mode_auto_stop_timeout": 90}, "running_mode_auto_stop_timeout must be a positive multiple of 60"),
        ({"running_mode_auto_stop_timeout": 0}, "running_mode_auto_stop_timeout must be a positive multiple of 60"),
        (
            {"running_mode": "ALWAYS_ON", "running_mode_auto_stop_timeout": 60},
            "applies to running_mode AUTO_STOP only, not to running_mode ALWAYS_ON",
        ),
        ({"root_volume_size": 0}, "root_volume_size must be a positive number"),
        ({"protocols": []}, "protocols must name at least one protocol"),
        ({"tags": {f"k{n}": "v" for n in range(51)}}, "51 tags given, a WorkSpace can have at most 50"),
        ({"tags": {"": "v"}}, "key '' must be 1 to 127 characters"),
        ({"tags": {"k" * 128: "v"}}, "must be 1 to 127 characters"),
        ({"tags": {"k": "v" * 256}}, "the value of 'k' is longer than 255"),
        ({"tags": {"aws:cloudformation:stack": "x"}}, "starts with 'aws:', which AWS reserves"),
        ({"workspace_id": "ws-SHOUT", "user_name": None}, "workspace_id: 'ws-SHOUT' is not a workspace ID"),
        ({"directory_id": "d-xyz"}, "directory_id: 'd-xyz' is not a directory ID"),
        ({"bundle_id": "bundle-1"}, "bundle_id: 'bundle-1' is not a bundle ID"),
        ({"user_name": ""}, "user_name is empty"),
        ({"user_name": "u" * 64}, "longer than 63 characters"),
        ({"user_name": " jdoe"}, "starts or ends with white space"),
        ({"user_name": "j\tdoe"}, "contains a control character"),
        ({"user_name": None}, "workspace_id or user_name is required"),
        ({"directory_id": None}, "directory_id is required with user_name"),
        ({"workspace_name": "-bad"}, "workspace_name: '-bad' is not a WorkSpace name"),
    ],
)
def test_bad_options_are_found_before_any_call(params, expected):
    problems = problems_of(**params)
    assert any(expected in problem for problem in problems), problems


def test_good_options_have_no_problems():
    assert (
        problems_of(
            running_mode="AUTO_STOP",
            running_mode_auto_stop_timeout=120,
            root_volume_size=175,
            protocols=["WSP"],
            tags={"k" * 127: "v" * 255, "n": 3},
        )
        == []
    )


def test_batch_problems_name_the_item_index_and_user():
    params = dict.fromkeys(planner.ITEM_OPTIONS)
    params.update(
        state="present",
        purge_tags=True,
        directory_id=D,
        workspaces=[{"user_name": "ok"}, {"user_name": "jdoe", "running_mode_auto_stop_timeout": 61}],
    )
    problems = build_items(params)[1]
    assert problems == [
        "workspaces[1] (user_name jdoe): running_mode_auto_stop_timeout must be a positive multiple of 60 minutes, "
        "got 61"
    ]


def test_batch_items_take_top_level_defaults_and_override_them():
    params = dict.fromkeys(planner.ITEM_OPTIONS)
    params.update(
        state="present",
        purge_tags=True,
        directory_id=D,
        bundle_id=B,
        compute_type="STANDARD",
        tags={"team": "a"},
        workspaces=[
            {"user_name": "one"},
            {"user_name": "two", "compute_type": "POWER", "tags": {}, "purge_tags": False, "state": "absent"},
        ],
    )
    items, problems = build_items(params)
    assert problems == []
    first, second = items
    assert (first.directory_id, first.bundle_id, first.properties, first.tags, first.state) == (
        D,
        B,
        {"compute_type": "STANDARD"},
        {"team": "a"},
        "present",
    )
    assert (second.properties, second.tags, second.purge_tags, second.state) == (
        {"compute_type": "POWER"},
        {},
        False,
        "absent",
    )


def test_duplicate_items_are_refused_before_any_call():
    params = dict.fromkeys(planner.ITEM_OPTIONS)
    params.update(
        state="present", purge_tags=True, directory_id=D, workspaces=[{"user_name": "JDoe"}, {"user_name": "jdoe"}]
    )
    problems = build_items(params)[1]
    expected = "workspaces[1] (user_name jdoe) and workspaces[0] (user_name JDoe) name the same WorkSpace"
    assert problems == [f"{expected} (user jdoe in directory {D})"]


def test_tag_values_become_strings():
    assert item(tags={"n": 3, "b": True, "none": None}).tags == {"n": "3", "b": "true", "none": ""}


@pytest.mark.parametrize("value", [["a"], {"a": "b"}])
def test_list_and_dict_tag_values_are_refused(value):
    problems = problems_of(tags={"team": value})
    assert any("tags: the value of 'team' must be a string, number or boolean" in p for p in problems), problems


def test_an_empty_compute_type_is_refused():
    assert "compute_type must not be empty" in problems_of(compute_type="")


def test_same_user_with_and_without_a_workspace_name_is_a_duplicate():
    params = dict.fromkeys(planner.ITEM_OPTIONS)
    params.update(
        state="present",
        purge_tags=True,
        directory_id=D,
        workspaces=[
            {"user_name": "jdoe"},
            {"user_name": "JDOE", "workspace_name": "x1"},
            {"user_name": "amy", "workspace_name": "one"},
            {"user_name": "amy", "workspace_name": "two"},
            {"user_name": "bob", "workspace_name": "same"},
            {"user_name": "Bob", "workspace_name": "same"},
        ],
    )
    problems = build_items(params)[1]
    assert problems == [
        "workspaces[1] (user_name JDOE) and workspaces[0] (user_name jdoe) name the same WorkSpace "
        f"(user JDOE in directory {D})",
        "workspaces[5] (user_name Bob) and workspaces[4] (user_name bob) name the same WorkSpace "
        f"(user Bob in directory {D})",
    ]


def test_an_item_without_identity_is_labelled_by_its_place():
    params = dict.fromkeys(planner.ITEM_OPTIONS)
    params.update(state="present", purge_tags=True, directory_id=D, workspaces=[{}])
    assert build_items(params)[1] == ["workspaces[0]: workspace_id or user_name is required"]


# -- matching ---------------------------------------------------------------------------------------------------


def test_user_names_match_without_case():
    found = find_current(item(user_name="JDOE"), {}, {D: [workspace(user="jdoe")]})
    assert found["WorkspaceId"] == WS


def test_workspace_name_narrows_a_user_with_several():
    listing = [
        workspace(workspace_id="ws-aaaaaaaa1", WorkspaceName="one"),
        workspace(workspace_id="ws-aaaaaaaa2", WorkspaceName="two"),
    ]
    assert find_current(item(workspace_name="two"), {}, {D: listing})["WorkspaceId"] == "ws-aaaaaaaa2"
    with pytest.raises(Refusal, match="has 2 WorkSpaces .*ws-aaaaaaaa1, ws-aaaaaaaa2.*set workspace_name"):
        find_current(item(), {}, {D: listing})


@pytest.mark.parametrize("gone", ["TERMINATED", "TERMINATING"])
def test_a_terminated_leftover_does_not_make_a_user_ambiguous(gone):
    listing = [workspace(workspace_id="ws-aaaaaaaa1", state=gone), workspace(workspace_id="ws-aaaaaaaa2")]
    assert find_current(item(), {}, {D: listing})["WorkspaceId"] == "ws-aaaaaaaa2"


def test_a_workspace_name_that_matches_nothing_is_refused_when_the_user_has_workspaces():
    listing = [workspace(workspace_id="ws-aaaaaaaa1"), workspace(workspace_id="ws-aaaaaaaa2", WorkspaceName="desk")]
    with pytest.raises(Refusal) as refused:
        find_current(item(workspace_name="other", bundle_id=B), {}, {D: listing})
    message = str(refused.value)
    assert "user jdoe in directory d-1234567890 has no WorkSpace named 'other'" in message
    assert "ws-aaaaaaaa1 (no name)" in message and "ws-aaaaaaaa2 (named 'desk')" in message
    assert find_current(item(workspace_name="other", state="absent"), {}, {D: listing}) is None
    # only TERMINATED ones left: nothing to confuse, a new named WorkSpace may be created
    assert find_current(item(workspace_name="other"), {}, {D: [workspace(state="TERMINATED")]}) is None


def test_workspace_id_that_belongs_to_someone_else_is_refused():
    with pytest.raises(Refusal, match="belongs to user other"):
        find_current(item(workspace_id=WS), {WS: workspace(user="other")}, {})


def test_missing_user_is_none():
    assert find_current(item(), {}, {D: [workspace(user="other")]}) is None


# -- present ----------------------------------------------------------------------------------------------------


def test_create_sends_only_what_the_task_sets():
    plan = plan_item(item(bundle_id=B), None)
    assert kinds(plan) == ["create"]
    assert plan.steps[0].params == {"DirectoryId": D, "UserName": "jdoe", "BundleId": B}
    assert plan.actions == ["create"]


def test_create_carries_properties_encryption_name_and_tags_inline():
    plan = plan_item(
        item(
            bundle_id=B,
            workspace_name="desk-01",
            running_mode="AUTO_STOP",
            running_mode_auto_stop_timeout=120,
            protocols=["WSP"],
            volume_encryption_key="alias/ws",
            root_volume_encryption=True,
            tags={"team": "a"},
        ),
        None,
    )
    assert plan.steps[0].params == {
        "DirectoryId": D,
        "UserName": "jdoe",
        "BundleId": B,
        "WorkspaceName": "desk-01",
        "VolumeEncryptionKey": "alias/ws",
        "RootVolumeEncryptionEnabled": True,
        "WorkspaceProperties": {
            "RunningMode": "AUTO_STOP",
            "RunningModeAutoStopTimeoutInMinutes": 120,
            "Protocols": ["WSP"],
        },
        "Tags": [{"Key": "team", "Value": "a"}],
    }
    assert plan.actions == ["create", "tag"]
    assert plan.after_tags == {"team": "a"}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "bundle_id is required to create a WorkSpace for user jdoe"),
        ({"bundle_id": B, "workspace_id": WS, "user_name": None}, f"WorkSpace {WS} does not exist"),
        ({"bundle_id": B, "running_mode_auto_stop_timeout": 60}, "needs running_mode AUTO_STOP to create"),
        ({"bundle_id": B, "root_volume_encryption": True}, "volume_encryption_key is required"),
    ],
)
def test_create_refusals(values, message):
    plan = plan_item(item(**values), None)
    assert plan.steps == [] and message in plan.error


def test_create_in_maintenance_needs_wait():
    assert "needs wait=true" in plan_item(item(bundle_id=B, admin_maintenance=True), None, wait=False).error
    plan = plan_item(item(bundle_id=B, admin_maintenance=True), None)
    assert kinds(plan) == ["create", "maintenance"]
    assert plan.after["State"] == "ADMIN_MAINTENANCE"


def test_existing_workspace_without_options_is_unchanged():
    plan = plan_item(item(bundle_id=B), workspace())
    assert plan.steps == [] and plan.error is None and plan.warnings == []
    assert plan.after == workspace()


def test_unset_options_never_drift():
    """A WorkSpace far from any 'default' is left alone when the task says nothing about it."""
    odd = workspace(mode="ALWAYS_ON", properties={"ComputeTypeName": "POWER", "RootVolumeSizeGib": 175})
    assert plan_item(item(), odd).steps == []


def test_properties_go_in_calls_the_service_accepts_in_order():
    plan = plan_item(
        item(
            protocols=["WSP"],
            user_volume_size=100,
            root_volume_size=175,
            compute_type="POWER",
            running_mode="ALWAYS_ON",
        ),
        workspace(),
    )
    assert [step.params["WorkspaceProperties"] for step in plan.steps] == [
        {"RunningMode": "ALWAYS_ON"},
        {"ComputeTypeName": "POWER"},
        {"RootVolumeSizeGib": 175},
        {"UserVolumeSizeGib": 100},
        {"Protocols": ["WSP"]},
    ]
    assert all(step.goal == "settled" for step in plan.steps)
    assert plan.modified == ["running_mode", "compute_type", "root_volume_size", "user_volume_size", "protocols"]
    assert plan.actions == ["modify"]


def test_only_differing_properties_are_sent():
    plan = plan_item(item(compute_type="STANDARD", user_volume_size=100, protocols=["PCOIP"]), workspace())
    assert [step.params for step in plan.steps] == [{"WorkspaceProperties": {"UserVolumeSizeGib": 100}}]


def test_protocol_order_does_not_matter():
    current = workspace(properties={"Protocols": ["WSP", "PCOIP"]})
    assert plan_item(item(protocols=["PCOIP", "WSP"]), current).steps == []


@pytest.mark.parametrize("option", ["root_volume_size", "user_volume_size"])
def test_shrinking_a_volume_is_refused(option):
    plan = plan_item(item(**{option: 10}), workspace())
    assert plan.steps == []
    assert f"{option} 10 is smaller than the current" in plan.error and WS in plan.error


def test_auto_stop_timeout_alone_changes_alone():
    plan = plan_item(item(running_mode_auto_stop_timeout=180), workspace())
    assert [step.params for step in plan.steps] == [
        {"WorkspaceProperties": {"RunningModeAutoStopTimeoutInMinutes": 180}}
    ]


def test_auto_stop_timeout_goes_with_a_new_running_mode():
    plan = plan_item(item(running_mode="AUTO_STOP", running_mode_auto_stop_timeout=60), workspace(mode="ALWAYS_ON"))
    assert plan.steps[0].params == {
        "WorkspaceProperties": {"RunningMode": "AUTO_STOP", "RunningModeAutoStopTimeoutInMinutes": 60}
    }


def test_auto_stop_timeout_on_an_always_on_workspace_is_refused():
    plan = plan_item(item(running_mode_auto_stop_timeout=120), workspace(mode="ALWAYS_ON"))
    assert f"applies to AUTO_STOP only; {WS} is ALWAYS_ON" in plan.error


def test_maintenance_on_comes_after_property_changes():
    plan = plan_item(item(admin_maintenance=True, compute_type="POWER"), workspace())
    assert kinds(plan) == ["modify", "maintenance"]
    assert plan.steps[1].params == {"WorkspaceState": "ADMIN_MAINTENANCE"}
    assert plan.steps[1].goal == "in_maintenance"
    assert plan.actions == ["modify", "maintenance"]


@pytest.mark.parametrize("state", ["UNHEALTHY", "IMPAIRED", "REBOOTING", "ERROR"])
def test_maintenance_is_entered_only_from_available_or_stopped(state):
    """Refused in the plan, in check mode too, rather than sent and refused by the service."""
    assert (
        "cannot put ws-abcd12345 in ADMIN_MAINTENANCE while it is"
        in plan_item(item(admin_maintenance=True), workspace(state=state), settled=True).error
    )


def test_maintenance_off_comes_before_property_changes():
    plan = plan_item(item(admin_maintenance=False, compute_type="POWER"), workspace(state="ADMIN_MAINTENANCE"))
    assert kinds(plan) == ["maintenance", "modify"]
    assert plan.steps[0].params == {"WorkspaceState": "AVAILABLE"}
    assert plan.steps[0].goal == "out_of_maintenance"


def test_properties_cannot_change_in_maintenance():
    plan = plan_item(item(compute_type="POWER"), workspace(state="ADMIN_MAINTENANCE"))
    assert "while ws-abcd12345 is in ADMIN_MAINTENANCE: set admin_maintenance=false" in plan.error


@pytest.mark.parametrize("state", ["ADMIN_MAINTENANCE", "AVAILABLE"])
def test_maintenance_already_as_asked_is_unchanged(state):
    assert plan_item(item(admin_maintenance=state == "ADMIN_MAINTENANCE"), workspace(state=state)).steps == []


@pytest.mark.parametrize("state", ["ERROR", "SUSPENDED", "IMPAIRED", "UNHEALTHY"])
def test_properties_need_available_or_stopped(state):
    plan = plan_item(item(compute_type="POWER"), workspace(state=state))
    assert f"while ws-abcd12345 is {state} (it must be AVAILABLE or STOPPED)" in plan.error


def test_stopped_workspace_can_change_properties():
    assert kinds(plan_item(item(compute_type="POWER"), workspace(state="STOPPED"))) == ["modify"]


def test_transitional_state_waits_before_property_changes_but_not_before_tags():
    updating = workspace(state="UPDATING")
    plan = plan_item(item(compute_type="POWER"), updating)
    assert plan.settle_first and kinds(plan) == ["modify"]
    tags_only = plan_item(item(tags={"a": "b"}), updating, current_tags={})
    assert not tags_only.settle_first and kinds(tags_only) == ["set_tags"]


def test_a_property_change_in_progress_is_waited_out_before_another():
    busy = workspace(ModificationStates=[{"Resource": "ROOT_VOLUME", "State": "UPDATE_IN_PROGRESS"}])
    plan = plan_item(item(user_volume_size=100), busy)
    assert plan.settle_first and kinds(plan) == ["modify"]
    assert not plan_item(item(user_volume_size=100), busy, settled=True).settle_first
    assert not plan_item(item(state="rebooted"), busy).settle_first  # a reboot does not care


def test_after_settling_the_real_state_decides():
    plan = plan_item(item(compute_type="POWER"), workspace(state="ERROR"), settled=True)
    assert "is ERROR" in plan.error


def test_present_on_a_workspace_being_terminated_is_refused():
    assert "is TERMINATING: run again once it is gone" in plan_item(item(), workspace(state="TERMINATING")).error


def test_a_terminated_workspace_is_gone_and_present_creates_anew():
    plan = plan_item(item(bundle_id=B), workspace(state="TERMINATED"))
    assert kinds(plan) == ["create"] and plan.error is None and plan.current is None
    assert find_current(item(), {}, {D: [workspace(state="TERMINATED")]}) is None
    assert find_current(item(workspace_id=WS), {WS: workspace(state="TERMINATED")}, {}) is None


@pytest.mark.parametrize("state", ["rebooted", "rebuilt", "started", "stopped"])
def test_actions_on_a_terminated_workspace_say_it_is_gone(state):
    error = plan_item(item(state=state), workspace(state="TERMINATED")).error
    assert "no WorkSpace exists for user jdoe" in error and f"{WS} is TERMINATED" in error


def test_different_bundle_and_encryption_are_warnings_not_actions():
    current = workspace(
        VolumeEncryptionKey="arn:aws:kms:us-east-1:111122223333:key/abc", RootVolumeEncryptionEnabled=True
    )
    plan = plan_item(
        item(
            bundle_id="wsb-99999999z",
            volume_encryption_key="other",
            root_volume_encryption=False,
            user_volume_encryption=False,
        ),
        current,
    )
    assert plan.steps == []
    joined = " | ".join(plan.warnings)
    assert "created from bundle wsb-0123abcd4; bundle_id wsb-99999999z is used only to create" in joined
    assert "VolumeEncryptionKey" in joined and "RootVolumeEncryptionEnabled" in joined
    assert "UserVolumeEncryptionEnabled" not in joined  # not encrypted, and not asked to be


@pytest.mark.parametrize(
    ("wanted", "warns"),
    [
        ("arn:aws:kms:us-east-1:111122223333:key/abc", False),
        ("abc", False),
        ("alias/ws", False),
        ("arn:aws:kms:us-east-1:111122223333:alias/ws", False),  # an alias ARN does not reveal its key either
        ("arn:aws:kms:us-east-1:111122223333:key/other", True),
        ("zzz", True),
    ],
)
def test_encryption_key_forms(wanted, warns):
    current = workspace(VolumeEncryptionKey="arn:aws:kms:us-east-1:111122223333:key/abc")
    assert bool(plan_item(item(volume_encryption_key=wanted), current).warnings) is warns


@pytest.mark.parametrize("state", ["ERROR", "SUSPENDED", "UNHEALTHY", "IMPAIRED"])
def test_an_unusable_state_is_reported_as_a_warning(state):
    plan = plan_item(item(), workspace(state=state, ErrorCode="ResourceLimitExceeded", ErrorMessage="no IPs"))
    assert plan.warnings == [f"ws-abcd12345 is in {state}: ResourceLimitExceeded: no IPs"]


def test_a_usable_state_is_not_warned_about():
    assert plan_item(item(), workspace(state="STOPPED")).warnings == []


# -- tags -------------------------------------------------------------------------------------------------------


def test_tags_set_changed_and_purge_extra_but_never_aws_keys():
    current = {"keep": "1", "change": "old", "extra": "x", "aws:cloudformation:stack": "s"}
    plan = plan_item(item(tags={"keep": "1", "change": "new", "add": "a"}), workspace(), current_tags=current)
    assert kinds(plan) == ["unset_tags", "set_tags"]
    assert plan.steps[0].params == {"TagKeys": ["extra"]}
    assert plan.steps[1].params == {"Tags": [{"Key": "change", "Value": "new"}, {"Key": "add", "Value": "a"}]}
    assert plan.actions == ["tag"]
    assert plan.after_tags == {"keep": "1", "change": "new", "add": "a", "aws:cloudformation:stack": "s"}


def test_purge_false_keeps_extra_tags():
    plan = plan_item(item(tags={"a": "1"}, purge_tags=False), workspace(), current_tags={"b": "2"})
    assert kinds(plan) == ["set_tags"]


def test_empty_tags_remove_all_but_aws_keys():
    plan = plan_item(item(tags={}), workspace(), current_tags={"a": "1", "aws:x": "y"})
    assert [step.params for step in plan.steps] == [{"TagKeys": ["a"]}]


def test_same_tags_are_unchanged():
    assert plan_item(item(tags={"a": "1"}), workspace(), current_tags={"a": "1"}).steps == []


def test_no_tags_option_leaves_tags_alone():
    assert plan_item(item(), workspace(), current_tags=None).steps == []
    assert not planner.needs_tags(item(), workspace())
    assert planner.needs_tags(item(tags={}), workspace())
    assert not planner.needs_tags(item(tags={}, state="absent"), workspace())


def test_too_many_tags_after_merge_is_refused():
    current = {f"old{n}": "v" for n in range(45)}
    plan = plan_item(
        item(tags={f"new{n}": "v" for n in range(10)}, purge_tags=False), workspace(), current_tags=current
    )
    assert f"{WS} would have 55 tags" in plan.error


def test_aws_tags_do_not_count_toward_the_limit():
    current = {**{f"k{n}": "v" for n in range(49)}, **{f"aws:x{n}": "v" for n in range(3)}}
    plan = plan_item(item(tags={f"k{n}": "v" for n in range(50)}), workspace(), current_tags=current)
    assert plan.error is None and plan.steps[0].params == {"Tags": [{"Key": "k49", "Value": "v"}]}


# -- absent -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["AVAILABLE", "STOPPED", "ERROR", "PENDING", "ADMIN_MAINTENANCE", "UNHEALTHY"])
def test_absent_terminates_any_state_but_suspended(state):
    plan = plan_item(item(state="absent"), workspace(state=state))
    assert kinds(plan) == ["terminate"] and plan.steps[0].goal == "gone" and not plan.settle_first
    assert plan.after is None
    assert plan_item(item(state="absent"), workspace(state=state), wait=False).after["State"] == "TERMINATING"


def test_absent_when_gone_is_unchanged():
    plan = plan_item(item(state="absent"), None)
    assert plan.steps == [] and plan.error is None and plan.after is None


def test_absent_on_suspended_fails_with_the_state():
    assert plan_item(item(state="absent"), workspace(state="SUSPENDED")).error == (
        "cannot terminate ws-abcd12345: it is SUSPENDED"
    )


def test_absent_while_terminating_waits_without_sending():
    plan = plan_item(item(state="absent"), workspace(state="TERMINATING"))
    assert plan.steps == [] and plan.final_goal == "gone" and plan.after is None


def test_absent_on_a_terminated_workspace_is_unchanged():
    plan = plan_item(item(state="absent"), workspace(state="TERMINATED"))
    assert plan.steps == [] and plan.final_goal is None and plan.error is None and plan.after is None


# -- rebooted / rebuilt -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["AVAILABLE", "UNHEALTHY"])
def test_reboot_allowed_states(state):
    plan = plan_item(item(state="rebooted"), workspace(state=state))
    assert kinds(plan) == ["reboot"] and not plan.settle_first and plan.actions == ["reboot"]


@pytest.mark.parametrize("state", ["PENDING", "STARTING", "UPDATING"])
def test_reboot_waits_out_transitional_states_first(state):
    plan = plan_item(item(state="rebooted"), workspace(state=state))
    assert kinds(plan) == ["reboot"] and plan.settle_first


@pytest.mark.parametrize("state", ["rebooted", "rebuilt"])
def test_rebooting_is_allowed_as_it_is_not_waited_out_first(state):
    plan = plan_item(item(state=state), workspace(state="REBOOTING"))
    assert len(plan.steps) == 1 and not plan.settle_first
    assert plan_item(item(state=state), workspace(state="REBOOTING"), settled=True).steps == plan.steps


@pytest.mark.parametrize("state", ["STOPPED", "ERROR", "IMPAIRED", "SUSPENDED", "ADMIN_MAINTENANCE"])
def test_reboot_refused_states_name_the_state(state):
    plan = plan_item(item(state="rebooted"), workspace(state=state))
    assert plan.steps == [] and f"cannot reboot ws-abcd12345: it is {state}" in plan.error


def test_reboot_in_maintenance_explains():
    assert "ignores reboot" in plan_item(item(state="rebooted"), workspace(state="ADMIN_MAINTENANCE")).error


def test_transitional_state_that_settles_badly_is_refused_after_the_wait():
    plan = plan_item(item(state="rebooted"), workspace(state="STOPPED"), settled=True)
    assert "it is STOPPED" in plan.error


@pytest.mark.parametrize("state", ["AVAILABLE", "ERROR", "UNHEALTHY", "STOPPED"])
def test_rebuild_allowed_states(state):
    plan = plan_item(item(state="rebuilt"), workspace(state=state))
    assert kinds(plan) == ["rebuild"] and plan.actions == ["rebuild"]


@pytest.mark.parametrize("state", ["IMPAIRED", "SUSPENDED", "ADMIN_MAINTENANCE"])
def test_rebuild_refused_states(state):
    assert (
        f"cannot rebuild ws-abcd12345: it is {state}" in plan_item(item(state="rebuilt"), workspace(state=state)).error
    )


@pytest.mark.parametrize("state", ["rebooted", "rebuilt", "started", "stopped"])
def test_actions_on_a_missing_workspace_fail(state):
    assert "no WorkSpace exists for user jdoe" in plan_item(item(state=state), None).error


def test_action_predictions():
    assert plan_item(item(state="rebooted"), workspace()).after["State"] == "AVAILABLE"
    assert plan_item(item(state="rebooted"), workspace(), wait=False).after["State"] == "REBOOTING"
    assert plan_item(item(state="rebuilt"), workspace(), wait=False).after["State"] == "REBUILDING"


# -- started / stopped ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("state", "expected"), [("STOPPED", ["start"]), ("AVAILABLE", []), ("UNHEALTHY", [])])
def test_started_is_idempotent(state, expected):
    assert kinds(plan_item(item(state="started"), workspace(state=state))) == expected


@pytest.mark.parametrize(
    ("state", "expected"),
    [("AVAILABLE", ["stop"]), ("IMPAIRED", ["stop"]), ("UNHEALTHY", ["stop"]), ("ERROR", ["stop"]), ("STOPPED", [])],
)
def test_stopped_is_idempotent(state, expected):
    assert kinds(plan_item(item(state="stopped"), workspace(state=state))) == expected


def test_manual_workspaces_can_stop():
    assert kinds(plan_item(item(state="stopped"), workspace(mode="MANUAL"))) == ["stop"]


@pytest.mark.parametrize("state", ["started", "stopped"])
def test_always_on_cannot_start_or_stop(state):
    plan = plan_item(item(state=state), workspace(mode="ALWAYS_ON", state="AVAILABLE"))
    assert plan.steps == []
    assert "its running mode is ALWAYS_ON, and only AUTO_STOP or MANUAL WorkSpaces can be started" in plan.error


def test_on_its_way_already_waits_without_sending():
    starting = plan_item(item(state="started"), workspace(state="STARTING"))
    assert starting.steps == [] and starting.final_goal == "available" and starting.after["State"] == "AVAILABLE"
    stopping = plan_item(item(state="stopped"), workspace(state="STOPPING"))
    assert stopping.steps == [] and stopping.final_goal == "stopped"
    no_wait = plan_item(item(state="stopped"), workspace(state="STOPPING"), wait=False)
    assert no_wait.after["State"] == "STOPPING"


def test_the_other_way_waits_then_acts():
    plan = plan_item(item(state="started"), workspace(state="STOPPING"))
    assert kinds(plan) == ["start"] and plan.settle_first
    plan = plan_item(item(state="stopped"), workspace(state="STARTING"))
    assert kinds(plan) == ["stop"] and plan.settle_first


@pytest.mark.parametrize("state", ["ADMIN_MAINTENANCE", "SUSPENDED"])
def test_started_refuses_states_that_cannot_start(state):
    assert f"cannot start ws-abcd12345: it is {state}" in plan_item(item(state="started"), workspace(state=state)).error


def test_present_only_options_with_another_state_warn():
    plan = plan_item(item(state="rebooted", compute_type="POWER", tags={"a": "b"}), workspace())
    assert kinds(plan) == ["reboot"]
    assert plan.warnings == ["compute_type, tags only apply with state=present; ignored for state=rebooted"]


# -- every state from every starting state -------------------------------------------------------------------------


@pytest.mark.parametrize("state", planner.STATES)
@pytest.mark.parametrize("current_state", sorted(ALL_STATES))
def test_every_state_from_every_starting_state_plans_or_refuses_clearly(state, current_state):
    plan = plan_item(item(state=state, compute_type="POWER"), workspace(state=current_state))
    if plan.error:
        assert plan.steps == [] and "ws-abcd12345" in plan.error
    elif current_state == "TERMINATED":  # gone: nothing to terminate
        assert state == "absent" and plan.steps == [] and plan.final_goal is None
    else:
        assert plan.steps or plan.final_goal is not None or state in ("present", "started", "stopped")
    if plan.settle_first:
        assert current_state in TRANSITIONAL_STATES


def test_every_transitional_state_has_an_expected_end():
    assert set(TRANSITIONAL_STATES) <= set(planner.SETTLES_TO)


# -- predictions, diffs, outcomes ------------------------------------------------------------------------------------


def test_create_prediction():
    plan = plan_item(item(bundle_id=B, compute_type="VALUE"), None)
    assert plan.after["WorkspaceId"] is None and plan.after["State"] == "AVAILABLE"
    assert plan.after["WorkspaceProperties"] == {"ComputeTypeName": "VALUE"}
    assert plan_item(item(bundle_id=B), None, wait=False).after["State"] == "PENDING"


def test_modify_prediction_and_diff():
    plan = plan_item(item(compute_type="POWER", tags={"a": "2"}), workspace(), current_tags={"a": "1"})
    assert plan.after["WorkspaceProperties"]["ComputeTypeName"] == "POWER"
    assert plan.diff["before"] == {"compute_type": "STANDARD", "tags": {"a": "1"}}
    assert plan.diff["after"] == {"compute_type": "POWER", "tags": {"a": "2"}}
    assert plan.diff["before_header"] == WS


def test_maintenance_diff():
    plan = plan_item(item(admin_maintenance=True), workspace())
    assert plan.diff["before"] == {"admin_maintenance": False} and plan.diff["after"] == {"admin_maintenance": True}


def test_create_and_terminate_diffs():
    created = plan_item(item(bundle_id=B, running_mode="ALWAYS_ON", tags={"a": "1"}), None)
    assert created.diff["before"] == {"state": "absent"}
    assert created.diff["after"] == {"state": "present", "running_mode": "ALWAYS_ON", "tags": {"a": "1"}}
    terminated = plan_item(item(state="absent"), workspace())
    assert (terminated.diff["before"], terminated.diff["after"]) == ({"state": "present"}, {"state": "absent"})
    assert plan_item(item(), workspace()).diff is None


def test_refused_outcome_is_a_failure_with_no_actions():
    outcome = Outcome.predicted(plan_item(item(state="absent"), workspace(state="SUSPENDED")))
    assert outcome.failure == {
        "stage": "plan",
        "error_code": "Refused",
        "error_message": "cannot terminate ws-abcd12345: it is SUSPENDED",
    }
    assert outcome.done == [] and not outcome.changed and outcome.workspace["State"] == "SUSPENDED"


def test_summary_counts_actions_unchanged_and_failed():
    outcomes = [
        Outcome.predicted(plan_item(item(bundle_id=B, tags={"a": "1"}), None)),
        Outcome.predicted(plan_item(item(user_name="u2"), workspace(user="u2"))),
        Outcome.predicted(plan_item(item(user_name="u3", state="absent"), workspace(state="SUSPENDED"))),
        Outcome.predicted(plan_item(item(user_name="u4", state="rebooted"), workspace())),
    ]
    summary = summarize(outcomes)
    assert summary == {
        "created": 1,
        "terminated": 0,
        "modified": 0,
        "tagged": 1,
        "rebooted": 1,
        "rebuilt": 0,
        "started": 0,
        "stopped": 0,
        "maintenance": 0,
        "unchanged": 1,
        "failed": 1,
    }
    message = planner.failure_message(outcomes, summary)
    assert message.startswith("1 of 4 WorkSpaces failed (created: 1, tagged: 1, rebooted: 1, unchanged: 1, failed: 1)")
    assert "SUSPENDED" in message


def test_item_result_shape():
    outcome = Outcome.predicted(plan_item(item(bundle_id=B), None))
    entry = planner.item_result(outcome, lambda ws, tags=None: {"state": ws["State"]})
    assert entry == {
        "user_name": "jdoe",
        "directory_id": D,
        "workspace_id": None,
        "changed": True,
        "actions": ["create"],
        "modified": [],
        "failed": False,
        "failure": None,
        "workspace": {"state": "AVAILABLE"},
    }


@pytest.mark.parametrize(
    "current, wanted, expected",
    [
        ({"RunningMode": "AUTO_STOP", "RunningModeAutoStopTimeoutInMinutes": 120}, {"running_mode": "ALWAYS_ON"}, None),
        ({"RunningMode": "ALWAYS_ON"}, {"running_mode": "AUTO_STOP"}, 60),
        ({"RunningMode": "ALWAYS_ON"}, {"running_mode": "AUTO_STOP", "running_mode_auto_stop_timeout": 180}, 180),
    ],
)
def test_the_predicted_timeout_follows_the_running_mode(current, wanted, expected):
    plan = plan_item(item(**wanted), workspace(WorkspaceProperties=current))
    assert plan.after["WorkspaceProperties"].get("RunningModeAutoStopTimeoutInMinutes") == expected
