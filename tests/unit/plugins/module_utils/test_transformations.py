"""API shapes to results: pure functions, no clients."""

from __future__ import annotations

import datetime

from ansible_collections.euc.workspaces.plugins.module_utils import transformations as t

WHEN = datetime.datetime(2026, 1, 5, 10, 12, 30, tzinfo=datetime.timezone.utc)


def test_workspace_gets_every_key_with_nulls_for_the_missing():
    result = t.normalize_workspace({"WorkspaceId": "ws-0000000001", "State": "PENDING"})

    for key in t.WORKSPACE_KEYS:
        assert key in result
    assert result["workspace_id"] == "ws-0000000001"
    assert result["ip_address"] is None
    assert result["workspace_properties"] == {}
    assert result["modification_states"] == []
    assert "tags" not in result
    assert "connection_state" not in result


def test_workspace_nested_keys_are_snake_case_and_input_is_untouched():
    described = {
        "WorkspaceId": "ws-0000000001",
        "WorkspaceProperties": {"RunningMode": "AUTO_STOP", "RootVolumeSizeGib": 80},
        "ModificationStates": [{"Resource": "COMPUTE_TYPE", "State": "UPDATE_INITIATED"}],
    }

    result = t.normalize_workspace(described)

    assert result["workspace_properties"] == {"running_mode": "AUTO_STOP", "root_volume_size_gib": 80}
    assert result["modification_states"] == [{"resource": "COMPUTE_TYPE", "state": "UPDATE_INITIATED"}]
    assert "WorkspaceProperties" in described


def test_workspace_tags_are_kept_as_given():
    result = t.normalize_workspace({"WorkspaceId": "ws-0000000001"}, tags={"CamelKey": "Value"})

    assert result["tags"] == {"CamelKey": "Value"}


def test_empty_connection_status_gives_nulls():
    result = t.normalize_workspace({"WorkspaceId": "ws-0000000001"}, connection={})

    assert result["connection_state"] is None
    assert result["connection_state_check_timestamp"] is None
    assert result["last_known_user_connection_timestamp"] is None


def test_connection_status_timestamps_become_iso_text():
    status = {"ConnectionState": "CONNECTED", "ConnectionStateCheckTimestamp": WHEN}

    result = t.normalize_connection_status(status)

    assert result == {
        "connection_state": "CONNECTED",
        "connection_state_check_timestamp": "2026-01-05T10:12:30+00:00",
        "last_known_user_connection_timestamp": None,
    }
    assert t.normalize_connection_status(None)["connection_state"] is None


def test_bundle_is_flattened():
    result = t.normalize_bundle(
        {
            "BundleId": "wsb-000000001",
            "ComputeType": {"Name": "PERFORMANCE"},
            "RootStorage": {"Capacity": "175"},
            "UserStorage": {"Capacity": "100"},
            "CreationTime": WHEN,
        }
    )

    assert result["compute_type"] == "PERFORMANCE"
    assert result["root_storage"] == "175"
    assert result["user_storage"] == "100"
    assert result["creation_time"].startswith("2026-01-05T10:12:30")
    assert result["last_updated_time"] is None
    assert result["owner"] is None


def test_directory_defaults_and_odd_key_names():
    result = t.normalize_directory({"DirectoryId": "d-1234567890", "ipGroupIds": ["wsipg-1"]}, tags={})

    assert result["ip_group_ids"] == ["wsipg-1"]
    assert result["subnet_ids"] == []
    assert result["dns_ip_addresses"] == []
    assert result["selfservice_permissions"] == {}
    assert result["registration_code"] is None
    assert result["tags"] == {}
    assert "tags" not in t.normalize_directory({"DirectoryId": "d-1234567890"})
