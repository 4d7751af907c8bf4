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
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default=sa.text('1')))


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
