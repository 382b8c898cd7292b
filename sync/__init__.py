"""Sync between terminals and the center: the versioned wire records (`sync.schema`).

This package is shared by the terminal and the center. It imports only the standard
library and `terminal.domain`.
"""
