"""What the ledger stores over the config file, applied by `bootstrap` in one call: the port
set (`port_set.applied`) and the `utility.name` parameter (the config's `terminal.utility`
while it is empty)."""
from __future__ import annotations

from dataclasses import replace

from terminal.config import Settings
from terminal.ledger import Repositories
from terminal.services import parameters, port_set


def applied(settings: Settings, r: Repositories) -> Settings:
    settings = port_set.applied(settings, r)
    utility = parameters.param_in(r, "utility.name")
    if isinstance(utility, str) and utility:
        settings = replace(settings, terminal=replace(settings.terminal, utility=utility))
    return settings
