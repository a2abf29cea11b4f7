#!/usr/bin/env bash
# The seed guide's step 6 (004_*, "Test your new workflow and operator"), verbatim where it says
# so, with $WORKFLOW_NAME and $STAGE_NAME naming the library's workflow. Run by
# tests/local/cli/test_cli_guide.py with ENV_LINE set to the line `medialens up` printed; each
# section starts with a "## name" line so the test can read its output.
set -uo pipefail
eval "$ENV_LINE"

echo "## list workflows"
awscurl "$WORKFLOW_API_ENDPOINT"/workflow | cut -f 2 -d "'" | jq '.[].Name'

echo "## list stages"
WORKFLOW_NAME="MediaAnalysisWorkflow"
awscurl "$WORKFLOW_API_ENDPOINT"/workflow/"$WORKFLOW_NAME" | cut -f 2 -d "'" | jq -c '.Stages | .[].Name'

echo "## stage configuration as written"
STAGE_NAME="MediaAnalysis"
awscurl "$WORKFLOW_API_ENDPOINT"/workflow/"$WORKFLOW_NAME" | cut -f 2 -d "'" | jq -c '.Stages."$STAGE_NAME".Configuration'

echo "## stage configuration"
awscurl "$WORKFLOW_API_ENDPOINT"/workflow/"$WORKFLOW_NAME" | cut -f 2 -d "'" | jq -c --arg s "$STAGE_NAME" '.Stages[$s].Configuration'

echo "## copy"
aws s3 cp test_image.jpg s3://"$DATAPLANE_BUCKET"/ --only-show-errors && echo copied

echo "## run as written"
awscurl -X POST --data '{"Name":"$WORKFLOW_NAME", "Input":{"Media":{"Image":{"S3Bucket":"'$DATAPLANE_BUCKET'","S3Key":"test_image.jpg"}}}}' $WORKFLOW_API_ENDPOINT/workflow/execution | cut -f 2 -d "'" | jq -c .

echo "## run"
ID=$(awscurl -X POST --data '{"Name":"'$WORKFLOW_NAME'", "Input":{"Media":{"Image":{"S3Bucket":"'$DATAPLANE_BUCKET'","S3Key":"test_image.jpg"}}}}' $WORKFLOW_API_ENDPOINT/workflow/execution | cut -f 2 -d "'" | jq -r .Id)
for attempt in $(seq 1 300); do
  STATUS=$(awscurl "$WORKFLOW_API_ENDPOINT"/workflow/execution/"$ID" | cut -f 2 -d "'" | jq -r .Status)
  case "$STATUS" in Complete|Error) break ;; esac
  sleep 0.3
done
echo "$STATUS"

echo "## run configured"
CONFIGURATION='{"MediaAnalysis":{"Mediainfo":{"MediaType":"Video","Enabled":false},"Thumbnail":{"MediaType":"Video","Enabled":false}}}'
awscurl -X POST --data '{"Name":"'$WORKFLOW_NAME'", "Configuration":'$CONFIGURATION', "Input":{"Media":{"Image":{"S3Bucket":"'$DATAPLANE_BUCKET'","S3Key":"test_image.jpg"}}}}' $WORKFLOW_API_ENDPOINT/workflow/execution | cut -f 2 -d "'" | jq -c '.Configuration.MediaAnalysis | map_values(.Enabled)'

echo "## apostrophe in data"
awscurl -X POST --data '{"Name":"GuideStage","Operations":["Mediainfo"],"Description":"the team'"'"'s stage"}' "$WORKFLOW_API_ENDPOINT"/workflow/stage | cut -f 2 -d "'" | jq -r .Description

echo "## missing function"
awscurl -X POST --data '{"Name":"GuideOp","Type":"Sync","Configuration":{"MediaType":"Image","Enabled":true},"StartLambdaArn":"arn:aws:lambda:us-east-1:123456789012:function:not-deployed"}' "$WORKFLOW_API_ENDPOINT"/workflow/operation | cut -f 2 -d "'" | jq -r .Message
