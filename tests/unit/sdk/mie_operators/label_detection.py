# An operator as the MIE developer guide (section 4) tells one to write it. It must run unchanged
# on Medialens: module-level OutputHelper, bare event access, DataPlane() from the environment.
from MediaInsightsEngineLambdaHelper import DataPlane, MasExecutionError, OutputHelper

operator_name = "LabelDetection"
output_object = OutputHelper(operator_name)


def detect_labels(s3bucket, s3key, min_confidence):
    labels = [{"Name": "Cat", "Confidence": 97.5}, {"Name": "Sofa", "Confidence": 61.0}]
    return {
        "Labels": [label for label in labels if label["Confidence"] >= min_confidence],
        "Source": {"S3Bucket": s3bucket, "S3Key": s3key},
    }


def lambda_handler(event, context):
    workflow_id = str(event["WorkflowExecutionId"])
    asset_id = event["AssetId"]

    if "Video" in event["Input"]["Media"]:
        s3bucket = event["Input"]["Media"]["Video"]["S3Bucket"]
        s3key = event["Input"]["Media"]["Video"]["S3Key"]
    elif "Image" in event["Input"]["Media"]:
        s3bucket = event["Input"]["Media"]["Image"]["S3Bucket"]
        s3key = event["Input"]["Media"]["Image"]["S3Key"]
    else:
        output_object.update_workflow_status("Error")
        output_object.add_workflow_metadata(LabelDetectionError="No valid inputs")
        raise MasExecutionError(output_object.return_output_object())

    min_confidence = event["Configuration"]["MinConfidence"]
    my_data_1 = event["Input"]["MetaData"]["MyData1"]

    response = detect_labels(s3bucket, s3key, min_confidence)

    dataplane = DataPlane()
    metadata_upload = dataplane.store_asset_metadata(asset_id, operator_name, workflow_id, response)
    if metadata_upload["Status"] != "Success":
        output_object.update_workflow_status("Error")
        output_object.add_workflow_metadata(LabelDetectionError="Unable to upload metadata")
        raise MasExecutionError(output_object.return_output_object())

    output_object.add_workflow_metadata(LabelCount=str(len(response["Labels"])))
    output_object.add_workflow_metadata(MyData2=my_data_1 + " and labels", Source=s3key)
    output_object.update_workflow_status("Complete")
    return output_object.return_output_object()
