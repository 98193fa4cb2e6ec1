# Copyright: (c) 2026, euc.workspaces contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Writes, and the execution of the planner's plans for many WorkSpaces at once.

- batch_action: Terminate/Reboot/Start/Stop 25 WorkSpaces a call, Rebuild one; FailedRequests (which arrive
  inside an HTTP 200) become per-WorkSpace failures.
- create_workspaces: CreateWorkspaces 25 a call, and the outcome of every request: pending, failed, or unknown
  (the call timed out, the connection dropped, or the service answered 5xx: it may have happened).
- Executor: creates first (never twice for one user: an unknown outcome or ResourceExists.WorkSpace is
  looked up again before anything else is sent), waits out transitional states, then sends the plans' steps
  round by round, batched by kind, waiting between steps where the service needs it, and at the end.
  A failure stops only the WorkSpace it belongs to; what succeeded is kept and reported.
- find_workspaces: the lookups a plan starts from: per directory, one DescribeWorkspaces(UserName) call per user
  for a few users, one complete listing of the directory for more.
- create_target_refusals: before any write, the directories and bundles that planned creates name, read 25 IDs a
  call; a create into a directory that is not REGISTERED, or from a bundle that does not exist, is refused.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

try:
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports a missing botocore.

from ansible_collections.euc.workspaces.plugins.module_utils.client import error_code
from ansible_collections.euc.workspaces.plugins.module_utils.common import (
    BATCH_SIZE,
    MODIFICATION_IN_PROGRESS,
    THROTTLING_CODES,
    TRANSIENT_CODES,
    TRANSITIONAL_STATES,
    chunked,
    modifications,
)
from ansible_collections.euc.workspaces.plugins.module_utils.planner import (
    Listing,
    Outcome,
    Refusal,
    apply_step,
    failure,
    find_current,
    needs_tags,
    plan_item,
    unique,
)
from ansible_collections.euc.workspaces.plugins.module_utils.reads import (
    describe_bundles,
    describe_directories,
    describe_workspaces,
    describe_workspaces_by_ids,
)
from ansible_collections.euc.workspaces.plugins.module_utils.waiter import GOALS, Waiter, Watch, failed_modifications

IN_PROGRESS_CODES = frozenset(["OperationInProgressException"])
# Repeating a call whose first attempt may have run is harmless for these, not for create, reboot or rebuild.
SAFE_RETRY = THROTTLING_CODES | TRANSIENT_CODES
MODIFY_RETRY = SAFE_RETRY | IN_PROGRESS_CODES
EXISTS_CODE = "ResourceExists.WorkSpace"

CREATE_ATTEMPTS = 3  # CreateWorkspaces sent at most this often for one user, each after a lookup found nothing
CONFIRM_LOOKUPS = 2  # lookups after an uncertain create before concluding that nothing was created
CONFIRM_DELAY = 5.0  # seconds between them: a new WorkSpace may take a moment to be listed
# Up to this many users of a directory are looked up one DescribeWorkspaces(DirectoryId, UserName) call each;
# more read the whole directory once (ceil(WorkSpaces / 25) calls, whatever the number of users).
PER_USER_LOOKUP_LIMIT = 5

# kind -> (client method, request list parameter, WorkSpaces per call, error codes retried)
BATCH_CALLS = {
    "terminate": ("terminate_workspaces", "TerminateWorkspaceRequests", BATCH_SIZE, SAFE_RETRY),
    "reboot": ("reboot_workspaces", "RebootWorkspaceRequests", BATCH_SIZE, THROTTLING_CODES),
    "rebuild": ("rebuild_workspaces", "RebuildWorkspaceRequests", 1, THROTTLING_CODES),
    "start": ("start_workspaces", "StartWorkspaceRequests", BATCH_SIZE, SAFE_RETRY),
    "stop": ("stop_workspaces", "StopWorkspaceRequests", BATCH_SIZE, SAFE_RETRY),
}
# kind -> (client method, ID parameter, error codes retried) for the writes made one WorkSpace at a time
SINGLE_CALLS = {
    "set_tags": ("create_tags", "ResourceId", SAFE_RETRY),
    "unset_tags": ("delete_tags", "ResourceId", SAFE_RETRY),
    "maintenance": ("modify_workspace_state", "WorkspaceId", MODIFY_RETRY),
    "modify": ("modify_workspace_properties", "WorkspaceId", MODIFY_RETRY),
}


