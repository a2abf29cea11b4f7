#!/usr/bin/env bash
# The walk-through of docs/operators.md ("Your own operator, step by step"), its commands as
# written there, in a folder outside the repository. Run by tests/local/cli/test_cli_guide.py with
# ENV_LINE (the line `medialens up` printed) and SAMPLE (a short video); each section starts with
# a "## name" line so the test can read its output.
set -uo pipefail
eval "$ENV_LINE"
WORK=$PWD  # the folder of your own: outside the repository
mkdir -p "$WORK/media-size" && cd "$WORK/media-size"
cat > handler.py <<'PY'
import boto3
from MediaInsightsEngineLambdaHelper import DataPlane, MediaInsightsOperationHelper


def lambda_handler(event, context):
    operator = MediaInsightsOperationHelper(event)
    media_type = operator.configuration["MediaType"]
    media = operator.input["Media"].get(media_type)
    if media is None:
        raise operator.fail(f"no {media_type} in the input")
    head = boto3.client("s3").head_object(Bucket=media["S3Bucket"], Key=media["S3Key"])
    size = {"Bytes": head["ContentLength"]}
    print(f"{media['S3Key']}: {size['Bytes']} bytes")
    DataPlane().store_asset_metadata(operator.asset_id, operator.name, operator.workflow_execution_id, size)
    operator.add_workflow_metadata(MediaBytes=str(size["Bytes"]))
    operator.update_workflow_status("Complete")
    return operator.return_output_object()
PY
echo "## zip"
zip -q ../media-size.zip handler.py && echo zipped
echo "## deploy"
SDK_LAYER=$(aws lambda list-layers --query 'Layers[?LayerName==`medialens-sdk`].LatestMatchingVersion.LayerVersionArn' --output text)
echo "$SDK_LAYER"
aws lambda create-function --function-name media-size --runtime python3.12 \
  --handler handler.lambda_handler --zip-file fileb://../media-size.zip --layers "$SDK_LAYER" \
  --role arn:aws:iam::123456789012:role/medialens-local-lambda --timeout 60 \
  --environment "Variables={DATAPLANE_API_ENDPOINT=$DATAPLANE_API_ENDPOINT}" --query State --output text
FUNCTION_ARN=$(aws lambda get-function --function-name media-size --query Configuration.FunctionArn --output text)
echo "$FUNCTION_ARN"
echo "## register"
awscurl -X POST --data '{"Name":"MediaSize","Type":"Sync","Configuration":{"MediaType":"Video","Enabled":true},"StartLambdaArn":"'$FUNCTION_ARN'"}' \
  "$WORKFLOW_API_ENDPOINT"/workflow/operation | cut -f 2 -d "'" | jq -c '{Name, StageName}'
echo "## compose"
awscurl -X POST --data '{"Name":"SizeStage","Operations":["MediaSize","Mediainfo"]}' \
  "$WORKFLOW_API_ENDPOINT"/workflow/stage | cut -f 2 -d "'" | jq -c .Configuration
awscurl -X POST --data '{"Name":"SizeWorkflow","StartAt":"SizeStage","Stages":{"SizeStage":{"End":true}}}' \
  "$WORKFLOW_API_ENDPOINT"/workflow | cut -f 2 -d "'" | jq -c '.Stages | .[].Name'
cp "$SAMPLE" sample.mp4
run() {
  aws s3 cp sample.mp4 s3://"$DATAPLANE_BUCKET"/upload/sample.mp4 --only-show-errors
  ID=$(awscurl -X POST --data '{"Name":"SizeWorkflow","Input":{"Media":{"Video":{"S3Bucket":"'$DATAPLANE_BUCKET'","S3Key":"upload/sample.mp4"}}}}' \
    "$WORKFLOW_API_ENDPOINT"/workflow/execution | cut -f 2 -d "'" | jq -r .Id)
  for attempt in $(seq 1 300); do
    STATUS=$(awscurl "$WORKFLOW_API_ENDPOINT"/workflow/execution/"$ID" | cut -f 2 -d "'" | jq -r .Status)
    case "$STATUS" in Complete|Error) break ;; esac
    sleep 0.3
  done
  awscurl "$WORKFLOW_API_ENDPOINT"/workflow/execution/"$ID" | cut -f 2 -d "'" | jq -c '{Status, Operators: [.Stages[].Operations[] | {Name, Status}]}'
  ASSET=$(awscurl "$WORKFLOW_API_ENDPOINT"/workflow/execution/"$ID" | cut -f 2 -d "'" | jq -r .AssetId)
  awscurl "$DATAPLANE_API_ENDPOINT"/metadata/"$ASSET"/MediaSize | cut -f 2 -d "'" | jq -c .results
}
echo "## run"
run
echo "## logs"
aws logs filter-log-events --log-group-name /aws/lambda/media-size --query 'events[].message' --output text | grep -c "upload/sample.mp4\|bytes"
echo "## change"
sed -i 's/size = {"Bytes": head\["ContentLength"\]}/size = {"Bytes": head["ContentLength"], "KiB": head["ContentLength"] \/\/ 1024}/' handler.py
zip -q ../media-size.zip handler.py
aws lambda update-function-code --function-name media-size --zip-file fileb://../media-size.zip --query LastUpdateStatus --output text
echo "## run again"
run
