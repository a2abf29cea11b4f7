"""The states a chunk engine's operator runs instead of one `execute` Task.

    prepare ─► prepared? ─Started─► chunks (Map over batches) ─► merge ─► results in? ─► check
                   └─ Skipped / Error ─────────────────────────────► check      └─Started─► wait ─► merge
    chunks' item: call ─► more? ─not Done─► call
                            └─ Done ─► batch done

* **prepare** (`api.engines.handlers.prepare`) checks the media type against the manifest
  (unsupported → `Skipped`), polls Ready, cuts the media into chunks, uploads them and their plan
  under the execution's media path, and answers the batches.
* **chunks** runs one item per batch (at most `lanes` at once); each **call** posts the batch's
  chunks to `/process` with a pool of threads, and comes back (`Done: false`) when its Lambda's time
  runs short, so no call has to fit a whole batch in one invocation.
* **merge** reads every chunk result, merges them into one VTN document, validates and stores it.
  While chunks the engine answered with `estimatedProcessingTimeInSeconds` have no result on their
  webhooks yet (and are within maxTTL), it answers `Started` and how long to **wait** first.

The Map's output is discarded (results live in S3), so the state stays small whatever the media
length; docs/engines.md gives the history events per hour of media.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from medialens_helper.status import Status

from api.engines import plan
from api.engines.contract import (
    BATCH_KEY,
    BATCHES_KEY,
    CALLBACK_KEY,
    DONE_KEY,
    ENGINE_KEY,
    RUN_KEY,
    TIMED_OUT_KEY,
    TOKEN_KEY,
    WAIT_KEY,
)
from api.engines.models import EngineBlock
from api.workflow.asl import (
    DISCARD,
    LAMBDA_INVOKE,
    BooleanEquals,
    Catcher,
    Chain,
    Choice,
    ChoiceRule,
    JsonPath,
    Map,
    Pass,
    State,
    StringEquals,
    Succeed,
    Task,
    Wait,
    lambda_invoke_parameters,
)
from api.workflow.generator import contract as c
from api.workflow.generator.arns import StepFunctionArns
from api.workflow.generator.policies import transient_retry

# A callback Task whose heartbeat or whole time runs out ends with one of these (moto: always the second).
TIMEOUT_ERRORS = ("States.HeartbeatTimeout", "States.Timeout")


def _block(engine: EngineBlock) -> str:
    return json.dumps(engine.model_dump(mode="json", exclude_none=True), sort_keys=True)


def async_engine_states(
    engine: EngineBlock,
    arns: StepFunctionArns,
    name: Callable[[str], str],
    *,
    catch: Sequence[Catcher],
    then: str,
) -> tuple[str, list[State]]:
    """A stream or batch engine: start, wait for the callback (no polling), finish.

        start (lambda:invoke.waitForTaskToken) ─callback─► finish ─► check
            └─ no heartbeat for HeartbeatSeconds / past maxTTL ─► timed out ─► finish

    The start function stores the task token; the webhooks send `SendTaskHeartbeat` for each
    `running` heartbeat and `SendTaskSuccess` on `complete` or `failed`. Waiting writes no history
    events. **finish** reads the last heartbeat and decides: results stored, or the failure with its
    reason (after a timeout: `heartbeat_timeout`, or past `maxTTL`).
    """
    if not arns.has_async_engines:
        raise ValueError(
            "this deployment has no functions for stream or batch engines (ENGINE_START/FINISH_LAMBDA_ARN)"
        )
    block = _block(engine)
    event = f"$.{c.EVENT}"
    callback = f"$.{CALLBACK_KEY}"
    heartbeat = (
        engine.HeartbeatTimeoutSeconds if engine.HeartbeatTimeoutSeconds < engine.MaxTTLSeconds else None
    )
    start = Task(
        name("start"),
        resource=f"{LAMBDA_INVOKE}.waitForTaskToken",
        parameters=lambda_invoke_parameters(
            arns.engine_start,
            {ENGINE_KEY: block, c.EVENT: JsonPath(event), TOKEN_KEY: JsonPath("$$.Task.Token")},
        ),
        result_path=callback,
        timeout_seconds=engine.MaxTTLSeconds,
        heartbeat_seconds=heartbeat,
        retry=transient_retry(),
        catch=[Catcher(list(TIMEOUT_ERRORS), next=name("timed out"), result_path=f"$.{c.FAILURE}"), *catch],
        next=name("finish"),
    )
    timed_out = Pass(
        name("timed out"), result={TIMED_OUT_KEY: True}, result_path=callback, next=name("finish")
    )
    finish = Task(
        name("finish"),
        resource=arns.engine_finish,
        parameters={ENGINE_KEY: block, c.EVENT: JsonPath(event), CALLBACK_KEY: JsonPath(callback)},
        result_path=event,
        retry=transient_retry(),
        catch=catch,
        next=then,
    )
    return name("start"), [start, timed_out, finish]


def chunk_engine_states(
    engine: EngineBlock,
    arns: StepFunctionArns,
    name: Callable[[str], str],
    *,
    catch: Sequence[Catcher],
    then: str,
) -> tuple[str, list[State]]:
    """The first state's name and the states; every error goes to `catch`, the end to `then`."""
    if not arns.has_engines:
        raise ValueError("this deployment has no engine-operator functions (ENGINE_*_LAMBDA_ARN)")
    block = _block(engine)
    event = f"$.{c.EVENT}"
    call = Task(
        name("call"),
        resource=arns.engine_chunks,
        parameters={
            ENGINE_KEY: block,
            RUN_KEY: JsonPath(f"$.{RUN_KEY}"),
            BATCH_KEY: JsonPath(f"$.{BATCH_KEY}"),
        },
        result_path=f"$.{BATCH_KEY}",
        retry=transient_retry(),
        next=name("more?"),
    )
    more = Choice(
        name("more?"),
        choices=[ChoiceRule(BooleanEquals(f"$.{BATCH_KEY}.{DONE_KEY}", False), next=name("call"))],
        default=name("batch done"),
    )
    batch_done = Succeed(name("batch done"), output_path=f"$.{BATCH_KEY}.{DONE_KEY}")

    def event_task(state: str, resource: str, next_state: str) -> Task:
        """A step that gets the Engine block and the operator event, and answers the event."""
        return Task(
            state,
            resource=resource,
            parameters={ENGINE_KEY: block, c.EVENT: JsonPath(event)},
            result_path=event,
            retry=transient_retry(),
            catch=catch,
            next=next_state,
        )

    states: list[State] = [
        event_task(name("prepare"), arns.engine_prepare, name("prepared?")),
        Choice(
            name("prepared?"),
            choices=[ChoiceRule(StringEquals(f"{event}.Status", Status.Started.value), next=name("chunks"))],
            default=then,
        ),
        Map(
            name("chunks"),
            items_path=f"{event}.{BATCHES_KEY}",
            item_selector={
                RUN_KEY: JsonPath(f"{event}.{RUN_KEY}"),
                BATCH_KEY: JsonPath("$$.Map.Item.Value"),
            },
            processor=Chain([call], extra=[more, batch_done]),
            max_concurrency=plan.lanes(engine.effective_concurrency()),
            result_path=DISCARD,
            catch=catch,
            next=name("merge"),
        ),
        event_task(name("merge"), arns.engine_merge, name("results in?")),
        # Chunks the engine answers later (on their result webhooks): merge says how long to wait.
        Choice(
            name("results in?"),
            choices=[ChoiceRule(StringEquals(f"{event}.Status", Status.Started.value), next=name("wait"))],
            default=then,
        ),
        Wait(name("wait"), seconds_path=f"{event}.{WAIT_KEY}", next=name("merge")),
    ]
    return name("prepare"), states
