"""The role every generated state machine runs as, and the ARN patterns of those machines.

The workflow API creates machines at run time, named `{prefix}-{workflow}`. They may invoke exactly
the functions tagged `INVOKE_TAG_KEY = <stack name>`: the platform's step Lambdas and its operators
(and any custom operator its owner tags so). One tag condition instead of one statement per
function, so the policy does not grow with the operator library (MIE hit its size limit at ~35).
The workflow API may read the configuration of exactly those functions, to refuse an operation
whose function does not exist (or lacks the tag) with a 400 instead of a failed execution later.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Aws, Stack, Tags
from aws_cdk import aws_iam as iam
from constructs import Construct, IConstruct

INVOKE_TAG_KEY = "medialens:invokable-by"


def tag_invokable(scope: IConstruct) -> None:
    """Let this stack's state machines invoke the functions under `scope`."""
    Tags.of(scope).add(INVOKE_TAG_KEY, Stack.of(scope).stack_name)


class WorkflowStateMachines(Construct):
    """`role` (passed to Step Functions) and grant helpers scoped to `stateMachine:{prefix}-*`."""

    def __init__(self, scope: Construct, construct_id: str, *, prefix: str) -> None:
        super().__init__(scope, construct_id)
        self.prefix = prefix
        stack = Stack.of(self)
        base = f"arn:{Aws.PARTITION}:states:{Aws.REGION}:{Aws.ACCOUNT_ID}"
        self.state_machine_arn_pattern = f"{base}:stateMachine:{prefix}-*"
        self.execution_arn_pattern = f"{base}:execution:{prefix}-*:*"
        # The prefix EventBridge matches the status-change events' stateMachineArn with.
        self.state_machine_arn_prefix = f"{base}:stateMachine:{prefix}-"
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("states.amazonaws.com"),
            description="Runs the Medialens workflow state machines",
        )
        # Lambda ARNs separate the name with a colon (`function:NAME`, `function:NAME:ALIAS`).
        self.function_arn_pattern = stack.format_arn(
            service="lambda", resource="function", resource_name="*", arn_format=ArnFormat.COLON_RESOURCE_NAME
        )
        self.invoke_tag = f"{INVOKE_TAG_KEY}={stack.stack_name}"
        self._tagged = {"StringEquals": {f"aws:ResourceTag/{INVOKE_TAG_KEY}": stack.stack_name}}
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="InvokeThisPlatformsTaggedFunctions",
                actions=["lambda:InvokeFunction"],
                resources=[self.function_arn_pattern],
                conditions=self._tagged,
            )
        )

    def grant_read_invokable(self, grantee: iam.IGrantable) -> None:
        """Read the configuration (not the code) of the functions these machines may invoke."""
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["lambda:GetFunctionConfiguration"],
                resources=[self.function_arn_pattern],
                conditions=self._tagged,
            )
        )

    def grant_manage(self, grantee: iam.IGrantable) -> None:
        """Create, update, describe and delete this platform's machines, passing exactly `role`."""
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=[
                    "states:CreateStateMachine",
                    "states:UpdateStateMachine",
                    "states:DeleteStateMachine",
                    "states:DescribeStateMachine",
                    "states:TagResource",
                    "states:ListTagsForResource",
                ],
                resources=[self.state_machine_arn_pattern],
            )
        )
        grantee.grant_principal.add_to_principal_policy(
            # ListStateMachines has no resource-level permission (used to find a machine by name).
            iam.PolicyStatement(actions=["states:ListStateMachines"], resources=["*"])
        )
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["iam:PassRole"],
                resources=[self.role.role_arn],
                conditions={"StringEquals": {"iam:PassedToService": "states.amazonaws.com"}},
            )
        )

    def grant_start(self, grantee: iam.IGrantable) -> None:
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=["states:StartExecution"], resources=[self.state_machine_arn_pattern])
        )

    def grant_observe_and_stop(self, grantee: iam.IGrantable) -> None:
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["states:DescribeExecution", "states:StopExecution"],
                resources=[self.execution_arn_pattern],
            )
        )
