"""The Dashboards content of the analytics pipeline, imported by every deploy that changes it.

A custom resource whose handler (`api.dashboards.handler`) puts the index template of Medialens's
search indexes and imports the saved objects (`api/dashboards/saved_objects.ndjson`: the index
pattern, a saved Discover search per kind of finding, the visualizations and the overview
dashboard) into the domain, signed with its own role. That role is one of the domain's access
policy principals (see `AnalyticsPipeline`) and may only PUT and POST to it.
"""

from __future__ import annotations

import hashlib

from aws_cdk import CustomResource, Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_opensearchservice as opensearch
from constructs import Construct

from api.dashboards.importer import SAVED_OBJECTS
from api.search.config import DEFAULT_INDEX_PREFIX
from api.search.mapping import index_template
from infrastructure.python_function import FunctionDefaults, PythonFunction, custom_resource_provider

HANDLER = "api.dashboards.handler.lambda_handler"
RESOURCE_TYPE = "Custom::MedialensDashboardsObjects"
IMPORT_ACTIONS = ["es:ESHttpPut", "es:ESHttpPost"]


def content_hash() -> str:
    """Changes when the saved objects or the template change, so CloudFormation imports them again."""
    digest = hashlib.sha256(SAVED_OBJECTS.read_bytes())
    digest.update(repr(index_template(DEFAULT_INDEX_PREFIX)).encode())
    return digest.hexdigest()


class DashboardsObjects(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        defaults: FunctionDefaults,
        domain: opensearch.Domain,
        role: iam.Role,
    ) -> None:
        super().__init__(scope, construct_id)
        made = PythonFunction(
            self,
            "Handler",
            handler=HANDLER,
            defaults=defaults,
            service_name="dashboards-import",
            description="Medialens: index template and saved objects for OpenSearch Dashboards",
            timeout=Duration.minutes(2),
            role=role,
        )
        self.function = made.function
        self.function.add_to_role_policy(
            iam.PolicyStatement(actions=IMPORT_ACTIONS, resources=[f"{domain.domain_arn}/*"])
        )
        provider = custom_resource_provider(self, self.function)
        self.resource = CustomResource(
            self,
            "Resource",
            service_token=provider.service_token,
            resource_type=RESOURCE_TYPE,
            properties={
                "DomainEndpoint": f"https://{domain.domain_endpoint}",
                "IndexPrefix": DEFAULT_INDEX_PREFIX,
                "ContentHash": content_hash(),
            },
        )
