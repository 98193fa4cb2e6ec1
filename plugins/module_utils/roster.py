# Copyright: (c) 2026, euc.workspaces contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Rosters for the provision role: parse, check and turn into workspace module items; shape its results.

Pure functions, no API calls. A roster comes from a CSV (a header row, then one user per row) and/or a list
(user names, or dicts with the same keys as the CSV columns and a ``tags`` dict). Every problem is collected
and reported with where it is (``roster.csv line 7``, ``provision_users item 3``), so an administrator fixes
the whole roster in one go, before anything is changed.
"""

from __future__ import annotations

import csv
import io
import re

from ansible_collections.euc.workspaces.plugins.module_utils.common import USER_NAME_MAX, WORKSPACE_NAME_PATTERN

RUNNING_MODES = ("AUTO_STOP", "ALWAYS_ON", "MANUAL")
PROTOCOLS = ("PCOIP", "WSP")
# The Compute enum of botocore's WorkSpaces model (WorkspaceProperties.ComputeTypeName).
COMPUTE_TYPES = (
    "VALUE",
    "STANDARD",
    "PERFORMANCE",
    "POWER",
    "GRAPHICS",
    "POWERPRO",
    "GENERALPURPOSE_4XLARGE",
    "GENERALPURPOSE_8XLARGE",
    "GRAPHICSPRO",
    "GRAPHICS_G4DN",
    "GRAPHICSPRO_G4DN",
    "GRAPHICS_G6_XLARGE",
    "GRAPHICS_G6_2XLARGE",
    "GRAPHICS_G6_4XLARGE",
    "GRAPHICS_G6_8XLARGE",
    "GRAPHICS_G6_16XLARGE",
    "GRAPHICS_GR6_4XLARGE",
    "GRAPHICS_GR6_8XLARGE",
    "GRAPHICS_G6F_LARGE",
    "GRAPHICS_G6F_XLARGE",
    "GRAPHICS_G6F_2XLARGE",
    "GRAPHICS_G6F_4XLARGE",
    "GRAPHICS_GR6F_4XLARGE",
)
AUTO_STOP_STEP = 60  # minutes: the service accepts auto-stop timeouts in steps of an hour
TAG_PREFIX = "tag:"
TAG_KEY_MAX = 127
TAG_VALUE_MAX = 255
TAGS_MAX = 50
BUNDLE_PATTERN = re.compile(r"^wsb-[0-9a-z]{8,63}$")
TRUE_WORDS = frozenset(["true", "yes", "y", "1", "on"])
FALSE_WORDS = frozenset(["false", "no", "n", "0", "off"])
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")

# Where the timeout means something; elsewhere a default timeout is dropped and an explicit one is an error.
TIMEOUT_MODE = "AUTO_STOP"
TIMEOUT_FIELD = "running_mode_auto_stop_timeout"


class RosterError(Exception):
    """The roster has problems; ``problems`` lists each one with the row it is on."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__(describe_problems(self.problems))


def describe_problems(problems: list[str]) -> str:
    listed = "\n".join(f"  - {problem}" for problem in problems)
    return f"The roster has {len(problems)} problem(s); nothing was changed:\n{listed}"


# --- values -----------------------------------------------------------------------------------------------------
# Each parser takes a cell (text from a CSV, or any YAML value from a list) and returns (value, problem).


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else str(value)


def parse_user_name(value):
    if value is None or not isinstance(value, (str, int)) or isinstance(value, bool):
        return None, "user_name is missing" if value is None else f"user_name must be text, not {value!r}"
    name = _text(value)
    if not name:
        return None, "user_name is empty"
    if len(name) > USER_NAME_MAX:
        return None, f"user_name {name!r} is {len(name)} characters long (at most {USER_NAME_MAX})"
    if CONTROL_CHARACTERS.search(name):
        return None, f"user_name {name!r} contains a control character (line break or tab)"
    return name, None


def parse_bundle_id(value):
    bundle = _text(value)
    if not BUNDLE_PATTERN.match(bundle):
        return None, f"bundle_id {bundle!r} is not a bundle ID (wsb- followed by 8 to 63 lowercase letters or digits)"
    return bundle, None


