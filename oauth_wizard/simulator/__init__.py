"""A small, honest model of Amazon's documented behaviour, for the demo and the tests."""
