"""Use cases of the terminal. The screens and the `ppms` command call these only."""