def _choice(field: str, choices):
    def parse(value):
        word = _text(value).upper()
        if word not in choices:
            return None, f"{field} {_text(value)!r} is not one of {', '.join(choices)}"
        return word, None

    return parse


def _positive_int(field: str, step: int = 1):
    def parse(value):
        if isinstance(value, bool):
            return None, f"{field} must be a whole number, not {value!r}"
        text = _text(value)
        # int() would also take "8_0", "+80" and digits other than 0-9: a roster cell is plain ASCII digits.
        digits = text[1:] if text.startswith("-") else text
        if not isinstance(value, int) and not (digits.isascii() and digits.isdigit()):
            return None, f"{field} {text!r} is not a whole number"
        number = int(value) if isinstance(value, int) else int(text)
        if number <= 0:
            return None, f"{field} must be greater than 0, not {number}"
        if number % step:
            return None, f"{field} must be a multiple of {step}, not {number}"
        return number, None

    return parse


def _boolean(field: str):
    def parse(value):
        if isinstance(value, bool):
            return value, None
        word = _text(value).lower()
        if word in TRUE_WORDS:
            return True, None
        if word in FALSE_WORDS:
            return False, None
        return None, f"{field} {_text(value)!r} is not true or false"

    return parse


def parse_workspace_name(value):
    name = _text(value)
    if not WORKSPACE_NAME_PATTERN.match(name):
        return None, (
            f"workspace_name {name!r} is not a WorkSpace name (2 to 64 letters, digits or _.()-, "
            "not starting with . or -)"
        )
    return name, None


def parse_protocols(value):
    """PCOIP and/or WSP: a list, or text separated by spaces, commas, semicolons or |."""
    words = value if isinstance(value, (list, tuple)) else re.split(r"[\s,;|]+", _text(value))
    protocols, bad = [], []
    for word in words:
        word = _text(word).upper()
        if not word:
            continue
        if word in PROTOCOLS:
            if word not in protocols:
                protocols.append(word)
        else:
            bad.append(word)
    if bad or not protocols:
        return None, f"protocols {_text(value)!r} must be PCOIP and/or WSP"
    return protocols, None


def parse_text(field: str):
    def parse(value):
        return _text(value), None

    return parse


# Roster columns (and keys of list entries) other than user_name and tags, with their parsers. The names are the
# workspace module's options, so a checked row is an item the module takes as it is.
FIELDS = {
    "bundle_id": parse_bundle_id,
    "running_mode": _choice("running_mode", RUNNING_MODES),
    TIMEOUT_FIELD: _positive_int(TIMEOUT_FIELD, AUTO_STOP_STEP),
    "compute_type": _choice("compute_type", COMPUTE_TYPES),
    "root_volume_size": _positive_int("root_volume_size"),
    "user_volume_size": _positive_int("user_volume_size"),
    "protocols": parse_protocols,
    "workspace_name": parse_workspace_name,
    "volume_encryption_key": parse_text("volume_encryption_key"),
    "root_volume_encryption": _boolean("root_volume_encryption"),
    "user_volume_encryption": _boolean("user_volume_encryption"),
}
KNOWN_KEYS = ("user_name", *FIELDS, "tags")


def tag_problems(tags: dict, where: str = "") -> list[str]:
    problems = []
    for key, value in tags.items():
        if not isinstance(key, str) or not key or len(key) > TAG_KEY_MAX:
            problems.append(f"tag key {key!r}{where} must be 1 to {TAG_KEY_MAX} characters")
        elif key.lower().startswith("aws:"):
            problems.append(f"tag key {key!r}{where} uses the reserved prefix aws:")
        if value is None or isinstance(value, (dict, list)):
            problems.append(f"tag {key!r}{where} must have a text value, not {value!r}")
        elif len(_text(value)) > TAG_VALUE_MAX:
            problems.append(f"tag {key!r}{where} has a value longer than {TAG_VALUE_MAX} characters")
    return problems


