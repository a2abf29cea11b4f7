"""Deploy-time registration of the operator library with the workflow API (a custom resource)."""
