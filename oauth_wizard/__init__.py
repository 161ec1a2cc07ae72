"""oauth-wizard: authorize an Amazon SP-API app, keep its credentials alive, explain refusals.

Loggers come from ``oauth_wizard.core.logs``, which puts the package's ``NullHandler`` in place,
so importing the package itself stays free of ``logging`` for the commands that never log.
"""
