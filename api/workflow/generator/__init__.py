"""The state machine generator: workflow definitions to Amazon States Language.

`WorkflowGenerator(StepFunctionArns.from_env())` implements `api.workflow.compiler_protocol.WorkflowCompiler`.
The data contract with the step Lambdas is in `contract`; state names in `names`.
"""

from api.workflow.generator.arns import MissingStepFunctionArnError, StepFunctionArns
from api.workflow.generator.workflow_machine import WorkflowGenerator, build_machine

__all__ = ["MissingStepFunctionArnError", "StepFunctionArns", "WorkflowGenerator", "build_machine"]
