"""The step Lambdas of generated state machines: filter, operator failed, complete stage/workflow, fail."""
