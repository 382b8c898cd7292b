"""What the ledger stores over the config file, applied by `bootstrap` in one call: the port
set (`port_set.applied`), the `disk.warn_free_mb` parameter once set (the config's
`[database] warn_free_mb` until then) and the `utility.name` parameter (the config's
`terminal.utility` while it is empty)."""
from __future__ import annotations

from dataclasses import replace

from terminal.config import Settings
from terminal.ledger import Repositories
from terminal.services import parameters, port_set


def applied(settings: Settings, r: Repositories) -> Settings:
    settings = port_set.applied(settings, r)
    if parameters.is_set(r, "disk.warn_free_mb"):          # the low-space warning, set in the parameters
        warn = float(parameters.param_in(r, "disk.warn_free_mb"))
        settings = replace(settings, database=replace(settings.database, warn_free_mb=warn))
    utility = parameters.param_in(r, "utility.name")
    if isinstance(utility, str) and utility:
        settings = replace(settings, terminal=replace(settings.terminal, utility=utility))
    return settings