# -- calls ----------------------------------------------------------------------------------------------------


def retrying(call, codes, sleep=None, attempts: int = 8, first: float = 1.0, longest: float = 30.0):
    """call, retried with jittered backoff on the given error codes only."""
    sleep = sleep or time.sleep

    def run(**params):
        for attempt in range(1, attempts):
            try:
                return call(**params)
            except botocore.exceptions.ClientError as error:
                if error_code(error) not in codes:
                    raise
                sleep(random.uniform(first, min(longest, first * 2**attempt)))
        return call(**params)  # the last attempt: whatever it raises is the answer

    return run


def described(error) -> tuple[str, str]:
    """(error code, message) of a botocore error."""
    if isinstance(error, botocore.exceptions.ClientError):
        details = error.response.get("Error", {})
        return details.get("Code") or "ClientError", details.get("Message") or str(error)
    return type(error).__name__, str(error)


def outcome_unknown(error) -> bool:
    """Whether a failed call may still have been carried out: no answer, or a server-side error."""
    if isinstance(error, (botocore.exceptions.ConnectionError, botocore.exceptions.HTTPClientError)):
        return True
    if isinstance(error, botocore.exceptions.ClientError):
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return status >= 500 or error_code(error) in TRANSIENT_CODES
    return False


def batch_action(client, kind: str, workspace_ids: list[str], sleep=None) -> dict[str, tuple[str, str]]:
    """Send one action for many WorkSpaces; returns {workspace_id: (code, message)} for those that failed."""
    method, parameter, size, codes = BATCH_CALLS[kind]
    failed: dict[str, tuple[str, str]] = {}
    for chunk in chunked(list(workspace_ids), size):
        try:
            response = retrying(getattr(client, method), codes, sleep)(
                **{parameter: [{"WorkspaceId": workspace_id} for workspace_id in chunk]}
            )
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
            failed.update(dict.fromkeys(chunk, described(error)))
            continue
        unnamed = []
        for request in response.get("FailedRequests", []):
            if request.get("WorkspaceId") in chunk:
                failed[request["WorkspaceId"]] = (request.get("ErrorCode"), request.get("ErrorMessage"))
            else:
                unnamed.append(request)
        for request in unnamed:  # a failure of the call whose WorkSpace the answer does not name: any of them
            operation = "".join(part.title() for part in method.split("_"))
            message = (
                f"the answer to {operation} did not say which WorkSpace failed ({request.get('ErrorMessage')}); "
                "every WorkSpace of the call is reported as failed"
            )
            failed.update({i: (request.get("ErrorCode"), message) for i in chunk if i not in failed})
    return failed


def single_write(client, kind: str, workspace_id: str, params: dict, sleep=None) -> None:
    """One CreateTags, DeleteTags, ModifyWorkspaceState or ModifyWorkspaceProperties call; raises on failure."""
    method, id_parameter, codes = SINGLE_CALLS[kind]
    retrying(getattr(client, method), codes, sleep)(**{id_parameter: workspace_id}, **params)


@dataclass
class CreateOutcome:
    """What became of one CreateWorkspaces request."""

    kind: str  # pending, failed or unknown
    workspace: dict | None = None
    code: str | None = None
    message: str | None = None
    retried: bool = False  # the answer came after botocore retried the call: an earlier attempt may have run


def create_workspaces(client, requests: list[dict], sleep=None) -> list[CreateOutcome]:
    """CreateWorkspaces, 25 requests a call; one outcome per request, in order. Retries throttling only."""
    outcomes: list[CreateOutcome] = []
    for chunk in chunked(list(requests)):
        outcomes += create_chunk(client, chunk, sleep)
    return outcomes


