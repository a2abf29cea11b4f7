# TestMieStyle: an operator written as MIE operators are (developer guide, section 4), to prove
# they run unchanged: module-level OutputHelper, bare event access, DataPlane() from the
# environment, and every failure raised as MasExecutionError carrying the output object.
from __future__ import annotations

from typing import Any

from MediaInsightsEngineLambdaHelper import (
    DataPlane,
    MasExecutionError,
    MediaInsightsOperationHelper,
    OutputHelper,
)

operator_name = "TestMieStyle"
output_object = OutputHelper(operator_name)


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        operator_object = MediaInsightsOperationHelper(event)
        workflow_id = str(event["WorkflowExecutionId"])
        asset_id = event["AssetId"]
        s3bucket = event["Input"]["Media"]["Video"]["S3Bucket"]
        s3key = event["Input"]["Media"]["Video"]["S3Key"]
    except Exception as e:
        output_object.update_workflow_status("Error")
        output_object.add_workflow_metadata(TestMieStyleError=f"No valid inputs: {e}")
        raise MasExecutionError(output_object.return_output_object()) from e

    result = {
        "Source": {"S3Bucket": s3bucket, "S3Key": s3key},
        "Configuration": operator_object.configuration,
        "UpstreamKeys": sorted(operator_object.input.get("MetaData", {})),
    }
    try:
        dataplane = DataPlane()
        metadata_upload = dataplane.store_asset_metadata(asset_id, operator_name, workflow_id, result)
    except Exception as e:
        output_object.update_workflow_status("Error")
        output_object.add_workflow_metadata(TestMieStyleError=f"Unable to store metadata: {e}")
        raise MasExecutionError(output_object.return_output_object()) from e
    if metadata_upload.get("Status") != "Success":
        output_object.update_workflow_status("Error")
        output_object.add_workflow_metadata(TestMieStyleError="Unable to store metadata")
        raise MasExecutionError(output_object.return_output_object())

    output_object.add_workflow_metadata(TestMieStyleStored="true", Source=s3key)
    output_object.update_workflow_status("Complete")
    return output_object.return_output_object()
