"""``python -m oauth_wizard``: the same entry point as the ``oauth-wizard`` console script."""

from oauth_wizard.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
