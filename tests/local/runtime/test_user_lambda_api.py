"""A user's own Python functions through the Lambda API on the local endpoint, as on AWS.

Each handler is written to tmp_path (outside the repository), zipped there, and deployed with the
Lambda API; the platform runs it from the uploaded code, not from anything in the repository.
"""

from __future__ import annotations

import json
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from medialens.runtime.platform import LocalPlatform

from .user_lambda_support import build_zip, deploy, lambda_platform, role_arn, wait_for

pytestmark = pytest.mark.local

APP = """
import os

def handler(event, context):
    print("event", event)
    return {
        "got": event,
        "greeting": os.environ.get("GREETING"),
        "name": context.function_name,
        "version": context.function_version,
        "env_name": os.environ["AWS_LAMBDA_FUNCTION_NAME"],
        "remaining_ms": context.get_remaining_time_in_millis(),
    }
"""


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPlatform]:
    with lambda_platform(tmp_path_factory.mktemp("state")) as running:
        yield running


@pytest.fixture(scope="module")
def lam(platform: LocalPlatform) -> Any:
    assert platform.session is not None
    return platform.session.client("lambda")


@pytest.fixture()
def name() -> str:
    return f"user-fn-{uuid.uuid4().hex[:8]}"


def create(platform: LocalPlatform, lam: Any, name: str, code: bytes, **settings: Any) -> dict[str, Any]:
    return deploy(platform, name, code, **settings)


def invoke(lam: Any, name: str, event: Any = None, **extra: Any) -> tuple[str | None, Any]:
    answer = lam.invoke(FunctionName=name, Payload=json.dumps(event or {}).encode(), **extra)
    return answer.get("FunctionError"), json.loads(answer["Payload"].read() or b"null")


def test_create_and_invoke_runs_the_uploaded_handler(
    platform: LocalPlatform, lam: Any, name: str, tmp_path: Path
) -> None:
    code = build_zip(tmp_path, {"app.py": APP})
    create(platform, lam, name, code, Environment={"Variables": {"GREETING": "hi"}})

    error, result = invoke(lam, name, {"n": 1})

    assert error is None
    assert result["got"] == {"n": 1}
    assert result["greeting"] == "hi"
    assert result["name"] == result["env_name"] == name
    assert result["version"] == "$LATEST"
    assert 0 < result["remaining_ms"] <= 3000  # Lambda's default timeout, 3 s


def test_handler_reaches_the_local_services_with_boto3(
    platform: LocalPlatform, lam: Any, name: str, tmp_path: Path
) -> None:
    source = (
        "import boto3\n"
        "def handler(event, context):\n"
        "    s3 = boto3.client('s3')\n"
        "    s3.put_object(Bucket=event['bucket'], Key=event['key'], Body=b'from the function')\n"
        "    return [b['Name'] for b in s3.list_buckets()['Buckets']]\n"
    )
    create(platform, lam, name, build_zip(tmp_path, {"app.py": source}), Timeout=30)
    bucket = platform.deployment.bucket_name

    error, result = invoke(lam, name, {"bucket": bucket, "key": "sync.txt"})

    assert error is None and bucket in result
    assert platform.session is not None
    body = platform.session.client("s3").get_object(Bucket=bucket, Key="sync.txt")["Body"].read()
    assert body == b"from the function"


def test_event_invocation_answers_202_and_runs_in_the_background(
    platform: LocalPlatform, lam: Any, name: str, tmp_path: Path
) -> None:
    source = (
        "import boto3\n"
        "def handler(event, context):\n"
        "    boto3.client('s3').put_object(Bucket=event['bucket'], Key=event['key'], Body=b'async')\n"
    )
    create(platform, lam, name, build_zip(tmp_path, {"app.py": source}), Timeout=30)
    bucket, key = platform.deployment.bucket_name, f"event-{name}.txt"

    answer = lam.invoke(
        FunctionName=name, InvocationType="Event", Payload=json.dumps({"bucket": bucket, "key": key})
    )

    assert answer["StatusCode"] == 202
    assert platform.session is not None
    s3 = platform.session.client("s3")
    listed = wait_for(lambda: s3.list_objects_v2(Bucket=bucket, Prefix=key).get("Contents"))
    assert [item["Key"] for item in listed] == [key]