class Entry:
    """One user of the roster: the values given for them, and where they were given."""

    def __init__(self, origin: str, user_name: str | None, options: dict, tags: dict, given=()):
        self.origin = origin
        self.user_name = user_name
        self.options = options  # the values that parsed
        self.tags = tags
        self.given = frozenset(given)  # the fields given a value, good or bad


def _entry(origin: str, values: dict, tags: dict, problems: list[str]) -> Entry:
    """Parse one row's values (None or "" means not given); every problem is appended, prefixed by origin."""
    own: list[str] = []
    user_name, problem = parse_user_name(values.get("user_name"))
    if problem:
        own.append(problem)
    options, given = {}, []
    for field, parse in FIELDS.items():
        value = values.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        given.append(field)
        parsed, problem = parse(value)
        if problem:
            own.append(problem)
        else:
            options[field] = parsed
    own.extend(tag_problems(tags))
    problems.extend(f"{origin}: {problem}" for problem in own)
    tags = {key: _text(value) for key, value in tags.items() if value is not None}
    return Entry(origin, user_name, options, tags, given)


# --- sources ----------------------------------------------------------------------------------------------------


def parse_csv(text: str, source: str = "roster CSV", ignore_columns=()) -> tuple[list[Entry], list[str]]:
    """Entries of a CSV roster (header row first) and every problem found, by line number.

    Columns: user_name (required), the FIELDS, ``tag:<Key>`` for tags, and ignore_columns (read, then left out).
    Cells are trimmed; an empty cell means "not given for this user"; blank lines are skipped.
    """
    if text is None:
        return [], [f"{source}: the file is empty"]
    text = text.lstrip("\ufeff")  # spreadsheet exports often start with a byte-order mark
    reader = csv.reader(io.StringIO(text))
    ignored = {str(name).strip().lower() for name in ignore_columns or ()}
    problems: list[str] = []
    entries: list[Entry] = []
    header = None
    last_line = 0
    for cells in reader:
        line, last_line = last_line + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header = _header(cells, line, source, ignored, problems)
            if header is None:
                return [], problems
            continue
        if len(cells) != len(header):
            problems.append(f"{source} line {line}: {len(cells)} cells, but the header has {len(header)} columns")
            continue
        values, tags = {}, {}
        for (kind, name), cell in zip(header, cells):
            cell = cell.strip()
            if kind == "field":
                values[name] = cell
            elif kind == "tag" and cell:
                tags[name] = cell
        entries.append(_entry(f"{source} line {line}", values, tags, problems))
    if header is None:
        problems.append(f"{source}: no header row (the first line names the columns, at least user_name)")
    return entries, problems


def _header(cells: list[str], line: int, source: str, ignored: set, problems: list[str]):
    """[(kind, name)] per column, kind being field, tag or ignored; None (with problems) when unusable."""
    header, seen, unknown = [], set(), []
    where = f"{source} line {line} (header)"
    for position, cell in enumerate(cells, start=1):
        name = cell.strip()
        if name.lower().startswith(TAG_PREFIX):
            key = name[len(TAG_PREFIX) :].strip()
            column = ("tag", key)
            problems.extend(f"{where}: column {position}: {p}" for p in tag_problems({key: ""}))
        elif name.lower() in ignored:
            column = ("ignored", name.lower())
        elif name.lower() in ("user_name", *FIELDS):
            column = ("field", name.lower())
        elif not name:
            problems.append(f"{where}: column {position} has no name")
            column = ("ignored", "")
        else:
            unknown.append(name)
            column = ("ignored", name)
        if column[0] != "ignored" or column[1]:
            identity = (column[0], column[1].lower()) if column[0] == "tag" else column
            if identity in seen:
                problems.append(f"{where}: column {name!r} appears more than once")
            seen.add(identity)
        header.append(column)
    if unknown:
        problems.append(
            f"{where}: unknown column(s) {', '.join(repr(n) for n in unknown)}; known columns are user_name, "
            f"{', '.join(FIELDS)} and tag:<Key> (name others in provision_roster_ignore_columns to skip them)"
        )
    if ("field", "user_name") not in seen:
        problems.append(f"{where}: there is no user_name column")
    return header if not problems else None


