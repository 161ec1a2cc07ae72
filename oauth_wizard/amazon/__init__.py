"""The only code that talks to LWA and SP-API, and the map from their errors to causes."""
