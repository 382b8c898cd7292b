"""The `ppms` sub-commands, one module per area; each has `register(sub)`."""