def parse_list(users, source: str = "provision_users") -> tuple[list[Entry], list[str]]:
    """Entries of a list roster: user names, or dicts with user_name, FIELDS and tags."""
    if users is None:
        return [], []
    if not isinstance(users, (list, tuple)):
        return [], [f"{source} must be a list of user names or of dicts, not {type(users).__name__}"]
    problems: list[str] = []
    entries = []
    for number, user in enumerate(users, start=1):
        origin = f"{source} item {number}"
        if isinstance(user, dict):
            unknown = sorted(str(key) for key in user if key not in KNOWN_KEYS)
            if unknown:
                problems.append(
                    f"{origin}: unknown key(s) {', '.join(unknown)}; known keys are {', '.join(KNOWN_KEYS)}"
                )
            tags = user.get("tags")
            tags = {} if tags is None else tags
            if not isinstance(tags, dict):
                problems.append(f"{origin}: tags must be a dict, not {tags!r}")
                tags = {}
            entries.append(_entry(origin, user, tags, problems))
        else:
            entries.append(_entry(origin, {"user_name": user}, {}, problems))
    return entries, problems


# --- the roster -------------------------------------------------------------------------------------------------


def check_defaults(defaults: dict | None) -> tuple[dict, dict, list[str]]:
    """The role's defaults for every user, parsed like a row: (options, tags, problems)."""
    defaults = dict(defaults or {})
    tags = defaults.pop("tags", None) or {}
    problems = []
    unknown = sorted(str(key) for key in defaults if key not in FIELDS)
    if unknown:
        problems.append(f"defaults: unknown key(s) {', '.join(unknown)}")
    if not isinstance(tags, dict):
        problems.append(f"provision_tags must be a dict, not {tags!r}")
        tags = {}
    options = {}
    for field, parse in FIELDS.items():
        value = defaults.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        parsed, problem = parse(value)
        if problem:
            problems.append(f"provision_{problem}")
        else:
            options[field] = parsed
    mode = options.get("running_mode")
    if TIMEOUT_FIELD in options and mode is not None and mode != TIMEOUT_MODE:
        problems.append(f"provision_{TIMEOUT_FIELD} applies to AUTO_STOP only, and provision_running_mode is {mode}")
    problems.extend(f"provision_tags: {p}" for p in tag_problems(tags))
    return options, {key: _text(value) for key, value in tags.items()}, problems


def build_roster(
    users=None,
    csv_text: str | None = None,
    csv_source: str = "roster CSV",
    defaults: dict | None = None,
    ignore_columns=(),
    users_source: str = "provision_users",
    require_bundle: bool = True,
) -> tuple[list[dict], list[str]]:
    """workspace module items for the whole roster, defaults applied, and every problem found.

    Items come in roster order (CSV rows first, then the list). A user listed twice, compared without case as
    the service compares them, is a problem on the second row, naming the first.
    """
    default_options, default_tags, problems = check_defaults(defaults)
    entries = []
    if csv_text is not None:
        found, found_problems = parse_csv(csv_text, csv_source, ignore_columns)
        entries.extend(found)
        problems.extend(found_problems)
    found, found_problems = parse_list(users, users_source)
    entries.extend(found)
    problems.extend(found_problems)

    items, first_seen = [], {}
    for entry in entries:
        if entry.user_name is None:
            continue
        key = entry.user_name.casefold()
        if key in first_seen:
            first = first_seen[key]
            problems.append(
                f"{entry.origin}: user {entry.user_name!r} is already listed at {first.origin} as {first.user_name!r}"
                " (user names are compared without case)"
            )
            continue
        first_seen[key] = entry
        item, item_problems = _item(entry, default_options, default_tags, require_bundle)
        problems.extend(f"{entry.origin}: {p}" for p in item_problems)
        items.append(item)
    return items, _in_order(problems)


