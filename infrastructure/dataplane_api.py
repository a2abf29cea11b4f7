"""The dataplane API: `api.dataplane.handler.lambda_handler` behind an IAM-authorised REST API."""

from __future__ import annotations

from constructs import Construct
from medialens_helper import settings

from infrastructure.api_service import ApiService
from infrastructure.dataplane_storage import DataplaneStorage
from infrastructure.python_function import FunctionDefaults

HANDLER = "api.dataplane.handler.lambda_handler"


class DataplaneApi(Construct):
    """Configured like `medialens.deployment` configures it locally (the cursor key as a secret)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        defaults: FunctionDefaults,
        storage: DataplaneStorage,
    ) -> None:
        super().__init__(scope, construct_id)
        self.service = ApiService(
            self,
            "Service",
            handler=HANDLER,
            defaults=defaults,
            environment={
                settings.DATAPLANE_BUCKET: storage.bucket.bucket_name,
                settings.DATAPLANE_TABLE: storage.table.table_name,
                settings.DATAPLANE_STREAM: storage.stream.stream_name,
                settings.CURSOR_SIGNING_SECRET_ARN: storage.cursor_secret.secret_arn,
            },
            service_name="dataplane-api",
            description="Medialens dataplane API",
        )
        self.function = self.service.function
        self.url = self.service.url
        self.function.add_environment(settings.DATAPLANE_API_ENDPOINT, self.url)
