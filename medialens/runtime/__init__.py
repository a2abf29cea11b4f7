"""The embedded local runtime: moto + our handlers as Lambdas + a local API Gateway.

Deliberately re-exports nothing: every worker process imports `medialens.runtime.worker_main`,
and importing this package must not make each of them pay for moto, boto3 or werkzeug.
Import from the modules: `functions`, `workers`, `lambda_bridge`, `eventbridge`, `sigv4`,
`api_gateway`, `event_sources`, `sessions`, `deployment_protocol`, `platform`.
"""
