"""Operators for testing the platform itself: deployed only with `DeployTestResources`."""
