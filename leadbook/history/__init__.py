"""The store's weekly memory (domain.md §10): snapshots of each run in a database,
and what changed since the previous run."""
