# An MIE-style operator built on MediaInsightsOperationHelper, with the guide's error pattern.
from MediaInsightsEngineLambdaHelper import DataPlane, MasExecutionError, MediaInsightsOperationHelper


def lambda_handler(event, context):
    operator_object = MediaInsightsOperationHelper(event)
    try:
        bucket = operator_object.input["Media"]["Text"]["S3Bucket"]
        key = operator_object.input["Media"]["Text"]["S3Key"]
    except KeyError as e:
        operator_object.update_workflow_status("Error")
        operator_object.add_workflow_metadata(TranslateError=f"No valid inputs {e}")
        raise MasExecutionError(operator_object.return_output_object()) from e

    target_language = operator_object.configuration["TargetLanguageCode"]
    dataplane = DataPlane()
    info = operator_object.workflow_info()
    storage = dataplane.generate_media_storage_path(info["AssetId"], info["WorkflowExecutionId"])
    translation_key = storage["S3Key"] + "translation_" + target_language + ".txt"

    operator_object.add_media_object("Text", storage["S3Bucket"], translation_key)
    operator_object.add_workflow_metadata(TranslateSource=bucket + "/" + key)
    operator_object.update_workflow_status("Complete")
    return operator_object.return_output_object()