def create_chunk(client, chunk: list[dict], sleep) -> list[CreateOutcome]:
    try:
        response = retrying(client.create_workspaces, THROTTLING_CODES, sleep)(Workspaces=chunk)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        code, message = described(error)
        kind = "unknown" if outcome_unknown(error) else "failed"
        return [CreateOutcome(kind, code=code, message=message) for _request in chunk]
    retried = (response.get("ResponseMetadata") or {}).get("RetryAttempts", 0) > 0
    outcomes: list[CreateOutcome | None] = [None] * len(chunk)
    for workspace in response.get("PendingRequests", []):
        place(outcomes, chunk, workspace, CreateOutcome("pending", workspace=workspace))
    for failed in response.get("FailedRequests", []):
        outcome = CreateOutcome("failed", code=failed.get("ErrorCode"), message=failed.get("ErrorMessage"))
        outcome.retried = retried
        place(outcomes, chunk, failed.get("WorkspaceRequest") or {}, outcome)
    missing = CreateOutcome("unknown", code="OutcomeUnknown", message="CreateWorkspaces answered without this request")
    return [outcome or missing for outcome in outcomes]


def place(outcomes: list, chunk: list[dict], answer: dict, outcome: CreateOutcome) -> None:
    """Put an answer at the first open request for the same user (and name, when the answer has one)."""
    for index, request in enumerate(chunk):
        if outcomes[index] is None and same_request(request, answer):
            outcomes[index] = outcome
            return


def same_request(request: dict, answer: dict) -> bool:
    if request["DirectoryId"] != answer.get("DirectoryId"):
        return False
    if request["UserName"].lower() != (answer.get("UserName") or "").lower():
        return False
    name = answer.get("WorkspaceName")
    return name is None or name == request.get("WorkspaceName")


# -- lookups --------------------------------------------------------------------------------------------------


def directory_listings(client, items) -> dict[str, Listing]:
    """The WorkSpaces of the users these items name, by directory, indexed by user name.

    A directory with up to PER_USER_LOOKUP_LIMIT users (user names compared without case, as the service does)
    costs one DescribeWorkspaces(DirectoryId, UserName) call per user; with more, one complete listing of the
    directory is cheaper than a call each.
    """
    users: dict[str, dict[str, str]] = {}  # directory -> lower-case user name -> the name as first given
    for item in items:
        if item.workspace_id is None:
            users.setdefault(item.directory_id, {}).setdefault(item.user_name.lower(), item.user_name)
    listings = {}
    for directory_id, names in sorted(users.items()):
        if len(names) > PER_USER_LOOKUP_LIMIT:
            listings[directory_id] = Listing(describe_workspaces(client, DirectoryId=directory_id))
            continue
        found: list[dict] = []
        for _lower, name in sorted(names.items()):
            found += describe_workspaces(client, DirectoryId=directory_id, UserName=name)
        listings[directory_id] = Listing(found)
    return listings


def find_workspaces(client, items) -> tuple[list, list]:
    """The WorkSpace each item names (None when there is none), and a refusal message or None for each item."""
    ids = [item.workspace_id for item in items if item.workspace_id is not None]
    by_id = {ws["WorkspaceId"]: ws for ws in describe_workspaces_by_ids(client, ids)} if ids else {}
    listings = directory_listings(client, items)
    currents, refusals = [], []
    for item in items:
        try:
            currents.append(find_current(item, by_id, listings))
            refusals.append(None)
        except Refusal as error:
            currents.append(None)
            refusals.append(str(error))
    return currents, shared_workspace_refusals(items, currents, refusals)


REGISTERED = "REGISTERED"


