"""Code the built-in operators share: service access, S3 media transfer, probing, failure reporting."""
