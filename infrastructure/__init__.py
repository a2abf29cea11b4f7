"""The CDK app that deploys Medialens to AWS: one construct per concern, one stack composing them.

Importing this package must stay free of `aws_cdk`: the registration provider's runtime code lives
in `infrastructure.registration` and its tests import it without the CDK.
"""
