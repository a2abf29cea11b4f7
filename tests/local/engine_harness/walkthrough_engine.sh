#!/usr/bin/env bash
# The commands of docs/engines.md, "Write your own engine", as written there (PORT comes from the
# test: a free port instead of 8080). Run by test_write_your_own_engine.py in a folder holding a
# copy of examples/engines/brightness, with the platform's endpoints and credentials exported (what
# `eval "$(medialens env)"` sets) and the virtualenv's bin first on PATH. Each section starts with a
# "## name" line so the test can read its output.
set -euo pipefail
PORT=${PORT:-8080}

echo "## harness"
medialens engine test --manifest examples/engines/brightness/manifest.json \
  --command "python examples/engines/brightness/engine.py" --validation strict

echo "## register"
VERITONE_WEBHOOK_READY=http://127.0.0.1:$PORT/ready VERITONE_WEBHOOK_PROCESS=http://127.0.0.1:$PORT/process \
  python examples/engines/brightness/engine.py > engine.log 2>&1 &
ENGINE=$!
trap 'kill "$ENGINE"' EXIT

jq -n --slurpfile manifest examples/engines/brightness/manifest.json --arg url "http://127.0.0.1:$PORT" \
  '{Name: "Brightness", Configuration: {MediaType: "Video", Enabled: true},
    Engine: {ProcessUrl: "\($url)/process", ReadyUrl: "\($url)/ready", Manifest: $manifest[0],
             Chunking: {Video: "frames", FramesPerSecond: 1}, Validation: {Mode: "strict"}}}' > operation.json
awscurl --region "$AWS_REGION" -X POST --data @operation.json "$WORKFLOW_API_ENDPOINT/workflow/operation" \
  | jq -c '{Name, Type}'
awscurl --region "$AWS_REGION" -X POST --data '{"Name": "BrightnessStage", "Operations": ["Brightness"]}' \
  "$WORKFLOW_API_ENDPOINT/workflow/stage" | jq -c '{Name}'
awscurl --region "$AWS_REGION" -X POST \
  --data '{"Name": "BrightnessWorkflow", "StartAt": "BrightnessStage", "Stages": {"BrightnessStage": {"End": true}}}' \
  "$WORKFLOW_API_ENDPOINT/workflow" | jq -c '{Name}'

echo "## run"
python -c "from medialens.sample_media import make_sample_video as m; from pathlib import Path; m(Path('sample.mp4'))"
aws s3 cp sample.mp4 "s3://$DATAPLANE_BUCKET/upload/sample.mp4" > /dev/null
EXECUTION=$(awscurl --region "$AWS_REGION" -X POST \
  --data '{"Name":"BrightnessWorkflow","Input":{"Media":{"Video":{"S3Bucket":"'"$DATAPLANE_BUCKET"'","S3Key":"upload/sample.mp4"}}}}' \
  "$WORKFLOW_API_ENDPOINT/workflow/execution")
ID=$(echo "$EXECUTION" | jq -r .Id); ASSET=$(echo "$EXECUTION" | jq -r .AssetId)
for i in $(seq 120); do
  STATUS=$(awscurl --region "$AWS_REGION" "$WORKFLOW_API_ENDPOINT/workflow/execution/$ID" | jq -r .Status)
  case "$STATUS" in Complete|Error) break ;; esac; sleep 1
done
echo "$STATUS"

echo "## results"
awscurl --region "$AWS_REGION" "$DATAPLANE_API_ENDPOINT/metadata/$ASSET/Brightness" \
  | jq -c '.results.series[] | {startTimeMs, brightness: .tags[0].value, mean: .vendor.meanBrightness}'
