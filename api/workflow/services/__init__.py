"""Business rules of the definitions routes: one service per resource, over the definitions table."""
