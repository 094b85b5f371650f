"""Conversations say which feature they belong to (ask, outreach, practice), what they are
about (a scenario id, a contact) and, later, whose they are; messages carry a feature's
structured output (drafts and rubric, a scorecard) as JSON.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(
            sa.Column("feature", sa.String(16), nullable=False, server_default="ask")
        )
        batch.add_column(sa.Column("subject", sa.String(200), nullable=True))
        batch.add_column(sa.Column("owner", sa.String(200), nullable=True))
        batch.create_index("ix_conversations_feature", ["feature", "updated_at"])
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("data", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("data")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_index("ix_conversations_feature")
        batch.drop_column("owner")
        batch.drop_column("subject")
        batch.drop_column("feature")
