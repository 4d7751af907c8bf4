"""board columns read an index: work orders by status, archived flag and age

Each board column reads its newest cards and counts its work orders (up to a cap) through
this index, so the board costs the same at a thousand work orders or a million.

Revision ID: e5f6a7b8c9d0
Revises: dbdd2686b8d8
Create Date: 2026-11-29 16:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e5f6a7b8c9d0'
down_revision = 'dbdd2686b8d8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_work_orders_status_created", "work_orders", ["status_id", "archived", "created_at", "id"], unique=False
    )


def downgrade():
    op.drop_index("ix_work_orders_status_created", table_name="work_orders")
