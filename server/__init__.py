"""The composition root: the Starlette app factory and the command line. It sits above
every other layer (server > plugins > schema > authz > core) and wires them together."""
