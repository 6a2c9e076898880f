"""The `mmrare` command line: one module per command group; each command declares its options once
and calls one application function."""