def create_target_refusals(client, items) -> list:
    """For items about to be created: a refusal message or None each, after one DescribeWorkspaceDirectories and
    one DescribeWorkspaceBundles call per 25 distinct IDs. A create into a directory WorkSpaces does not have as
    REGISTERED, or from a bundle that does not exist, would only fail (or leave a WorkSpace stuck) later."""
    if not items:
        return []
    directory_ids = sorted({item.directory_id for item in items})
    bundle_ids = sorted({item.bundle_id for item in items})
    directories = {d["DirectoryId"]: d for d in describe_directories(client, directory_ids)}
    bundles = {b["BundleId"] for b in describe_bundles(client, bundle_ids=bundle_ids)}
    refusals = []
    for item in items:
        problems = []
        directory = directories.get(item.directory_id)
        if directory is None:
            problems.append(
                f"directory_id {item.directory_id}: not registered with WorkSpaces "
                "(register it with euc.workspaces.directory)"
            )
        elif directory.get("State") != REGISTERED:
            problems.append(
                f"directory_id {item.directory_id}: not registered with WorkSpaces (it is {directory.get('State')}; "
                "register it with euc.workspaces.directory)"
            )
        if item.bundle_id not in bundles:
            problems.append(f"bundle_id {item.bundle_id}: no such bundle")
        refusals.append("; ".join(problems) or None)
    return refusals


def shared_workspace_refusals(items, currents, refusals) -> list:
    """Two items that turn out to name the same WorkSpace are both refused."""
    owners: dict[str, list[int]] = {}
    for index, current in enumerate(currents):
        if current is not None:
            owners.setdefault(current["WorkspaceId"], []).append(index)
    refusals = list(refusals)
    for workspace_id, indexes in owners.items():
        if len(indexes) > 1:
            labels = " and ".join(items[index].label for index in indexes)
            for index in indexes:
                refusals[index] = f"{labels} name the same WorkSpace {workspace_id}"
    return refusals


# -- execution ------------------------------------------------------------------------------------------------


@dataclass
class Record(Outcome):
    """An Outcome under way: the steps still to send and what the WorkSpace must reach before the next one."""

    steps: list = field(default_factory=list)
    wait_goal: str | None = None
    fresh: bool = False  # workspace was read after the last write
    touched: bool = False  # a write was sent for this WorkSpace
    doubt: bool = False  # a create for it may have run although its answer was lost
    last_create: CreateOutcome | None = None
    watch: Watch | None = None  # what the wait after the last step knows: the state before it, values sent

    @classmethod
    def start(cls, plan) -> Record:
        record = cls(plan)
        record.replan(plan)
        return record

    @property
    def workspace_id(self) -> str | None:
        return (self.workspace or self.plan.current or {}).get("WorkspaceId")

    @property
    def active(self) -> bool:
        return self.failure is None

    def replan(self, plan) -> None:
        self.plan, self.workspace, self.tags = plan, plan.current, plan.current_tags
        self.steps = list(plan.steps)
        self.wait_goal = None if plan.steps else plan.final_goal
        self.watch = None
        self.warnings = unique([*self.warnings, *plan.warnings])
        if plan.error:
            self.fail("plan", "Refused", plan.error, prefixed=True)

    def fail(self, stage: str, code: str | None, message: str, prefixed: bool = False) -> None:
        self.failure = failure(stage, code, message if prefixed else self.item.prefix(message))
        self.steps, self.wait_goal = [], None

    def step_done(self, step) -> None:
        self.steps.remove(step)
        self.done = unique([*self.done, *step.actions])
        self.modified = unique([*self.modified, *step.options])
        if step.kind == "create" or self.item.tags is not None:
            self.tags = apply_step(step, self.workspace or {}, self.tags, self.item)[1]
        if step.goal is not None:
            since = None if step.kind == "create" else (self.workspace or {}).get("State")
            self.watch = Watch(since, step.params.get("WorkspaceProperties"))
        self.wait_goal, self.fresh = step.goal, False


