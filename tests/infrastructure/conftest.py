"""The CDK app, synthesized once per session the way `npx cdk synth` does, with cdk-nag attached.

Bundling is skipped (context `medialens:skipBundling`): the layers' pip step needs the package
index, and what is under test is the template, not the wheels.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from infrastructure.app_factory import APPLIED_AT_CONTEXT, SKIP_BUNDLING_CONTEXT
from infrastructure.sample_engines import SAMPLE_ENGINES_CONTEXT
from operators.catalog import load_catalog
from operators.library_engines import operation_requests, sample_engines

REPO_ROOT = Path(__file__).resolve().parents[2]
APPLIED_AT = "2026-01-01T00:00:00+00:00"
# Where the deployer says the sample engines run: the stack registers their operators and workflows.
SAMPLE_ENGINE_URLS = {name: f"https://{name}.engines.example:8443" for name in sample_engines()}


def engine_operation_bodies() -> list[dict[str, Any]]:
    """The sample engines' operation bodies the stack registers (as `SAMPLE_ENGINE_URLS` says)."""
    return operation_requests(SAMPLE_ENGINE_URLS)


def library_operator_names() -> set[str]:
    """Every operator the stack registers outside the test resources: catalog and engine operators."""
    catalog = {entry.definition.Name for entry in load_catalog() if not entry.definition.TestResource}
    return catalog | {body["Name"] for body in engine_operation_bodies()}


def cdk_context(**extra: Any) -> dict[str, Any]:
    """cdk.json's context, as the CLI would pass it, plus no bundling and a fixed registration stamp."""
    context: dict[str, Any] = json.loads((REPO_ROOT / "cdk.json").read_text())["context"]
    return {
        **context,
        SKIP_BUNDLING_CONTEXT: True,
        APPLIED_AT_CONTEXT: APPLIED_AT,
        SAMPLE_ENGINES_CONTEXT: json.dumps(SAMPLE_ENGINE_URLS),  # as `-c sampleEngines=...` gives it
        **extra,
    }


@dataclass(frozen=True)
class Synthesized:
    stack: Any  # infrastructure.stack.MedialensStack
    template: dict[str, Any]
    template_path: Path

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        resources: dict[str, dict[str, Any]] = self.template["Resources"]
        return resources

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {key: value for key, value in self.resources.items() if value["Type"] == resource_type}

    def logical_id(self, construct: Any) -> str:
        """The logical id of an L2 construct's (or an L1's own) CloudFormation resource."""
        resource = construct.node.default_child or construct
        return str(self.stack.get_logical_id(resource))

    def condition_id(self, condition: Any) -> str:
        return str(self.stack.resolve(condition.logical_id))

    def under(self, construct: Any) -> dict[str, dict[str, Any]]:
        """The resources synthesized from `construct` and everything inside it."""
        ids = {
            self.stack.get_logical_id(child)
            for child in construct.node.find_all()
            if hasattr(child, "cfn_options") and hasattr(child, "cfn_resource_type")
        }
        return {key: value for key, value in self.resources.items() if key in ids}


@pytest.fixture(scope="session")
def synthesized() -> Synthesized:
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    from infrastructure.app_factory import build_app

    app, stack = build_app(cdk_context())
    try:
        assembly = app.synth()
    except Exception as exc:  # cdk-nag findings surface here, with the report's path
        pytest.fail(f"synthesis failed: {exc}", pytrace=False)
    artifact = assembly.get_stack_by_name(stack.stack_name)
    return Synthesized(stack, artifact.template, Path(artifact.template_full_path))


def as_list(value: Any) -> list[Any]:
    """An IAM statement's Action or Resource, one or many, as a list."""
    return value if isinstance(value, list) else [value]


def joined_arn(resource: Any) -> str:
    """An ARN built with Fn::Join, with pseudo parameters as words (REGION, ACCOUNT)."""
    if isinstance(resource, str):
        return resource
    names = {"AWS::Region": "REGION", "AWS::AccountId": "ACCOUNT", "AWS::Partition": "aws"}
    parts = resource["Fn::Join"][1]
    return "".join(part if isinstance(part, str) else names.get(part.get("Ref", ""), "?") for part in parts)


def role_policy_statements(synthesized: Synthesized, role_id: str) -> list[dict[str, Any]]:
    """Every statement of the AWS::IAM::Policy resources attached to the role `role_id`."""
    found = []
    for resource in synthesized.of_type("AWS::IAM::Policy").values():
        if {"Ref": role_id} in resource["Properties"]["Roles"]:
            found.extend(resource["Properties"]["PolicyDocument"]["Statement"])
    return found