def _item(entry: Entry, default_options: dict, default_tags: dict, require_bundle: bool) -> tuple[dict, list[str]]:
    options = dict(default_options)
    if TIMEOUT_FIELD in options and entry.options.get("running_mode", TIMEOUT_MODE) != TIMEOUT_MODE:
        del options[TIMEOUT_FIELD]  # a default timeout does not follow a user to a mode that has none
    options.update(entry.options)
    problems = []
    if require_bundle and "bundle_id" not in options and "bundle_id" not in entry.given:
        problems.append("no bundle_id (give it in the roster or set provision_bundle_id)")
    mode = options.get("running_mode")
    if TIMEOUT_FIELD in entry.options and mode is not None and mode != TIMEOUT_MODE:
        problems.append(f"{TIMEOUT_FIELD} applies to AUTO_STOP only, and running_mode is {mode}")
    tags = dict(default_tags)
    tags.update(entry.tags)
    if len(tags) > TAGS_MAX:
        problems.append(f"{len(tags)} tags, at most {TAGS_MAX} are allowed")
    item = {"user_name": entry.user_name}
    item.update(options)
    if tags:
        item["tags"] = tags
    return item, problems


def _in_order(problems: list[str]) -> list[str]:
    """Problems by where they are: sources in the order they first appear, then by line or item number.

    The sort is stable, so problems of one row keep their order; repeated problems are dropped.
    """

    def position(problem: str):
        match = re.match(r"^(.*?) (?:line|item) (\d+)\b", problem)
        return (match.group(1), int(match.group(2))) if match else (problem.split(":", 1)[0], 0)

    ranks: dict[str, int] = {}
    for problem in problems:
        ranks.setdefault(position(problem)[0], len(ranks))
    ordered, seen = [], set()
    for problem in sorted(problems, key=lambda p: (ranks[position(p)[0]], position(p)[1])):
        if problem not in seen:
            seen.add(problem)
            ordered.append(problem)
    return ordered


def roster_or_raise(**kwargs) -> list[dict]:
    items, problems = build_roster(**kwargs)
    if problems:
        raise RosterError(problems)
    return items


# --- exclusive mode ---------------------------------------------------------------------------------------------

GONE_STATES = frozenset(["TERMINATING", "TERMINATED"])


def extra_workspaces(items: list[dict], workspaces: list[dict], directory_id: str | None = None) -> list[dict]:
    """WorkSpaces of the directory whose users the roster does not list (compared without case).

    WorkSpaces already on their way out are left alone. Sorted by user name, so a refusal reads well.
    """
    wanted = {str(item["user_name"]).casefold() for item in items if item.get("user_name")}
    extras = [
        workspace
        for workspace in workspaces
        if (directory_id is None or workspace.get("directory_id") == directory_id)
        and str(workspace.get("user_name") or "").casefold() not in wanted
        and workspace.get("state") not in GONE_STATES
    ]
    return sorted(extras, key=lambda w: (str(w.get("user_name") or "").casefold(), w.get("workspace_id") or ""))


def termination_items(extras: list[dict]) -> list[dict]:
    """workspace module items that terminate these WorkSpaces, by ID (exact even if a user has two)."""
    return [{"workspace_id": workspace["workspace_id"], "state": "absent"} for workspace in extras]


# --- results ----------------------------------------------------------------------------------------------------

SUMMARY_KEYS = ("created", "modified", "tagged", "unchanged", "terminated", "failed")
ACTION_OF = {"created": "create", "terminated": "terminate", "modified": "modify", "tagged": "tag"}
# Where a new WorkSpace can end up other than AVAILABLE/STOPPED (as the collection's waiter judges "created").
WAIT_FAILED_STATES = frozenset(["ERROR", "SUSPENDED", "TERMINATED", "TERMINATING", "UNHEALTHY", "IMPAIRED"])
WAIT_DONE_STATES = frozenset(["AVAILABLE", "STOPPED"])


def _failure(item: dict, stage: str, code, message) -> dict:
    workspace = item.get("workspace") or {}
    return {
        "user_name": item.get("user_name") or workspace.get("user_name"),
        "workspace_id": item.get("workspace_id") or workspace.get("workspace_id"),
        "stage": stage,
        "error_code": code,
        "error_message": message,
    }