class Executor:
    """Carries out the plans of one task together: the real run that check mode predicts."""

    def __init__(self, client, read_tags, wait: bool = True, timeout: float = 1800, waiter=None, sleep=None):
        self.client = client
        self.read_tags = read_tags  # [workspace_id] -> {workspace_id: tags}
        self.wait = wait
        self.timeout = timeout
        self.waiter = waiter or Waiter(client)
        self.sleep = sleep or time.sleep

    def run(self, plans) -> list[Record]:
        records = [Record.start(plan) for plan in plans]
        self.create([r for r in records if r.active and r.steps and r.steps[0].kind == "create"])
        self.settle([r for r in records if r.active and r.plan.settle_first])
        self.run_steps(records)
        if self.wait:
            self.wait_for([r for r in records if r.active and r.wait_goal])
        self.refresh([r for r in records if r.touched and not r.fresh and r.workspace_id])
        return records

    # creating, never twice for one user

    def create(self, records: list[Record]) -> None:
        todo = records
        for _attempt in range(CREATE_ATTEMPTS):
            if not todo:
                return
            outcomes = create_workspaces(self.client, [r.steps[0].params for r in todo], self.sleep)
            unsure = []
            for record, outcome in zip(todo, outcomes):
                record.touched, record.last_create = True, outcome
                if outcome.kind == "pending":
                    record.workspace = outcome.workspace
                    record.step_done(record.steps[0])
                    # The answer is the new WorkSpace as the service has it (PENDING): reading it again at once
                    # would cost a DescribeWorkspaces per 25 and tell nothing new (or not list it yet).
                    record.fresh = True
                elif outcome.kind == "failed" and outcome.code != EXISTS_CODE:
                    message = f"creating a WorkSpace for {record.item.who} failed: {outcome.code}: {outcome.message}"
                    record.fail("create", outcome.code, message)
                else:
                    record.doubt = record.doubt or outcome.kind == "unknown" or outcome.retried
                    unsure.append(record)
            todo = self.resolve(unsure)
        for record in todo:
            record.fail(
                "create",
                "OutcomeUnknown",
                f"the outcome of creating a WorkSpace for {record.item.who} is still unknown after {CREATE_ATTEMPTS} "
                f"attempts ({record.last_create.code}: {record.last_create.message}) and none is listed",
            )

    def resolve(self, records: list[Record]) -> list[Record]:
        """Look up users whose create is uncertain: adopt what exists; return those to create again."""
        for lookup in range(CONFIRM_LOOKUPS):
            if not records:
                return []
            if lookup:
                self.sleep(CONFIRM_DELAY)
            found = self.look_again(records)
            records = [r for r in records if r.active and id(r) in found and found[id(r)] is None]
        again = []
        for record in records:
            if record.last_create.kind == "failed":
                record.fail(
                    "create",
                    EXISTS_CODE,
                    f"CreateWorkspaces says a WorkSpace already exists for {record.item.who} "
                    f"({record.last_create.message}), but none is listed; not creating another",
                )
            else:
                again.append(record)
        return again

    def look_again(self, records: list[Record]) -> dict:
        try:
            listings = directory_listings(self.client, [r.item for r in records])
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
            for record in records:
                record.fail("create", *self.lookup_failure(record, error))
            return {}
        found, adopted = {}, []
        for record in records:
            try:
                workspace = find_current(record.item, {}, listings)
            except Refusal as error:
                record.fail("create", "Refused", str(error))
                continue
            found[id(record)] = workspace
            if workspace is not None and not self.take_over(record, workspace):
                adopted.append((record, workspace))
        self.adopt(adopted)
        return found

    @staticmethod
    def lookup_failure(record: Record, error) -> tuple[str, str]:
        code, message = described(error)
        return code, f"could not look up {record.item.who} after an uncertain create: {code}: {message}"

    def take_over(self, record: Record, workspace: dict) -> bool:
        """A WorkSpace listed after an uncertain create: ours when our answer was lost (True), else one to adopt."""
        if record.doubt:
            record.workspace = workspace
            record.step_done(record.steps[0])
            record.warnings.append(
                record.item.prefix(
                    f"the answer to CreateWorkspaces for {record.item.who} was lost; {workspace['WorkspaceId']} is "
                    "listed now and is taken as created by this task"
                )
            )
            return True
        record.warnings.append(
            record.item.prefix(
                f"a WorkSpace already exists for {record.item.who} ({workspace['WorkspaceId']}): it is managed "
                "instead of creating another"
            )
        )
        return False

    def adopt(self, adopted: list[tuple[Record, dict]]) -> None:
        """Plan existing WorkSpaces found instead of creating them, their tags read together."""
        wanted = [ws["WorkspaceId"] for record, ws in adopted if needs_tags(record.item, ws)]
        tags = {}
        if wanted:
            try:
                tags = self.read_tags(wanted)
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
                code, message = described(error)
                for record, workspace in adopted:
                    if workspace["WorkspaceId"] in wanted:
                        record.fail("create", code, f"could not read the tags of {workspace['WorkspaceId']}: {message}")
                adopted = [(record, workspace) for record, workspace in adopted if record.active]
        for record, workspace in adopted:
            current_tags = tags.get(workspace["WorkspaceId"], {}) if needs_tags(record.item, workspace) else None
            record.replan(plan_item(record.item, workspace, current_tags, self.wait))
            record.fresh = True  # just listed: no need to read it again unless a later step changes it

    # waiting

    def settle(self, records: list[Record]) -> None:
        """Wait out transitional states, then plan again from the state each WorkSpace settled in."""
        result = self.poll(records, "steady")
        if result is None:
            return
        for record in records:
            workspace_id = record.workspace_id
            if workspace_id in result.failed:
                last = result.failed[workspace_id]
                if last is None:
                    record.fail("wait", "NotFound", f"{workspace_id} disappeared while waiting for it to settle")
                else:
                    record.workspace = last
                    record.fail(
                        "wait",
                        "UnexpectedState",
                        f"{workspace_id} is {last.get('State')} while waiting for it to settle",
                    )
                continue
            if workspace_id in result.pending:
                record.workspace = result.pending[workspace_id]
                record.fail("wait", "WaitTimeout", f"timed out after {self.timeout} s {unsettled(record.workspace)}")
                continue
            settled = result.done[workspace_id]
            record.replan(plan_item(record.item, settled, record.plan.current_tags, self.wait, settled=True))

    def wait_for(self, records: list[Record]) -> None:
        """Wait for each WorkSpace to reach its wait_goal, all WorkSpaces with the same goal polled together."""
        by_goal: dict[str, list[Record]] = {}
        for record in records:
            by_goal.setdefault(record.wait_goal, []).append(record)
        for goal, group in by_goal.items():
            result = self.poll(group, goal)
            if result is not None:
                for record in group:
                    self.judge(record, goal, result)

    def judge(self, record: Record, goal: str, result) -> None:
        workspace_id = record.workspace_id
        if workspace_id in result.done:
            record.workspace, record.fresh, record.wait_goal = result.done[workspace_id], True, None
        elif workspace_id in result.failed:
            workspace = result.failed[workspace_id]
            record.workspace, record.fresh = workspace or record.workspace, workspace is not None
            record.fail("wait", *wait_failure(workspace_id, goal, workspace, record.watch))
        else:
            workspace = result.pending.get(workspace_id) or {}
            record.workspace, record.fresh = workspace or record.workspace, bool(workspace)
            record.fail(
                "wait",
                "WaitTimeout",
                f"timed out after {self.timeout} s waiting for {workspace_id} to be {GOALS[goal].wording}; "
                f"last state {workspace.get('State', 'not listed')}",
            )

    def poll(self, records: list[Record], goal: str):
        if not records:
            return None
        watches = {r.workspace_id: r.watch for r in records if r.watch is not None}
        try:
            return self.waiter.wait([r.workspace_id for r in records], goal, self.timeout, watches)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
            code, message = described(error)
            for record in records:
                record.fail("wait", code, f"could not read the state of {record.workspace_id}: {code}: {message}")
            return None

    # sending the steps

    def run_steps(self, records: list[Record]) -> None:
        while True:
            self.wait_for([r for r in records if r.active and r.steps and r.wait_goal])
            ready = [r for r in records if r.active and r.steps]
            if not ready:
                return
            self.send(ready)

    def send(self, records: list[Record]) -> None:
        """The next step of every record, batched by kind."""
        by_kind: dict[str, list[Record]] = {}
        for record in records:
            by_kind.setdefault(record.steps[0].kind, []).append(record)
        for kind, group in by_kind.items():
            for record in group:
                record.touched = True
            if kind in BATCH_CALLS:  # creates were sent before any other step
                self.send_batch(kind, group)
            else:
                for record in group:
                    self.send_single(record)

    def send_batch(self, kind: str, records: list[Record]) -> None:
        failed = batch_action(self.client, kind, [r.workspace_id for r in records], self.sleep)
        for record in records:
            if record.workspace_id in failed:
                code, message = failed[record.workspace_id]
                record.fail(kind, code, f"{kind} {record.workspace_id} failed: {code}: {message}")
            else:
                record.step_done(record.steps[0])

    def send_single(self, record: Record) -> None:
        step = record.steps[0]
        try:
            single_write(self.client, step.kind, record.workspace_id, step.params, self.sleep)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
            code, message = described(error)
            record.fail(step.kind, code, f"{STEP_VERBS[step.kind]} {record.workspace_id} failed: {code}: {message}")
            return
        record.step_done(step)

    def refresh(self, records: list[Record]) -> None:
        """Read once more what was changed and not waited for: wait=false returns the current state."""
        if not records:
            return
        try:
            found = {
                ws["WorkspaceId"]: ws
                for ws in describe_workspaces_by_ids(self.client, [r.workspace_id for r in records])
            }
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
            code, message = described(error)
            for record in records:
                record.warnings.append(record.item.prefix(f"could not read the final state: {code}: {message}"))
            return
        for record in records:
            workspace = found.get(record.workspace_id)
            if workspace is not None:
                record.workspace, record.fresh = workspace, True
            elif "terminate" in record.done:
                record.workspace, record.fresh = None, True


