"""workflow settings carry a version

Statuses, transitions, priorities, types and custom fields get the optimistic-lock
version column work orders, products and assets have, so two admins editing the
same setting no longer overwrite each other silently: a stale save is refused with
what changed. Existing rows start at version 1 (the server default).

Revision ID: fa691b8c7a07
Revises: ae267fadb0ae
Create Date: 2026-11-29 10:21:46.215441

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fa691b8c7a07'
down_revision = 'ae267fadb0ae'
branch_labels = None
depends_on = None

TABLES = ("statuses", "transitions", "priorities", "work_order_types", "custom_fields")


def upgrade():
    # Plain ALTER TABLE everywhere: SQLite adds a column with a default in place, no batch copy of the table.
    for table in TABLES:
        op.add_column(table, sa.Column('version', sa.Integer(), nullable=False, server_default=sa.text('1')))


def downgrade():
    for table in reversed(TABLES):
        if op.get_bind().dialect.name == 'sqlite':
            # SQLite drops the column in place (3.35+); a batch copy would drop a table other rows point at.
            op.execute(sa.text(f'ALTER TABLE {table} DROP COLUMN version'))
        else:
            op.drop_column(table, 'version')
