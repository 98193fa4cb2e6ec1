# Copyright: (c) 2026, euc.workspaces contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Roster filters for the provision role; their documentation is in the .yml files beside this one.

The logic lives in module_utils/roster.py (pure functions, unit tested); these are thin wrappers that turn a
bad roster into one AnsibleFilterError listing every bad row.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.euc.workspaces.plugins.module_utils import roster


def _raise_on(problems: list[str]) -> None:
    if problems:
        raise AnsibleFilterError(roster.describe_problems(problems))


def roster_problems(
    users=None, csv=None, csv_source="roster CSV", defaults=None, ignore_columns=None, users_source="provision_users"
):
    """Every problem of the roster (users and/or CSV text), by row; empty when the roster is fine."""
    return roster.build_roster(
        users=users,
        csv_text=csv,
        csv_source=csv_source,
        defaults=defaults,
        ignore_columns=ignore_columns or (),
        users_source=users_source,
    )[1]


def roster_items(
    users=None, csv=None, csv_source="roster CSV", defaults=None, ignore_columns=None, users_source="provision_users"
):
    """The roster as workspace module items, defaults applied; fails listing every bad row."""
    items, problems = roster.build_roster(
        users=users,
        csv_text=csv,
        csv_source=csv_source,
        defaults=defaults,
        ignore_columns=ignore_columns or (),
        users_source=users_source,
    )
    _raise_on(problems)
    return items


def roster_from_csv(text, source="roster CSV", ignore_columns=None):
    """The users of a CSV roster as dicts (user_name, the columns given, tags), without defaults."""
    items, problems = roster.build_roster(
        csv_text=text, csv_source=source, ignore_columns=ignore_columns or (), require_bundle=False
    )
    _raise_on(problems)
    return items


def roster_extras(workspaces, items, directory_id=None, as_items=False):
    """WorkSpaces (from workspace_info) whose users the roster does not list, compared without case.

    With as_items, the workspace module items that terminate them instead.
    """
    extras = roster.extra_workspaces(items or [], workspaces or [], directory_id)
    return roster.termination_items(extras) if as_items else extras


def roster_summary(results, waited=None, pending=None, check_mode=False):
    """The provision summary from the workspace module's chunk results (and the wait's last look)."""
    summary = roster.summarize(results, waited=waited or [], pending_ids=pending or (), check_mode=check_mode)
    summary["lines"] = roster.summary_lines(summary)
    return summary


def roster_changes(results, items):
    """One line per user the workspace module changed, or would change in check mode."""
    return roster.change_lines(results, items or [])


def roster_report(items, workspaces, registration_code=None, failures=None):
    """The help desk's CSV: user, WorkSpace ID, state, IP address and registration code per roster user."""
    rows = roster.report_rows(items or [], workspaces or [], registration_code, failures or [])
    return roster.report_csv(rows)


class FilterModule:
    """euc.workspaces roster filters."""

    def filters(self):
        return {
            "roster_problems": roster_problems,
            "roster_items": roster_items,
            "roster_from_csv": roster_from_csv,
            "roster_extras": roster_extras,
            "roster_summary": roster_summary,
            "roster_changes": roster_changes,
            "roster_report": roster_report,
        }
