"""Step Functions "Execution Status Change" events: whatever killed an execution ends its record."""