# An existing WorkSpace in one of these states cannot be used and will not recover by itself. (UNHEALTHY and
# IMPAIRED often pass; the module warns about them, and the role does not fail the user.)
EXISTING_FAILED_STATES = frozenset(["ERROR", "SUSPENDED"])


def existing_failure(item: dict) -> dict | None:
    """The failure of a roster user whose WorkSpace already existed in a failed state (a create is judged at its
    wait, a terminate ends it either way)."""
    workspace = item.get("workspace") or {}
    actions = item.get("actions") or []
    if workspace.get("state") not in EXISTING_FAILED_STATES or "create" in actions or "terminate" in actions:
        return None
    message = workspace.get("error_message") or "no error message"
    hint = (
        f"the WorkSpace is in {workspace['state']}: rebuild it with euc.workspaces.workspace and state rebuilt, or "
        "terminate it (state absent) and run the role again"
    )
    return _failure(item, "existing", workspace.get("error_code") or workspace["state"], f"{message} ({hint})")


def module_runs(results) -> list[dict]:
    """The workspace module's results: a registered loop (its ``results``), a list of them, or one run."""
    if isinstance(results, dict):
        results = results["results"] if isinstance(results.get("results"), list) else [results]
    return [run for run in results or [] if isinstance(run, dict) and not run.get("skipped")]


def result_items(results) -> list[dict]:
    """The per-item results of every run, in order."""
    items = []
    for run in module_runs(results):
        items.extend(run.get("workspaces") or [])
    return items


def summarize(results, waited: list[dict] | None = None, pending_ids=(), check_mode: bool = False) -> dict:
    """The role's summary from the workspace module's results and, when it waited, the final states.

    results: what the chunk loop registered. waited: the new WorkSpaces as workspace_info last saw them; those
    that ended in a failed state move from created to failed. pending_ids: WorkSpaces still on their way when
    the wait timed out.
    """
    counts = dict.fromkeys(SUMMARY_KEYS, 0)
    other: dict[str, int] = {}
    properties: dict[str, int] = {}
    users: dict[str, list[str]] = {key: [] for key in SUMMARY_KEYS}
    failures = []
    for result in module_runs(results):
        for key, value in (result.get("summary") or {}).items():
            if key in counts:
                counts[key] += int(value or 0)
            elif value:
                other[key] = other.get(key, 0) + int(value)
        if result.get("failed") and not result.get("workspaces"):
            failures.append(_failure({}, "module", result.get("error_code"), result.get("msg")))
    for item in result_items(results):
        name = item.get("user_name") or (item.get("workspace") or {}).get("user_name") or item.get("workspace_id")
        actions = item.get("actions") or []
        if item.get("failed"):
            failure = item.get("failure") or {}
            failures.append(
                _failure(item, failure.get("stage"), failure.get("error_code"), failure.get("error_message"))
            )
            users["failed"].append(name)
            continue
        listed = [key for key in ("created", "terminated", "modified", "tagged") if ACTION_OF[key] in actions]
        counted = listed or (["unchanged"] if not item.get("changed") else [])
        broken_before = existing_failure(item)
        if broken_before:
            # Run 1 failed this user at its wait; every later run must say so too, not call it unchanged. What
            # the module did to it (tags) still counts, as for the items the module itself failed.
            if counted == ["unchanged"]:
                counts["unchanged"] -= 1
            counts["failed"] += 1
            users["failed"].append(name)
            failures.append(broken_before)
            continue
        for modified in item.get("modified") or []:
            properties[modified] = properties.get(modified, 0) + 1
        for key in counted:
            users[key].append(name)

    broken = {}
    for workspace in waited or []:
        if workspace.get("state") in WAIT_FAILED_STATES:
            broken[workspace.get("workspace_id")] = workspace
    for workspace_id, workspace in sorted(broken.items()):
        counts["created"] -= 1
        counts["failed"] += 1
        users["created"] = [u for u in users["created"] if u != workspace.get("user_name")]
        users["failed"].append(workspace.get("user_name"))
        failures.append(
            {
                "user_name": workspace.get("user_name"),
                "workspace_id": workspace_id,
                "stage": "wait",
                "error_code": workspace.get("error_code") or workspace.get("state"),
                "error_message": workspace.get("error_message"),
            }
        )
    error_codes: dict[str, int] = {}
    for failure in failures:
        code = failure["error_code"] or "unknown"
        error_codes[code] = error_codes.get(code, 0) + 1
    summary = dict(counts)
    summary.update(
        {
            "check_mode": bool(check_mode),
            "other": other,
            "modified_properties": dict(sorted(properties.items())),
            "error_codes": dict(sorted(error_codes.items())),
            "failures": failures,
            "users": users,
            "pending": sorted(pending_ids),
        }
    )
    return summary


