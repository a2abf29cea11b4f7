"""The offline proofs: cdk-nag AwsSolutions, cfn-lint, and `npx cdk synth` from the repository root."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from infrastructure.app_factory import APPLIED_AT_CONTEXT, SKIP_BUNDLING_CONTEXT
from tests.infrastructure.conftest import APPLIED_AT, REPO_ROOT, Synthesized

CDK = REPO_ROOT / "node_modules" / ".bin" / "cdk"
CFN_LINT = Path(sys.executable).parent / "cfn-lint"
# W3005: DependsOn already implied by a reference; CDK adds such edges on purpose.
CFN_LINT_IGNORED = "W3005"


def test_nag_findings_are_all_acknowledged_with_a_reason(synthesized: Synthesized) -> None:
    # The session's synthesis ran AwsSolutionsChecks as a validation plugin: it would have failed
    # on any unacknowledged finding. What is left to check is that every acknowledgement says why.
    from aws_cdk import Validations

    reasons: dict[str, str] = {}
    for construct in synthesized.stack.node.find_all():
        for entry in construct.node.metadata:
            if entry.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY:
                reasons.update(entry.data)
    assert len(reasons) >= 20
    short = {rule: reason for rule, reason in reasons.items() if len(reason) < 40}
    assert short == {}


def test_nag_fails_synthesis_on_an_unacknowledged_finding() -> None:
    # The same plugin set-up as the app, on a stack with one known finding, must refuse to synthesize.
    from aws_cdk import App, Stack, Validations
    from aws_cdk import aws_sqs as sqs
    from cdk_nag import AwsSolutionsChecks

    app = App(context={"aws:cdk:bundling-stacks": []})
    stack = Stack(app, "Probe")
    sqs.Queue(stack, "Plain")  # no DLQ, no TLS-only policy: AwsSolutions-SQS3 / SQS4
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))

    with pytest.raises(Exception, match="ValidationFailed"):
        app.synth()


def test_template_passes_cfn_lint(synthesized: Synthesized) -> None:
    done = subprocess.run(
        [str(CFN_LINT), "--ignore-checks", CFN_LINT_IGNORED, "--", str(synthesized.template_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_cdk_synth_from_the_repository_root_is_offline_and_quiet(tmp_path: Path) -> None:
    arguments = [f"--context={SKIP_BUNDLING_CONTEXT}=true", f"--context={APPLIED_AT_CONTEXT}={APPLIED_AT}"]
    environment = {
        **os.environ,
        "CDK_DISABLE_VERSION_CHECK": "1",
        "CDK_DISABLE_CLI_TELEMETRY": "1",
        "AWS_EC2_METADATA_DISABLED": "true",
        # No credentials and no reachable endpoint: synthesis must not need either.
        "AWS_ACCESS_KEY_ID": "",
        "AWS_SECRET_ACCESS_KEY": "",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    }
    done = subprocess.run(
        [str(CDK), "synth", "--quiet", "--output", str(tmp_path / "cdk.out"), *arguments],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    chatter = [line for line in done.stderr.splitlines() if line.strip()]
    assert chatter == []
    template = json.loads((tmp_path / "cdk.out" / "Medialens.template.json").read_text())
    assert "WorkflowApiEndpoint" in template["Outputs"]
