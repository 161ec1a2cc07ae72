"""The team's own AWS: the SQS queue Amazon's notifications arrive on, and Secrets Manager.

boto3 is optional (``pip install 'oauth-wizard[aws]'``) and loaded only when a command needs
it; without it every AWS command says what to install. It is configured the standard way
(profiles, ``AWS_REGION``, and ``AWS_ENDPOINT_URL`` for a local SQS or Secrets Manager such as
moto or LocalStack, which is how the tests point it at 127.0.0.1).
"""