def summary_lines(summary: dict) -> list[str]:
    """The summary as the play shows it: one line per count, names and codes where they help."""
    head = "Plan (check mode: nothing was changed)" if summary.get("check_mode") else "Summary"
    lines = [head]
    for key in SUMMARY_KEYS:
        line = f"{key + ':':<12}{summary.get(key, 0):>6}"
        if key == "modified" and summary.get("modified_properties"):
            line += "  (" + ", ".join(f"{p} {n}" for p, n in summary["modified_properties"].items()) + ")"
        elif key == "terminated" and summary["users"].get("terminated"):
            line += "  (" + ", ".join(str(u) for u in summary["users"]["terminated"]) + ")"
        elif key == "failed" and summary.get("error_codes"):
            line += "  (" + ", ".join(f"{c} {n}" for c, n in summary["error_codes"].items()) + ")"
        lines.append(line)
    for key, value in sorted((summary.get("other") or {}).items()):
        lines.append(f"{key + ':':<12}{value:>6}")
    if summary.get("pending"):
        lines.append(f"{'pending:':<12}{len(summary['pending']):>6}  (still on their way when the wait timed out)")
    for failure in summary.get("failures") or []:
        lines.append(
            f"  failed {failure['user_name'] or failure['workspace_id'] or '?'} at {failure['stage']}: "
            f"{failure['error_code'] or ''} {failure['error_message'] or ''}".rstrip()
        )
    return lines


# workspace module options -> keys of workspace_properties in a WorkSpace as workspace_info returns it.
WORKSPACE_PROPERTY_KEYS = {
    "running_mode": "running_mode",
    TIMEOUT_FIELD: "running_mode_auto_stop_timeout_in_minutes",
    "compute_type": "compute_type_name",
    "root_volume_size": "root_volume_size_gib",
    "user_volume_size": "user_volume_size_gib",
    "protocols": "protocols",
}


def _current_value(workspace: dict, option: str):
    if option in WORKSPACE_PROPERTY_KEYS:
        return (workspace.get("workspace_properties") or {}).get(WORKSPACE_PROPERTY_KEYS[option])
    return workspace.get(option)


def _diffs_by_entry(run: dict) -> list:
    """The module's diff (diff mode) for each entry of one run, None where it has none.

    The module lists one diff per changed WorkSpace, in item order; they are paired with the changed entries and
    used only when the pairing holds (same count, and a header naming the WorkSpace when it has an ID).
    """
    entries = run.get("workspaces") or []
    diffs = run.get("diff") if isinstance(run.get("diff"), list) else []
    changed = [index for index, entry in enumerate(entries) if entry.get("changed")]
    paired: list = [None] * len(entries)
    if len(diffs) != len(changed):
        return paired
    for index, diff in zip(changed, diffs):
        workspace_id = entries[index].get("workspace_id")
        if not isinstance(diff, dict) or (workspace_id and diff.get("before_header") not in (workspace_id, None)):
            return [None] * len(entries)
        paired[index] = diff
    return paired


