"""One powertools `Router` per resource; `api.workflow.app` mounts them.

Execution routes (`/workflow/execution...`, part 2) get their own module here, mounted before
`workflows` so that `/workflow/execution` is never read as a workflow named "execution".
"""
