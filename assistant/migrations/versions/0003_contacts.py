"""Reach out's contacts tracker: whom the mentee wrote to, where it stands (drafted → sent →
replied → met, or no reply), when it was sent and when to follow up.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contacts",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("owner", sa.String(200), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(200), nullable=False, server_default=""),
        sa.Column("organisation", sa.String(200), nullable=False, server_default=""),
        sa.Column("status", sa.String(16), nullable=False, server_default="drafted"),
        sa.Column("sent_on", sa.Date, nullable=True),
        sa.Column("follow_up_on", sa.Date, nullable=True),
        sa.Column("notes", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_contacts_owner_updated", "contacts", ["owner", "updated_at"])


def downgrade() -> None:
    op.drop_index("ix_contacts_owner_updated", table_name="contacts")
    op.drop_table("contacts")
