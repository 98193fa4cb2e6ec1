"""Roster parsing, checking and result shaping (module_utils/roster.py): pure functions, no API."""

from __future__ import annotations

import csv
import io

import botocore.session
import pytest

from ansible_collections.euc.workspaces.plugins.module_utils import roster

BUNDLE = "wsb-gk1wpk43z"
OTHER_BUNDLE = "wsb-1pzkp0bx4"


def csv_text(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def build(**kwargs):
    kwargs.setdefault("defaults", {"bundle_id": BUNDLE})
    return roster.build_roster(**kwargs)


# --- parsing ------------------------------------------------------------------------------------------------------


def test_csv_rows_become_items_with_defaults_and_tags():
    text = csv_text(
        "user_name,bundle_id,running_mode,tag:Department,tag:CostCenter",
        "jdoe,,,Finance,CC-100",
        "  MSmith ,wsb-1pzkp0bx4,always_on,Engineering,",
    )
    items, problems = build(
        csv_text=text, defaults={"bundle_id": BUNDLE, "running_mode": "AUTO_STOP", "tags": {"Owner": "euc"}}
    )
    assert problems == []
    assert items == [
        {
            "user_name": "jdoe",
            "bundle_id": BUNDLE,
            "running_mode": "AUTO_STOP",
            "tags": {"Owner": "euc", "Department": "Finance", "CostCenter": "CC-100"},
        },
        {
            "user_name": "MSmith",  # trimmed, case kept: the service matches without case, users read it as given
            "bundle_id": OTHER_BUNDLE,
            "running_mode": "ALWAYS_ON",
            "tags": {"Owner": "euc", "Department": "Engineering"},  # an empty tag cell sets no tag
        },
    ]


def test_csv_values_are_converted_to_what_the_module_takes():
    text = csv_text(
        "user_name,running_mode_auto_stop_timeout,compute_type,root_volume_size,"
        "user_volume_size,user_volume_encryption,workspace_name",
        "jdoe,120,performance,175,100,yes,desk_01",
    )
    items, problems = build(csv_text=text)
    assert problems == []
    assert items == [
        {
            "user_name": "jdoe",
            "bundle_id": BUNDLE,
            "running_mode_auto_stop_timeout": 120,
            "compute_type": "PERFORMANCE",
            "root_volume_size": 175,
            "user_volume_size": 100,
            "user_volume_encryption": True,
            "workspace_name": "desk_01",
        }
    ]


def test_byte_order_mark_blank_lines_and_ignored_columns():
    text = "\ufeffuser_name,Display Name,email\n\njdoe,Jane Doe,jane@example.com\n\n"
    items, problems = build(csv_text=text, ignore_columns=["display name", "EMAIL"])
    assert problems == []
    assert items == [{"user_name": "jdoe", "bundle_id": BUNDLE}]


def test_list_entries_names_and_dicts():
    items, problems = build(
        users=["jdoe", {"user_name": "asmith", "running_mode": "ALWAYS_ON", "tags": {"Team": "Ops"}}, 10042]
    )
    assert problems == []
    assert items == [
        {"user_name": "jdoe", "bundle_id": BUNDLE},
        {"user_name": "asmith", "bundle_id": BUNDLE, "running_mode": "ALWAYS_ON", "tags": {"Team": "Ops"}},
        {"user_name": "10042", "bundle_id": BUNDLE},
    ]


def test_csv_rows_come_before_list_entries():
    items, problems = build(users=["zed"], csv_text=csv_text("user_name", "amy"))
    assert problems == []
    assert [item["user_name"] for item in items] == ["amy", "zed"]


def test_default_timeout_does_not_follow_a_user_to_always_on():
    text = csv_text("user_name,running_mode", "jdoe,", "kim,ALWAYS_ON")
    defaults = {"bundle_id": BUNDLE, "running_mode": "AUTO_STOP", "running_mode_auto_stop_timeout": 120}
    items, problems = build(csv_text=text, defaults=defaults)
    assert problems == []
    assert items[0]["running_mode_auto_stop_timeout"] == 120
    assert "running_mode_auto_stop_timeout" not in items[1]
    assert items[1]["running_mode"] == "ALWAYS_ON"


# --- problems, by line --------------------------------------------------------------------------------------------


def test_every_bad_row_is_listed_with_its_line_number():
    text = csv_text(
        "user_name,bundle_id,running_mode,root_volume_size",
        "good1,,,",  # line 2
        ",,,",  # line 3: blank row, skipped
        " ,wsb-1pzkp0bx4,,",  # line 4: empty user name
        "x" * 64 + ",,,",  # line 5: too long
        "good2,bundle-1,sometimes,-5",  # line 6: three bad values
        "GOOD1,,,",  # line 7: duplicate of line 2 without case
        "short,row",  # line 8: wrong number of cells
        "good3,,,80",  # line 9
    )
    items, problems = build(csv_text=text, csv_source="roster.csv")
    assert [item["user_name"] for item in items] == ["good1", "good2", "good3"] or problems
    lines = [p.split(":", 1)[0] for p in problems]
    assert lines == [
        "roster.csv line 4",
        "roster.csv line 5",
        "roster.csv line 6",
        "roster.csv line 6",
        "roster.csv line 6",
        "roster.csv line 7",
        "roster.csv line 8",
    ]
    assert "user_name is empty" in problems[0]
    assert "64 characters long (at most 63)" in problems[1]
    assert "'bundle-1' is not a bundle ID" in problems[2]
    assert "running_mode 'sometimes' is not one of AUTO_STOP, ALWAYS_ON, MANUAL" in problems[3]
    assert "root_volume_size must be greater than 0" in problems[4]
    assert "'GOOD1' is already listed at roster.csv line 2 as 'good1'" in problems[5]
    assert "2 cells, but the header has 4 columns" in problems[6]


def test_quoted_multi_line_cell_keeps_later_line_numbers_right():
    text = 'user_name,tag:Note\njdoe,"first\nsecond"\n,x\n'
    problems = build(csv_text=text, csv_source="r.csv")[1]
    assert problems == ["r.csv line 4: user_name is empty"]


def test_unknown_columns_are_refused_in_the_header():
    text = csv_text("user_name,Bundle_ID,department,favourite colour", "jdoe,,,")
    items, problems = build(csv_text=text, csv_source="r.csv")
    assert items == []
    assert len(problems) == 1
    assert problems[0].startswith("r.csv line 1 (header): unknown column(s) 'department', 'favourite colour'")
    assert "provision_roster_ignore_columns" in problems[0]


def test_header_without_user_name_and_with_repeated_columns():
    problems = build(csv_text=csv_text("bundle_id,tag:Team,tag:team", "wsb-1pzkp0bx4,a,b"), csv_source="r.csv")[1]
    assert "r.csv line 1 (header): column 'tag:team' appears more than once" in problems
    assert "r.csv line 1 (header): there is no user_name column" in problems


def test_empty_file_has_no_header():
    assert build(csv_text="", csv_source="r.csv")[1] == [
        "r.csv: no header row (the first line names the columns, at least user_name)"
    ]


def test_list_problems_name_the_item():
    users = [
        "ok",
        "",
        {"user_name": "bad", "colour": "red"},
        {"bundle_id": BUNDLE},
        True,
        {"user_name": "t", "tags": []},
    ]
    items, problems = build(users=users)
    assert [item["user_name"] for item in items] == ["ok", "bad", "t"]
    assert problems == [
        "provision_users item 2: user_name is empty",
        "provision_users item 3: unknown key(s) colour; known keys are user_name, bundle_id, running_mode, "
        "running_mode_auto_stop_timeout, compute_type, root_volume_size, user_volume_size, "
        "protocols, workspace_name, volume_encryption_key, root_volume_encryption, user_volume_encryption, tags",
        "provision_users item 4: user_name is missing",
        "provision_users item 5: user_name must be text, not True",
        "provision_users item 6: tags must be a dict, not []",
    ]


def test_duplicates_across_csv_and_list():
    problems = build(users=["Jdoe"], csv_text=csv_text("user_name", "jdoe"), csv_source="r.csv")[1]
    assert problems == [
        "provision_users item 1: user 'Jdoe' is already listed at r.csv line 2 as 'jdoe'"
        " (user names are compared without case)"
    ]


def test_a_bad_bundle_is_one_problem_not_two():
    problems = roster.build_roster(users=[{"user_name": "a", "bundle_id": "wsb-NOPE"}])[1]
    assert problems == [
        "provision_users item 1: bundle_id 'wsb-NOPE' is not a bundle ID (wsb- followed by 8 to 63 lowercase letters or digits)"
    ]


def test_missing_bundle_and_timeout_with_always_on():
    text = csv_text("user_name,running_mode,running_mode_auto_stop_timeout", "a,,", "b,ALWAYS_ON,60")
    problems = roster.build_roster(csv_text=text, csv_source="r.csv", defaults={"running_mode": "AUTO_STOP"})[1]
    assert problems == [
        "r.csv line 2: no bundle_id (give it in the roster or set provision_bundle_id)",
        "r.csv line 3: no bundle_id (give it in the roster or set provision_bundle_id)",
        "r.csv line 3: running_mode_auto_stop_timeout applies to AUTO_STOP only, and running_mode is ALWAYS_ON",
    ]


def test_timeout_must_be_whole_hours():
    problems = build(users=[{"user_name": "a", "running_mode_auto_stop_timeout": 90}])[1]
    assert problems == ["provision_users item 1: running_mode_auto_stop_timeout must be a multiple of 60, not 90"]


def test_tag_problems():
    long_value = "v" * 256
    users = [{"user_name": "a", "tags": {"aws:owner": "x", "k" * 128: "y", "ok": long_value, "none": None}}]
    problems = build(users=users)[1]
    assert [p.split(": ", 1)[1] for p in problems] == [
        "tag key 'aws:owner' uses the reserved prefix aws:",
        f"tag key {'k' * 128!r} must be 1 to 127 characters",
        "tag 'ok' has a value longer than 255 characters",
        "tag 'none' must have a text value, not None",
    ]


def test_too_many_tags_after_defaults():
    defaults = {"bundle_id": BUNDLE, "tags": {f"d{n}": "x" for n in range(30)}}
    users = [{"user_name": "a", "tags": {f"u{n}": "x" for n in range(21)}}]
    problems = roster.build_roster(users=users, defaults=defaults)[1]
    assert problems == ["provision_users item 1: 51 tags, at most 50 are allowed"]


def test_bad_defaults_name_the_role_variable():
    defaults = {"bundle_id": "nope", "running_mode": "ALWAYS_ON", "running_mode_auto_stop_timeout": 60}
    problems = roster.build_roster(users=["a"], defaults=defaults)[1]
    assert problems == [
        "provision_bundle_id 'nope' is not a bundle ID (wsb- followed by 8 to 63 lowercase letters or digits)",
        "provision_running_mode_auto_stop_timeout applies to AUTO_STOP only, and provision_running_mode is ALWAYS_ON",
        "provision_users item 1: no bundle_id (give it in the roster or set provision_bundle_id)",
    ]


def test_roster_or_raise_lists_everything():
    with pytest.raises(roster.RosterError) as raised:
        roster.roster_or_raise(users=["", "ok", "OK"], defaults={"bundle_id": BUNDLE})
    assert len(raised.value.problems) == 2
    assert str(raised.value).startswith("The roster has 2 problem(s); nothing was changed:\n  - provision_users item 1")


def test_compute_types_match_botocore():
    model = botocore.session.get_session().get_service_model("workspaces")
    assert set(roster.COMPUTE_TYPES) == set(model.shape_for("Compute").enum)
    assert set(roster.RUNNING_MODES) == set(model.shape_for("RunningMode").enum)


def test_a_thousand_rows_parse_quickly():
    text = "user_name,tag:Team\n" + "".join(f"user{n:04d},team{n % 7}\n" for n in range(1000))
    items, problems = build(csv_text=text)
    assert problems == []
    assert len(items) == 1000


# --- exclusive ----------------------------------------------------------------------------------------------------


def ws(workspace_id, user, state="AVAILABLE", directory="d-1234567890", **extra):
    return dict(workspace_id=workspace_id, user_name=user, state=state, directory_id=directory, **extra)


def test_extras_are_users_not_in_the_roster_compared_without_case():
    items = [{"user_name": "JDoe"}, {"user_name": "kim"}]
    workspaces = [
        ws("ws-00000001", "jdoe"),
        ws("ws-00000002", "zoe"),
        ws("ws-00000003", "Bob"),
        ws("ws-00000004", "gone", state="TERMINATING"),
        ws("ws-00000005", "other", directory="d-0987654321"),
    ]
    extras = roster.extra_workspaces(items, workspaces, "d-1234567890")
    assert [w["user_name"] for w in extras] == ["Bob", "zoe"]
    assert roster.termination_items(extras) == [
        {"workspace_id": "ws-00000003", "state": "absent"},
        {"workspace_id": "ws-00000002", "state": "absent"},
    ]


# --- results ------------------------------------------------------------------------------------------------------


def item(user, actions=(), modified=(), failed=False, failure=None, workspace=None, workspace_id=None):
    return {
        "user_name": user,
        "workspace_id": workspace_id,
        "changed": bool(actions),
        "actions": list(actions),
        "modified": list(modified),
        "failed": failed,
        "failure": failure,
        "workspace": workspace,
    }


def run(*items, **summary):
    counts = dict.fromkeys(("created", "terminated", "modified", "tagged", "unchanged", "failed", "rebooted"), 0)
    counts.update(summary)
    return {"changed": any(i["changed"] for i in items), "summary": counts, "workspaces": list(items)}


def registered(*runs):
    return {"changed": True, "results": list(runs) + [{"skipped": True}]}


def test_summary_adds_up_chunks_and_names_properties_and_failures():
    first = run(item("a", ["create"]), item("b", ["modify", "tag"], ["running_mode"]), created=1, modified=1, tagged=1)
    failure = {"stage": "create", "error_code": "ResourceNotFound.User", "error_message": "no such user"}
    second = run(
        item("c"),
        item("d", failed=True, failure=failure),
        item("e", ["modify"], ["running_mode", "compute_type"]),
        item(None, ["terminate"], workspace={"user_name": "zed", "workspace_id": "ws-00000009"}),
        unchanged=1,
        failed=1,
        modified=1,
        terminated=1,
        rebooted=2,
    )
    summary = roster.summarize(registered(first, second))
    assert {k: summary[k] for k in roster.SUMMARY_KEYS} == {
        "created": 1,
        "modified": 2,
        "tagged": 1,
        "unchanged": 1,
        "terminated": 1,
        "failed": 1,
    }
    assert summary["other"] == {"rebooted": 2}
    assert summary["modified_properties"] == {"compute_type": 1, "running_mode": 2}
    assert summary["error_codes"] == {"ResourceNotFound.User": 1}
    assert summary["users"]["terminated"] == ["zed"]
    assert summary["users"]["modified"] == ["b", "e"]
    assert summary["failures"] == [
        {
            "user_name": "d",
            "workspace_id": None,
            "stage": "create",
            "error_code": "ResourceNotFound.User",
            "error_message": "no such user",
        }
    ]
    lines = roster.summary_lines(summary)
    assert lines[0] == "Summary"
    assert "modified:        2  (compute_type 1, running_mode 2)" in lines
    assert "terminated:      1  (zed)" in lines
    assert "failed:          1  (ResourceNotFound.User 1)" in lines
    assert "  failed d at create: ResourceNotFound.User no such user" in lines


def test_new_workspaces_that_end_in_error_move_from_created_to_failed():
    first = run(item("a", ["create"]), item("b", ["create"]), created=2)
    waited = [
        ws("ws-0000000a", "a"),
        ws("ws-0000000b", "b", state="ERROR", error_code="InsufficientCapacity", error_message="try later"),
    ]
    summary = roster.summarize(registered(first), waited=waited, pending_ids=["ws-0000000c"], check_mode=False)
    assert summary["created"] == 1
    assert summary["failed"] == 1
    assert summary["users"]["created"] == ["a"]
    assert summary["failures"][0]["stage"] == "wait"
    assert summary["failures"][0]["error_code"] == "InsufficientCapacity"
    assert summary["pending"] == ["ws-0000000c"]
    assert any(line.startswith("pending:") for line in roster.summary_lines(summary))


def test_check_mode_summary_is_titled_as_a_plan():
    summary = roster.summarize([run(item("a", ["create"]), created=1)], check_mode=True)
    assert roster.summary_lines(summary)[0] == "Plan (check mode: nothing was changed)"
    assert summary["created"] == 1


def test_a_failed_run_without_items_is_a_failure():
    summary = roster.summarize([{"failed": True, "msg": "boom", "error_code": "AccessDenied"}])
    assert summary["failures"] == [
        {
            "user_name": None,
            "workspace_id": None,
            "stage": "module",
            "error_code": "AccessDenied",
            "error_message": "boom",
        }
    ]


def test_change_lines_take_old_values_from_the_modules_diff():
    items = [
        {"user_name": "a", "bundle_id": BUNDLE, "running_mode": "AUTO_STOP", "tags": {"Team": "x"}},
        {"user_name": "B", "bundle_id": BUNDLE, "running_mode": "ALWAYS_ON", "tags": {"Team": "y", "Site": "z"}},
        {"user_name": "c", "bundle_id": BUNDLE},
    ]
    predicted_b = {
        "user_name": "b",
        "workspace_id": "ws-0000000b",
        "workspace_properties": {"running_mode": "ALWAYS_ON"},
    }
    one = run(
        item("a", ["create"]),
        item("B", ["modify", "tag"], ["running_mode"], workspace=predicted_b, workspace_id="ws-0000000b"),
        item("c", workspace_id="ws-0000000c"),
        item("old", ["terminate"], workspace_id="ws-0000000d"),
        item("e", failed=True, failure={"stage": "create", "error_code": "ResourceNotFound.User"}),
    )
    # The module's diff: one per changed WorkSpace, in item order (check mode's `workspace` is the predicted one).
    one["diff"] = [
        {"before": {"state": "absent"}, "after": {"state": "present"}, "before_header": "a in d-1234567890"},
        {
            "before": {"running_mode": "AUTO_STOP", "tags": {"Team": "y", "Old": "1"}},
            "after": {"running_mode": "ALWAYS_ON", "tags": {"Team": "y", "Site": "z"}},
            "before_header": "ws-0000000b",
        },
        {"before": {"state": "present"}, "after": {"state": "absent"}, "before_header": "ws-0000000d"},
    ]
    assert roster.change_lines([one], items) == [
        f"a: create (bundle_id={BUNDLE}, running_mode=AUTO_STOP; tags Team=x)",
        "B: modify+tag (running_mode AUTO_STOP -> ALWAYS_ON; tags +Site=z, -Old)",
        "old: terminate (ws-0000000d)",
        "e: FAILED at create: ResourceNotFound.User",
    ]


def test_change_lines_without_diff_show_the_new_values():
    items = [{"user_name": "b", "running_mode": "ALWAYS_ON", "tags": {"Team": "y"}}]
    current = {"user_name": "b", "workspace_id": "ws-0000000b", "tags": {"Team": "x", "Keep": "1"}}
    one = run(item("b", ["modify", "tag", "reboot"], ["running_mode"], workspace=current, workspace_id="ws-0000000b"))
    one["diff"] = [{"before": {}, "after": {}, "before_header": "ws-somethingelse"}]  # does not pair: ignored
    assert roster.change_lines(registered(one), items) == [
        "b: modify+tag+reboot (running_mode -> ALWAYS_ON; tags Team x -> y; reboot)"
    ]


def test_protocols_accept_a_list_or_separated_text():
    items, problems = build(
        users=[{"user_name": "a", "protocols": ["wsp"]}], csv_text="user_name,protocols\nb,PCOIP; wsp\n"
    )
    assert problems == []
    assert [i["protocols"] for i in items] == [["PCOIP", "WSP"], ["WSP"]]
    problems = build(users=[{"user_name": "a", "protocols": "RDP"}])[1]
    assert problems == ["provision_users item 1: protocols 'RDP' must be PCOIP and/or WSP"]


def test_report_has_one_row_per_roster_user_in_roster_order():
    items = [{"user_name": "Kim"}, {"user_name": "amy"}, {"user_name": "lost"}, {"user_name": "late"}]
    workspaces = [
        ws("ws-0000000a", "amy", ip_address="10.0.1.5"),
        ws("ws-0000000k", "kim", state="PENDING"),
        ws("ws-0000000z", "zed", ip_address="10.0.1.9"),
    ]
    failures = [{"user_name": "lost", "error_code": "ResourceNotFound.User"}]
    text = roster.report_csv(roster.report_rows(items, workspaces, "SLiad+ABCDEF", failures))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == list(roster.REPORT_COLUMNS)
    assert [(r["user_name"], r["workspace_id"], r["state"], r["ip_address"]) for r in rows] == [
        ("Kim", "ws-0000000k", "PENDING", ""),
        ("amy", "ws-0000000a", "AVAILABLE", "10.0.1.5"),
        ("lost", "", "FAILED ResourceNotFound.User", ""),
        ("late", "", "NOT CREATED", ""),
    ]
    assert {r["registration_code"] for r in rows} == {"SLiad+ABCDEF"}


def test_an_existing_workspace_in_error_is_a_failure_on_every_run_not_unchanged():
    broken = {
        "workspace_id": "ws-0000000b",
        "user_name": "b",
        "state": "ERROR",
        "error_code": "Boom",
        "error_message": "exploded",
    }
    tagged_broken = dict(broken, workspace_id="ws-0000000c", user_name="c")
    first = run(
        item("a", workspace={"workspace_id": "ws-0000000a", "user_name": "a", "state": "AVAILABLE"}),
        item("b", workspace=broken, workspace_id="ws-0000000b"),
        item("c", ["tag"], workspace=tagged_broken, workspace_id="ws-0000000c"),
        unchanged=2,
        tagged=1,
    )
    summary = roster.summarize(registered(first))
    # c's tags were sent: that still counts, as for an item the module failed; b is no longer "unchanged".
    assert {k: summary[k] for k in ("unchanged", "tagged", "failed")} == {"unchanged": 1, "tagged": 1, "failed": 2}
    assert summary["users"]["unchanged"] == ["a"] and summary["users"]["failed"] == ["b", "c"]
    assert summary["failures"][0] == {
        "user_name": "b",
        "workspace_id": "ws-0000000b",
        "stage": "existing",
        "error_code": "Boom",
        "error_message": "exploded (the WorkSpace is in ERROR: rebuild it with euc.workspaces.workspace and state "
        "rebuilt, or terminate it (state absent) and run the role again)",
    }
    assert summary["error_codes"] == {"Boom": 2}


@pytest.mark.parametrize("cell", ["8_0", "+80", "80.0", "0x50", "８０"])
def test_volume_sizes_are_plain_digits(cell):
    problems = build(csv_text=csv_text("user_name,root_volume_size", f"jdoe,{cell}"), defaults={"bundle_id": BUNDLE})[1]
    assert problems == [f"roster CSV line 2: root_volume_size {cell!r} is not a whole number"]


@pytest.mark.parametrize("state, fails", [("SUSPENDED", True), ("UNHEALTHY", False), ("IMPAIRED", False)])
def test_which_existing_states_fail_a_user(state, fails):
    workspace = {"workspace_id": "ws-0000000b", "user_name": "b", "state": state}
    summary = roster.summarize(registered(run(item("b", workspace=workspace, workspace_id="ws-0000000b"), unchanged=1)))
    assert (summary["failed"], summary["unchanged"]) == ((1, 0) if fails else (0, 1))
