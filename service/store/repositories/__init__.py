"""Repositories: the only code that turns rows into domain objects and back, one module per aggregate.

Each works inside the connection (transaction) of a unit of work (:mod:`service.store.db`). Claims on
work (inbound messages, outbox rows, deadlines) are conditional UPDATEs whose row count says whether
this process won, so two service processes on one PostgreSQL never do the same piece of work twice.
"""
