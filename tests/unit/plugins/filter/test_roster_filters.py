"""The roster filters, called as Ansible calls them (keyword arguments after the input).

Templating with the collection's names (euc.workspaces.roster_items) is exercised by the integration tests, which
run real playbooks; here the collection loader is not installed in the test process.
"""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.euc.workspaces.plugins.filter import roster as roster_filters

BUNDLE = "wsb-gk1wpk43z"
CSV = "user_name,running_mode,tag:Team\njdoe,,Blue\nKim,ALWAYS_ON,Red\n"


def test_every_filter_is_registered():
    assert set(roster_filters.FilterModule().filters()) == {
        "roster_problems",
        "roster_items",
        "roster_from_csv",
        "roster_extras",
        "roster_summary",
        "roster_changes",
        "roster_report",
    }


def test_roster_items_merges_csv_list_and_defaults():
    items = roster_filters.roster_items(
        ["amy"], csv=CSV, csv_source="r.csv", defaults={"bundle_id": BUNDLE, "running_mode": "AUTO_STOP", "tags": {}}
    )
    assert [(i["user_name"], i["running_mode"], i.get("tags")) for i in items] == [
        ("jdoe", "AUTO_STOP", {"Team": "Blue"}),
        ("Kim", "ALWAYS_ON", {"Team": "Red"}),
        ("amy", "AUTO_STOP", None),
    ]


def test_roster_items_fails_listing_every_bad_row():
    with pytest.raises(AnsibleFilterError) as raised:
        roster_filters.roster_items(
            ["", "JDOE"], csv=CSV + "x,WRONG,\n", csv_source="r.csv", defaults={"bundle_id": BUNDLE}
        )
    message = str(raised.value)
    assert message.startswith("The roster has 3 problem(s); nothing was changed:")
    assert "r.csv line 4: running_mode 'WRONG'" in message
    assert "provision_users item 1: user_name is empty" in message
    assert "provision_users item 2: user 'JDOE' is already listed at r.csv line 2" in message


def test_roster_problems_returns_the_list():
    assert roster_filters.roster_problems(["a"], defaults={"bundle_id": BUNDLE}) == []
    assert roster_filters.roster_problems(["a", "A"], defaults={"bundle_id": BUNDLE}) == [
        "provision_users item 2: user 'A' is already listed at provision_users item 1 as 'a'"
        " (user names are compared without case)"
    ]


def test_roster_from_csv_needs_no_bundle():
    users = roster_filters.roster_from_csv(CSV)
    assert users == [
        {"user_name": "jdoe", "tags": {"Team": "Blue"}},
        {"user_name": "Kim", "running_mode": "ALWAYS_ON", "tags": {"Team": "Red"}},
    ]
    with pytest.raises(AnsibleFilterError, match="line 1 \\(header\\): unknown column"):
        roster_filters.roster_from_csv("user_name,colour\nx,y\n", source="hr.csv")


def test_summary_changes_extras_and_report_filters():
    results = {
        "results": [
            {
                "summary": {"created": 1, "unchanged": 0},
                "workspaces": [{"user_name": "jdoe", "changed": True, "actions": ["create"], "workspace": None}],
            }
        ]
    }
    summary = roster_filters.roster_summary(results, check_mode=True)
    assert summary["created"] == 1
    assert summary["lines"][0].startswith("Plan")
    changes = roster_filters.roster_changes(results, [{"user_name": "jdoe"}])
    assert changes == ["jdoe: create"]
    extras = roster_filters.roster_extras([{"workspace_id": "ws-00000001", "user_name": "x"}], [{"user_name": "y"}])
    assert [e["user_name"] for e in extras] == ["x"]
    report = roster_filters.roster_report([{"user_name": "x"}], extras, "REG+CODE")
    assert report == "user_name,workspace_id,state,ip_address,registration_code\nx,ws-00000001,,,REG+CODE\n"


def test_roster_extras_as_items_terminates_by_id():
    workspaces = [
        {"workspace_id": "ws-00000001", "user_name": "Left", "state": "AVAILABLE", "directory_id": "d-1234567890"},
        {"workspace_id": "ws-00000002", "user_name": "stays", "state": "AVAILABLE", "directory_id": "d-1234567890"},
    ]
    items = [{"user_name": "STAYS"}]
    assert roster_filters.roster_extras(workspaces, items, "d-1234567890", as_items=True) == [
        {"workspace_id": "ws-00000001", "state": "absent"}
    ]
