"""What the deployed stack guarantees about access and encryption, read from the synthesized template."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from infrastructure.state_machines import INVOKE_TAG_KEY
from tests.infrastructure.conftest import Synthesized, as_list, joined_arn, role_policy_statements

# Actions with no resource-level permissions: the only ones allowed on Resource "*".
UNSCOPED_ACTIONS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords", "states:ListStateMachines"}


def _statements(synthesized: Synthesized) -> Iterator[tuple[str, dict[str, Any]]]:
    for key, resource in synthesized.resources.items():
        if resource["Type"] == "AWS::IAM::Policy":
            document = resource["Properties"]["PolicyDocument"]
        elif resource["Type"] == "AWS::IAM::Role":
            for inline in resource["Properties"].get("Policies", []):
                for statement in inline["PolicyDocument"]["Statement"]:
                    yield key, statement
            continue
        else:
            continue
        for statement in document["Statement"]:
            yield key, statement


def test_every_api_route_but_the_health_check_and_the_engine_webhooks_requires_iam(
    synthesized: Synthesized,
) -> None:
    stack = synthesized.stack
    apis = synthesized.of_type("AWS::ApiGateway::RestApi")
    webhook_api = synthesized.logical_id(stack.engine_webhooks.api)
    assert len(apis) == 3  # workflow, dataplane, engine webhooks
    open_methods = []
    for key, method in synthesized.of_type("AWS::ApiGateway::Method").items():
        properties = method["Properties"]
        if properties["RestApiId"] == {"Ref": webhook_api}:
            continue  # every route of that API is open: test_engine_webhooks.py
        if properties["AuthorizationType"] != "AWS_IAM":
            open_methods.append((key, properties["HttpMethod"], properties["ResourceId"]))
    # Exactly one open method per SigV4 API: GET on the root resource.
    assert len(open_methods) == 2, open_methods
    for _, http_method, resource_id in open_methods:
        assert http_method == "GET"
        assert "Fn::GetAtt" in resource_id and resource_id["Fn::GetAtt"][1] == "RootResourceId"
    proxies = [
        p["Properties"]["PathPart"]
        for p in synthesized.of_type("AWS::ApiGateway::Resource").values()
        if p["Properties"]["RestApiId"] != {"Ref": webhook_api}
    ]
    assert sorted(proxies) == ["{proxy+}", "{proxy+}"]


def test_api_stages_log_access_and_follow_the_tracing_parameter(synthesized: Synthesized) -> None:
    tracing = synthesized.condition_id(synthesized.stack.parameters.tracing_enabled)
    # The account's logging role is one setting: set once, before any stage logs, kept on delete.
    [(account_id, account)] = synthesized.of_type("AWS::ApiGateway::Account").items()
    assert account["DeletionPolicy"] == "Retain"
    for stage in synthesized.of_type("AWS::ApiGateway::Stage").values():
        assert account_id in stage["DependsOn"]
        properties = stage["Properties"]
        assert "DestinationArn" in properties["AccessLogSetting"]
        assert properties["TracingEnabled"] == {"Fn::If": [tracing, True, False]}


def test_wildcard_resources_only_for_actions_that_have_no_resource_level_permissions(
    synthesized: Synthesized,
) -> None:
    offenders = []
    for key, statement in _statements(synthesized):
        actions = set(as_list(statement["Action"]))
        assert "*" not in actions, f"{key} grants every action"
        if "*" in as_list(statement.get("Resource", [])) and not actions <= UNSCOPED_ACTIONS:
            offenders.append((key, sorted(actions)))
    assert offenders == []


def test_state_machines_invoke_only_functions_tagged_for_this_stack(synthesized: Synthesized) -> None:
    role_id = synthesized.logical_id(synthesized.stack.machines.role)
    [statement] = role_policy_statements(synthesized, role_id)
    assert statement["Action"] == "lambda:InvokeFunction"
    condition = statement["Condition"]["StringEquals"]
    assert condition == {f"aws:ResourceTag/{INVOKE_TAG_KEY}": synthesized.stack.stack_name}


def test_tagged_function_grants_match_lambda_arns_colon_separated(synthesized: Synthesized) -> None:
    """`function:*`: Lambda ARNs are `function:NAME[:QUALIFIER]`; a `function/*` pattern matches none."""
    role_id = synthesized.logical_id(synthesized.stack.machines.role)
    [statement] = role_policy_statements(synthesized, role_id)
    assert joined_arn(statement["Resource"]).endswith(":lambda:REGION:ACCOUNT:function:*")


def test_workflow_api_reads_the_configuration_of_tagged_functions_only(synthesized: Synthesized) -> None:
    role_id = synthesized.logical_id(synthesized.stack.workflow_api.service.handler.role)
    lambda_reads = [
        statement
        for statement in role_policy_statements(synthesized, role_id)
        if any(str(action).startswith("lambda:Get") for action in as_list(statement["Action"]))
    ]
    [statement] = lambda_reads
    assert as_list(statement["Action"]) == ["lambda:GetFunctionConfiguration"]  # never the code
    assert joined_arn(statement["Resource"]).endswith(":lambda:REGION:ACCOUNT:function:*")
    condition = statement["Condition"]["StringEquals"]
    assert condition == {f"aws:ResourceTag/{INVOKE_TAG_KEY}": synthesized.stack.stack_name}


def test_platform_and_operator_functions_carry_the_invoke_tag_and_nothing_else_does(
    synthesized: Synthesized,
) -> None:
    stack = synthesized.stack
    tagged = {
        key
        for key, function in synthesized.of_type("AWS::Lambda::Function").items()
        if {"Key": INVOKE_TAG_KEY, "Value": stack.stack_name} in function["Properties"].get("Tags", [])
    }
    expected = {
        synthesized.logical_id(f)
        for functions in (stack.steps.functions, stack.operators.functions, stack.engines.functions)
        for f in functions.values()
    }
    assert tagged == expected


def test_only_the_workflow_api_passes_the_state_machine_role_and_only_to_step_functions(
    synthesized: Synthesized,
) -> None:
    machine_role = synthesized.logical_id(synthesized.stack.machines.role)
    workflow_role = synthesized.logical_id(synthesized.stack.workflow_api.service.handler.role)
    passers = [(key, s) for key, s in _statements(synthesized) if "iam:PassRole" in as_list(s["Action"])]
    assert len(passers) == 1
    key, statement = passers[0]
    assert synthesized.resources[key]["Properties"]["Roles"] == [{"Ref": workflow_role}]
    assert statement["Resource"] == {"Fn::GetAtt": [machine_role, "Arn"]}
    assert statement["Condition"] == {"StringEquals": {"iam:PassedToService": "states.amazonaws.com"}}


def test_dataplane_bucket_is_encrypted_versioned_private_tls_only_and_logged(
    synthesized: Synthesized,
) -> None:
    storage = synthesized.stack.dataplane_storage
    bucket_id = synthesized.logical_id(storage.bucket)
    properties = synthesized.resources[bucket_id]["Properties"]
    assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
    assert properties["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"
    ]["SSEAlgorithm"] in {"AES256", "aws:kms"}
    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert properties["LoggingConfiguration"]["DestinationBucketName"] == {
        "Ref": synthesized.logical_id(storage.access_log_bucket)
    }
    [policy] = [
        p
        for p in synthesized.of_type("AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]
    denials = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
    assert any(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in denials)


def test_stream_queues_tables_and_search_domain_are_encrypted(synthesized: Synthesized) -> None:
    [stream] = synthesized.of_type("AWS::Kinesis::Stream").values()
    assert stream["Properties"]["StreamEncryption"]["EncryptionType"] == "KMS"
    for queue in synthesized.of_type("AWS::SQS::Queue").values():
        assert queue["Properties"].get("SqsManagedSseEnabled") is True
    tables = synthesized.of_type("AWS::DynamoDB::Table")
    assert len(tables) == 3  # dataplane, workflow definitions, executions
    for table in tables.values():
        assert table["Properties"]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    [domain] = synthesized.of_type("AWS::OpenSearchService::Domain").values()
    properties = domain["Properties"]
    assert properties["EncryptionAtRestOptions"] == {"Enabled": True}
    assert properties["NodeToNodeEncryptionOptions"] == {"Enabled": True}
    assert properties["DomainEndpointOptions"]["EnforceHTTPS"] is True


def test_search_domain_admits_only_the_consumer_the_dashboards_import_and_signed_in_users(
    synthesized: Synthesized,
) -> None:
    analytics = synthesized.stack.analytics
    [domain] = synthesized.of_type("AWS::OpenSearchService::Domain").values()
    [statement] = domain["Properties"]["AccessPolicies"]["Statement"]
    principals = as_list(statement["Principal"]["AWS"])
    assert sorted(p["Fn::GetAtt"][0] for p in principals) == sorted(
        [
            synthesized.logical_id(analytics.consumer_role),
            synthesized.logical_id(analytics.dashboards.authenticated_role),
            synthesized.logical_id(analytics.dashboards_import_role),
        ]
    )
    # The Dashboards import may only PUT (the index template) and POST (the saved objects import).
    import_role = analytics.dashboards_import_role
    import_es = [
        s
        for s in role_policy_statements(synthesized, synthesized.logical_id(import_role))
        if any(str(a).startswith("es:") for a in as_list(s["Action"]))
    ]
    assert [sorted(s["Action"]) for s in import_es] == [["es:ESHttpPost", "es:ESHttpPut"]]
    [objects] = synthesized.of_type("Custom::MedialensDashboardsObjects").values()
    assert objects["Properties"]["IndexPrefix"] == "medialens"
    assert len(objects["Properties"]["ContentHash"]) == 64
    # The consumer's own role may only POST (bulk, refresh, delete by query) to its domain.
    consumer_es = [
        s
        for s in role_policy_statements(synthesized, synthesized.logical_id(analytics.consumer_role))
        if any(str(a).startswith("es:") for a in as_list(s["Action"]))
    ]
    assert [s["Action"] for s in consumer_es] == ["es:ESHttpPost"]
    [pool] = synthesized.of_type("AWS::Cognito::IdentityPool").values()
    assert pool["Properties"]["AllowUnauthenticatedIdentities"] is False
    [users] = synthesized.of_type("AWS::Cognito::UserPool").values()
    assert users["Properties"]["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert users["Properties"]["MfaConfiguration"] == "ON"


# Resource type -> its physical-name property.
NAME_PROPERTIES = {
    "AWS::S3::Bucket": "BucketName",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Lambda::LayerVersion": "LayerName",
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::Kinesis::Stream": "Name",
    "AWS::Events::Rule": "Name",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::OpenSearchService::Domain": "DomainName",
    "AWS::Cognito::UserPool": "UserPoolName",
    "AWS::Cognito::IdentityPool": "IdentityPoolName",
}


def test_no_resource_has_a_fixed_physical_name(synthesized: Synthesized) -> None:
    # Fixed names would stop a second copy of the stack from deploying in the same account/region.
    named = [
        (key, resource["Properties"][NAME_PROPERTIES[resource["Type"]]])
        for key, resource in synthesized.resources.items()
        if NAME_PROPERTIES.get(resource["Type"]) in resource.get("Properties", {})
    ]
    assert named == []
    assert len([r for r in synthesized.resources.values() if r["Type"] in NAME_PROPERTIES]) > 50


def test_operators_touch_only_the_assets_prefix_of_the_dataplane_bucket(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    bucket_arn = {"Fn::GetAtt": [synthesized.logical_id(stack.dataplane_storage.bucket), "Arn"]}
    assets = {"Fn::Join": ["", [bucket_arn, "/private/assets/*"]]}
    for function in stack.operators.functions.values():
        role_id = synthesized.resources[synthesized.logical_id(function)]["Properties"]["Role"]["Fn::GetAtt"][
            0
        ]
        s3_statements = [
            s
            for s in role_policy_statements(synthesized, role_id)
            if any(str(action).startswith("s3:") for action in as_list(s["Action"]))
        ]
        assert s3_statements
        for statement in s3_statements:
            for resource in as_list(statement["Resource"]):
                # The bucket itself (List/GetBucket need it), or objects under the assets prefix.
                assert resource in (bucket_arn, assets), resource


def test_scheduler_may_describe_and_stop_only_this_stacks_executions(synthesized: Synthesized) -> None:
    # Its periodic reconciliation reads whether a Started execution's machine still runs; an
    # admission stops a machine it started for an execution cancelled meanwhile.
    stack = synthesized.stack
    role_id = synthesized.logical_id(stack.scheduler.function.role)
    statements = role_policy_statements(synthesized, role_id)
    [observe] = [s for s in statements if "states:DescribeExecution" in s["Action"]]
    assert sorted(observe["Action"]) == ["states:DescribeExecution", "states:StopExecution"]
    assert f":execution:{stack.machines.prefix}-*:*" in json.dumps(observe["Resource"])