def test_update_function_code_runs_the_new_code_at_the_next_invoke(
    platform: LocalPlatform, lam: Any, name: str, tmp_path: Path
) -> None:
    first = build_zip(tmp_path / "v1", {"app.py": "def handler(e, c):\n    return 'first'\n"})
    second = build_zip(tmp_path / "v2", {"app.py": "def handler(e, c):\n    return 'second'\n"})
    create(platform, lam, name, first)
    assert invoke(lam, name) == (None, "first")  # a warm worker now holds the first code

    lam.update_function_code(FunctionName=name, ZipFile=second)

    assert invoke(lam, name) == (None, "second")


def test_update_function_configuration_applies_environment_handler_and_timeout(
    platform: LocalPlatform, lam: Any, name: str, tmp_path: Path
) -> None:
    source = (
        "import os, time\n"
        "def handler(e, c):\n    return os.environ.get('MODE')\n"
        "def other(e, c):\n    return 'other ' + os.environ.get('MODE', '')\n"
        "def slow(e, c):\n    time.sleep(e['seconds'])\n    return 'slept'\n"
    )
    create(
        platform, lam, name, build_zip(tmp_path, {"app.py": source}), Environment={"Variables": {"MODE": "a"}}
    )
    assert invoke(lam, name) == (None, "a")

    lam.update_function_configuration(FunctionName=name, Environment={"Variables": {"MODE": "b"}})
    assert invoke(lam, name) == (None, "b")

    lam.update_function_configuration(FunctionName=name, Handler="app.other")
    assert invoke(lam, name) == (None, "other b")

    lam.update_function_configuration(FunctionName=name, Handler="app.slow", Timeout=1)
    error, result = invoke(lam, name, {"seconds": 3})
    assert error == "Unhandled"
    assert result["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in result["errorMessage"]

    lam.update_function_configuration(FunctionName=name, Timeout=10)
    assert invoke(lam, name, {"seconds": 1.5}) == (None, "slept")


def test_the_sdk_layer_is_listed_and_gives_a_function_the_mie_helper(
    platform: LocalPlatform, lam: Any, name: str, tmp_path: Path
) -> None:
    source = (
        "from MediaInsightsEngineLambdaHelper import OutputHelper\n"
        "def handler(e, c):\n"
        "    out = OutputHelper('UserOp')\n"
        "    out.update_workflow_status('Complete')\n"
        "    return out.return_output_object()\n"
    )
    layers = lam.list_layers()["Layers"]
    arns = [layer["LatestMatchingVersion"]["LayerVersionArn"] for layer in layers]
    assert platform.sdk_layer_arn in arns
    code = build_zip(tmp_path, {"app.py": source})

    create(platform, lam, name, code, Layers=[platform.sdk_layer_arn])
    error, result = invoke(lam, name)

    assert error is None
    assert result["Name"] == "UserOp" and result["Status"] == "Complete"


def test_without_the_sdk_layer_the_helper_cannot_be_imported(
    platform: LocalPlatform, lam: Any, name: str, tmp_path: Path
) -> None:
    source = "from MediaInsightsEngineLambdaHelper import OutputHelper\ndef handler(e, c):\n    return 1\n"
    create(platform, lam, name, build_zip(tmp_path, {"app.py": source}))

    error, result = invoke(lam, name)

    assert error == "Unhandled"
    assert result["errorType"] == "Runtime.ImportModuleError"
    assert result["errorMessage"] == (
        "Unable to import module 'app': No module named 'MediaInsightsEngineLambdaHelper'"
    )


def test_a_layer_the_user_publishes_is_on_the_path_when_attached(
    platform: LocalPlatform, lam: Any, name: str, tmp_path: Path
) -> None:
    layer_zip = build_zip(tmp_path / "layer", {"python/shared_words.py": "WORD = 'from my layer'\n"})
    layer = lam.publish_layer_version(LayerName=f"words-{name}", Content={"ZipFile": layer_zip})
    source = "import shared_words\ndef handler(e, c):\n    return shared_words.WORD\n"
    create(platform, lam, name, build_zip(tmp_path / "fn", {"app.py": source}))
    assert invoke(lam, name)[1]["errorType"] == "Runtime.ImportModuleError"

    lam.update_function_configuration(FunctionName=name, Layers=[layer["LayerVersionArn"]])

    assert invoke(lam, name) == (None, "from my layer")


def test_handler_attribute_missing_is_runtime_handler_not_found(
    platform: LocalPlatform, lam: Any, name: str, tmp_path: Path
) -> None:
    create(platform, lam, name, build_zip(tmp_path, {"app.py": APP}), Handler="app.nope")

    error, result = invoke(lam, name)

    assert error == "Unhandled"
    assert result["errorType"] == "Runtime.HandlerNotFound"
    assert result["errorMessage"] == "Handler 'nope' missing on module 'app'"


def test_unhandled_exception_is_reported_with_type_message_and_stack_trace(
    platform: LocalPlatform, lam: Any, name: str, tmp_path: Path
) -> None:
    source = "def handler(e, c):\n    raise ValueError('the input is wrong')\n"
    create(platform, lam, name, build_zip(tmp_path, {"app.py": source}))

    error, result = invoke(lam, name)

    assert error == "Unhandled"
    assert result["errorType"] == "ValueError"
    assert result["errorMessage"] == "the input is wrong"
    assert any("app.py" in line and "in handler" in line for line in result["stackTrace"])


@pytest.mark.parametrize("code", [b"not a zip at all", b""])
def test_zip_file_that_is_not_a_zip_is_refused(
    platform: LocalPlatform, lam: Any, name: str, code: bytes
) -> None:
    with pytest.raises(ClientError) as raised:
        create(platform, lam, name, code)

    assert raised.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert raised.value.response["Error"]["Message"].startswith("Could not unzip uploaded file.")
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function(FunctionName=name)


def test_update_with_a_bad_zip_is_refused_and_the_old_code_keeps_running(
    platform: LocalPlatform, lam: Any, name: str, tmp_path: Path
) -> None:
    create(platform, lam, name, build_zip(tmp_path, {"app.py": "def handler(e, c):\n    return 'kept'\n"}))

    with pytest.raises(ClientError) as raised:
        lam.update_function_code(FunctionName=name, ZipFile=b"garbage")

    assert raised.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert invoke(lam, name) == (None, "kept")


def test_zip_entry_escaping_its_folder_is_refused(
    platform: LocalPlatform, lam: Any, name: str, tmp_path: Path
) -> None:
    evil = tmp_path / "evil.zip"
    evil.write_bytes(build_zip(tmp_path / "fn", {"app.py": APP}))
    with zipfile.ZipFile(evil, "a") as archive:
        archive.writestr("../escaped.py", "X = 1\n")

    with pytest.raises(ClientError) as raised:
        create(platform, lam, name, evil.read_bytes())

    assert raised.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert "../escaped.py" in raised.value.response["Error"]["Message"]


@pytest.mark.parametrize("runtime", ["nodejs20.x", "java21", "python2.7"])
def test_a_runtime_that_is_not_python_3_is_refused_naming_it(
    platform: LocalPlatform, lam: Any, name: str, tmp_path: Path, runtime: str
) -> None:
    with pytest.raises(ClientError) as raised:
        create(platform, lam, name, build_zip(tmp_path, {"app.py": APP}), Runtime=runtime)

    assert raised.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert runtime in raised.value.response["Error"]["Message"]
    assert "python3.9" in raised.value.response["Error"]["Message"]


def test_delete_function_removes_it(platform: LocalPlatform, lam: Any, name: str, tmp_path: Path) -> None:
    create(platform, lam, name, build_zip(tmp_path, {"app.py": APP}))
    assert invoke(lam, name)[0] is None

    lam.delete_function(FunctionName=name)

    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.invoke(FunctionName=name, Payload=b"{}")


def test_code_from_the_local_s3(platform: LocalPlatform, lam: Any, name: str, tmp_path: Path) -> None:
    assert platform.session is not None
    bucket = platform.deployment.bucket_name
    code = build_zip(tmp_path, {"app.py": "def handler(e, c):\n    return 'from s3'\n"})
    platform.session.client("s3").put_object(Bucket=bucket, Key=f"{name}.zip", Body=code)

    lam.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=role_arn(platform),
        Handler="app.handler",
        Code={"S3Bucket": bucket, "S3Key": f"{name}.zip"},
    )

    assert invoke(lam, name) == (None, "from s3")


