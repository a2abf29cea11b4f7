"""Names of the environment variables the platform's Lambdas read, in one place.

Every handler (API, operator, consumer) gets its configuration from these variables, on AWS
(set by the CDK app) and on the local runtime (set per function by `medialens up`).
"""

from __future__ import annotations

# Dataplane storage
DATAPLANE_BUCKET = "DATAPLANE_BUCKET"
DATAPLANE_TABLE = "DATAPLANE_TABLE"
DATAPLANE_STREAM = "DATAPLANE_STREAM"
# Secret used to sign pagination cursors: the key itself (local runtime), or the ARN of a
# Secrets Manager secret holding it (AWS).
CURSOR_SIGNING_KEY = "CURSOR_SIGNING_KEY"
CURSOR_SIGNING_SECRET_ARN = "CURSOR_SIGNING_SECRET_ARN"

# Where operators reach the dataplane API (SigV4-signed, service "execute-api").
DATAPLANE_API_ENDPOINT = "DATAPLANE_API_ENDPOINT"
WORKFLOW_API_ENDPOINT = "WORKFLOW_API_ENDPOINT"

# Standard AWS variables the SDK honours.
AWS_REGION = "AWS_REGION"
AWS_DEFAULT_REGION = "AWS_DEFAULT_REGION"
DEFAULT_REGION = "us-east-1"
