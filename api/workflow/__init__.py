"""The workflow (control plane) API: operations, stages, workflows, system configuration.

Lambda entry point: `api.workflow.handler.lambda_handler`. Execution routes arrive in part 2.
"""
