"""The center computer: ingest of the terminals' outboxes, the master data feed, bank
payments and the consolidated figures (spec: docs/sync.md). It shares `sync.schema` (the
wire records) and `terminal.domain` with the terminal, nothing else of it."""
