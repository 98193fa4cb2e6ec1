# Copyright: (c) 2026, euc.workspaces contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one place that makes WorkSpaces clients and turns AWS errors into task failures."""

from __future__ import annotations

from contextlib import contextmanager

try:
    import botocore
    import botocore.config
    import botocore.parsers
    import botocore.session
except ImportError:
    pass  # AnsibleAWSModule reports a missing botocore.

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.euc.workspaces.plugins.module_utils.common import (
    THROTTLING_CODES,
    TRANSIENT_CODES,
    WorkspacesError,
)

# WorkSpaces throttles with ThrottlingException, which AWSRetry's default list lacks; the lists live in common.py,
# shared with the writes that choose per call which of them are safe to repeat (actions.py).
RETRY_CODES = sorted(THROTTLING_CODES | TRANSIENT_CODES)
RETRY = AWSRetry.jittered_backoff(retries=8, delay=1, backoff=2.0, max_delay=20, catch_extra_error_codes=RETRY_CODES)


def workspaces_client(module, **params):
    """A WorkSpaces client whose calls retry throttling and transient errors when given aws_retry=True.

    module is an AnsibleAWSModule or an amazon.aws plugin (AWSPluginBase); params (such as region=)
    go to its client() call.
    """
    return module.client("workspaces", retry_decorator=RETRY, **params)


def tagging_client(module, **params):
    """The Resource Groups Tagging API client: tags of many WorkSpaces in one page."""
    return module.client("resourcegroupstaggingapi", retry_decorator=RETRY, **params)


# STS is asked only to save tagging calls: a short, bounded attempt, so an STS that cannot be reached (a runner with
# VPC endpoints for WorkSpaces only, an endpoint_url that is not STS's) costs seconds before the fallback.
STS_CONFIG = {"connect_timeout": 5, "read_timeout": 10, "retries": {"max_attempts": 2, "mode": "standard"}}


def resource_arn_prefix(module, region: str, resource_type: str = "workspace") -> str | None:
    """ "arn:<partition>:workspaces:<region>:<account>:<type>/", or None when STS cannot say who we are.

    STS GetCallerIdentity needs no IAM permission; the caller falls back to reads that need no ARN on None.
    """
    try:
        sts = module.client("sts", config=botocore.config.Config(**STS_CONFIG))
        identity = sts.get_caller_identity()
        partition = identity["Arn"].split(":")[1]
        account = identity["Account"]
    except (
        botocore.exceptions.BotoCoreError,
        botocore.exceptions.ClientError,
        botocore.parsers.ResponseParserError,  # an answer from something that is not STS
        KeyError,
        IndexError,
    ):
        return None
    return f"arn:{partition}:workspaces:{region}:{account}:{resource_type}/"


def directory_service_client(module, **params):
    """The Directory Service client: the stage of a directory that WorkSpaces will not register yet."""
    return module.client("ds", retry_decorator=RETRY, **params)


def error_code(error) -> str | None:
    """The AWS error code of a botocore ClientError, None for anything else."""
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        return response.get("Error", {}).get("Code")
    return None


def service_regions(session=None) -> list[str]:
    """The regions botocore's endpoint data lists for WorkSpaces, in every partition."""
    session = session or botocore.session.get_session()
    return [
        region
        for partition in session.get_available_partitions()
        for region in session.get_available_regions("workspaces", partition_name=partition)
    ]


def region_problem(module, error) -> str | None:
    """Why an endpoint could not be reached when the cause is the region: WorkSpaces is not offered there."""
    if not isinstance(error, botocore.exceptions.EndpointConnectionError):
        return None
    params = getattr(module, "params", None) or {}
    region = getattr(module, "region", None)
    if params.get("endpoint_url") or not region:
        return None
    regions = service_regions()
    if not regions or region in regions:
        return None
    return (
        f"region {region}: Amazon WorkSpaces is not offered there as far as botocore {botocore.__version__} knows "
        f"(regions with WorkSpaces: {', '.join(regions)})"
    )


@contextmanager
def reported_failures(module, doing: str):
    """Run a block; an AWS or WorkSpaces error inside becomes one clear task failure."""
    try:
        yield
    except WorkspacesError as error:
        module.fail_json(msg=error.message, error_code=error.code, **error.details)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        problem = region_problem(module, error)
        if problem:  # bad input, not an AWS failure: a message without a traceback
            module.fail_json(
                msg=f"Failed to {doing}: {problem}; could not connect: {error}", error_code="RegionNotOffered"
            )
        module.fail_json_aws(error, msg=f"Failed to {doing}")
