"""The scheduler: admits queued executions while concurrency slots are free."""