STEP_VERBS = {
    "set_tags": "tagging",
    "unset_tags": "removing tags from",
    "maintenance": "changing the maintenance mode of",
    "modify": "changing the properties of",
}


def unsettled(workspace: dict) -> str:
    """What a wait for a steady state was still waiting for."""
    workspace_id, changing = workspace["WorkspaceId"], modifications(workspace, MODIFICATION_IN_PROGRESS)
    if changing and workspace.get("State") not in TRANSITIONAL_STATES:
        return f"waiting for {workspace_id} to finish changing {', '.join(changing)}"
    return f"waiting for {workspace_id} to leave {workspace.get('State')}"


def wait_failure(workspace_id: str, goal: str, workspace: dict | None, watch: Watch | None = None) -> tuple[str, str]:
    """(code, message) for a WorkSpace that can no longer reach a goal: its own error when it has one."""
    wording = GOALS[goal].wording
    if workspace is None:
        return "NotFound", f"{workspace_id} disappeared while waiting for it to be {wording}"
    failed = failed_modifications(workspace, watch) if goal == "settled" else []
    if failed:
        return "UpdateFailed", (
            f"changing {', '.join(failed)} of {workspace_id} failed (UPDATE_FAILED in its ModificationStates)"
        )
    state = workspace.get("State")
    if state == "ERROR":
        code = workspace.get("ErrorCode") or "ERROR"
        return code, (
            f"{workspace_id} went to ERROR while waiting for it to be {wording}: {code}: "
            f"{workspace.get('ErrorMessage') or 'no error message'}"
        )
    return "UnexpectedState", f"{workspace_id} is {state} while waiting for it to be {wording}"
