"""Commands beside build and check: new, serve, watch."""
