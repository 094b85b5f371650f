"""Alembic environment: runs against the connection the Store hands in."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only via Store.migrate
    raise RuntimeError("Run migrations through assistant.store.Store.")
context.configure(connection=connection, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