def test_versions_and_aliases_run_the_code_of_their_version(
    platform: LocalPlatform, lam: Any, name: str, tmp_path: Path
) -> None:
    def code(word: str) -> bytes:
        return build_zip(
            tmp_path / word, {"app.py": f"def handler(e, c):\n    return ['{word}', c.function_version]\n"}
        )

    create(platform, lam, name, code("one"))
    assert lam.publish_version(FunctionName=name)["Version"] == "1"
    lam.update_function_code(FunctionName=name, ZipFile=code("two"))
    assert lam.publish_version(FunctionName=name)["Version"] == "2"
    lam.update_function_code(FunctionName=name, ZipFile=code("three"))
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")

    assert invoke(lam, name, Qualifier="1") == (None, ["one", "1"])
    assert invoke(lam, name, Qualifier="2") == (None, ["two", "2"])
    assert invoke(lam, name, Qualifier="live") == (None, ["one", "1"])
    assert invoke(lam, name) == (None, ["three", "$LATEST"])

    lam.update_alias(FunctionName=name, Name="live", FunctionVersion="2")
    assert invoke(lam, name, Qualifier="live") == (None, ["two", "2"])


def test_a_module_named_like_a_platform_package_comes_from_the_users_zip(
    platform: LocalPlatform, lam: Any, name: str, tmp_path: Path
) -> None:
    files = {
        "app.py": "import operators, api\ndef handler(e, c):\n    return [operators.MINE, api.MINE]\n",
        "operators.py": "MINE = 'my operators'\n",
        "api/__init__.py": "MINE = 'my api'\n",
    }
    create(platform, lam, name, build_zip(tmp_path, files))

    assert invoke(lam, name) == (None, ["my operators", "my api"])


