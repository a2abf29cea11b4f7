"""The CDK app that deploys Medialens to AWS: one construct per concern, one stack composing them."""