def _tag_changes(before: dict, after: dict) -> str:
    parts = [f"+{k}={v}" for k, v in sorted(after.items()) if k not in before]
    parts += [f"{k} {before[k]} -> {v}" for k, v in sorted(after.items()) if k in before and before[k] != v]
    parts += [f"-{k}" for k in sorted(before) if k not in after]
    return "tags " + ", ".join(parts) if parts else "tags"


def _describe(entry: dict, item: dict, diff: dict | None) -> str:
    workspace = entry.get("workspace") or {}
    actions = entry.get("actions") or []
    before = (diff or {}).get("before") or {}
    after = (diff or {}).get("after") or {}
    details = []
    if "create" in actions:
        details.append(", ".join(f"{k}={v}" for k, v in item.items() if k not in ("user_name", "tags")))
        if item.get("tags"):
            details.append("tags " + ", ".join(f"{k}={v}" for k, v in sorted(item["tags"].items())))
    if "terminate" in actions:
        details.append(entry.get("workspace_id") or workspace.get("workspace_id") or "")
    for option in entry.get("modified") or []:
        new = after.get(option, item.get(option))
        old = before.get(option) if option in before else None
        details.append(f"{option} {old} -> {new}" if old is not None else f"{option} -> {new}")
    if "tag" in actions and "create" not in actions:
        if "tags" in before or "tags" in after:
            details.append(_tag_changes(before.get("tags") or {}, after.get("tags") or {}))
        else:
            current = workspace.get("tags") or {}
            details.append(_tag_changes(current, {**current, **(item.get("tags") or {})}) if current else "tags")
    other = [a for a in actions if a not in ("create", "terminate", "modify", "tag")]
    details.extend(other and [", ".join(other)] or [])
    detail = "; ".join(d for d in details if d)
    return "+".join(actions) + (f" ({detail})" if detail else "")


def change_lines(results, items: list[dict]) -> list[str]:
    """One line per user the run changes (or would change), in roster order; old -> new where diff mode tells."""
    wanted = {}
    for item in items or []:
        key = item.get("user_name") or item.get("workspace_id")
        wanted[str(key).casefold()] = item
    lines = []
    for run in module_runs(results):
        for entry, diff in zip(run.get("workspaces") or [], _diffs_by_entry(run)):
            workspace = entry.get("workspace") or {}
            name = entry.get("user_name") or workspace.get("user_name") or entry.get("workspace_id")
            item = wanted.get(str(name).casefold()) or wanted.get(str(entry.get("workspace_id")).casefold()) or {}
            if entry.get("failed"):
                failure = entry.get("failure") or {}
                lines.append(
                    f"{name}: FAILED at {failure.get('stage')}: {failure.get('error_code')} {failure.get('error_message') or ''}".rstrip()
                )
            elif entry.get("actions"):
                lines.append(f"{name}: {_describe(entry, item, diff)}")
    return lines


# --- the help desk's report -------------------------------------------------------------------------------------

REPORT_COLUMNS = ("user_name", "workspace_id", "state", "ip_address", "registration_code")


def report_rows(items: list[dict], workspaces: list[dict], registration_code: str | None, failures=()) -> list[dict]:
    """One row per roster user, in roster order: their WorkSpace (matched without case) and how to connect."""
    by_user = {}
    for workspace in workspaces or []:
        if workspace.get("state") in GONE_STATES:
            continue
        by_user.setdefault(str(workspace.get("user_name") or "").casefold(), workspace)
    failed = {str(f.get("user_name") or "").casefold(): f for f in failures or [] if f.get("user_name")}
    rows = []
    for item in items or []:
        name = item.get("user_name")
        if not name:
            continue
        workspace = by_user.get(str(name).casefold())
        if workspace:
            state = workspace.get("state")
        else:
            failure = failed.get(str(name).casefold())
            state = f"FAILED {failure.get('error_code') or ''}".strip() if failure else "NOT CREATED"
        rows.append(
            {
                "user_name": name,
                "workspace_id": (workspace or {}).get("workspace_id") or "",
                "state": state or "",
                "ip_address": (workspace or {}).get("ip_address") or "",
                "registration_code": registration_code or "",
            }
        )
    return rows


def report_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=REPORT_COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