def test_the_platform_runtime_packages_are_not_importable_by_a_user_function(
    platform: LocalPlatform, lam: Any, name: str, tmp_path: Path
) -> None:
    create(platform, lam, name, build_zip(tmp_path, {"app.py": "import medialens_helper\n"}))

    error, result = invoke(lam, name)

    assert error == "Unhandled"
    assert result["errorMessage"] == "Unable to import module 'app': No module named 'medialens_helper'"


def test_an_eventbridge_rule_can_target_a_user_function(
    platform: LocalPlatform, lam: Any, name: str, tmp_path: Path
) -> None:
    source = (
        "import boto3\n"
        "def handler(event, context):\n"
        "    detail = event['detail']\n"
        "    boto3.client('s3').put_object(Bucket=detail['bucket'], Key=detail['key'], Body=b'ruled')\n"
    )
    arn = create(platform, lam, name, build_zip(tmp_path, {"app.py": source}), Timeout=30)["FunctionArn"]
    assert platform.session is not None
    events = platform.session.client("events")
    events.put_rule(Name=f"rule-{name}", EventPattern=json.dumps({"source": [f"user.{name}"]}))
    events.put_targets(Rule=f"rule-{name}", Targets=[{"Id": "fn", "Arn": arn}])
    bucket, key = platform.deployment.bucket_name, f"rule-{name}.txt"

    detail = json.dumps({"bucket": bucket, "key": key})
    events.put_events(Entries=[{"Source": f"user.{name}", "DetailType": "t", "Detail": detail}])

    s3 = platform.session.client("s3")
    assert wait_for(lambda: s3.list_objects_v2(Bucket=bucket, Prefix=key).get("Contents"))


def test_update_memory_size_reaches_the_context(
    platform: LocalPlatform, lam: Any, name: str, tmp_path: Path
) -> None:
    source = "def handler(e, c):\n    return c.memory_limit_in_mb\n"
    create(platform, lam, name, build_zip(tmp_path, {"app.py": source}), MemorySize=256)
    assert invoke(lam, name) == (None, "256")

    lam.update_function_configuration(FunctionName=name, MemorySize=1024)

    assert invoke(lam, name) == (None, "1024")
