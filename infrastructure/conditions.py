"""Make every CloudFormation resource under a construct depend on a condition (optional features)."""

from __future__ import annotations

import jsii
from aws_cdk import CfnCondition, CfnOutput, CfnResource, IAspect
from constructs import IConstruct


@jsii.implements(IAspect)
class _ApplyCondition:
    def __init__(self, condition: CfnCondition) -> None:
        self._condition = condition

    def visit(self, node: IConstruct) -> None:
        if isinstance(node, CfnResource) and node.cfn_options.condition is None:
            node.cfn_options.condition = self._condition
        elif isinstance(node, CfnOutput) and node.condition is None:
            node.condition = self._condition


def deploy_only_if(scope: IConstruct, condition: CfnCondition) -> None:
    """Every resource and output in `scope` (also those added later) exists only when `condition` holds.

    An L2 construct has no condition prop, so an aspect sets it on the L1 resources at synthesis.
    """
    from aws_cdk import Aspects

    Aspects.of(scope).add(_ApplyCondition(condition))
