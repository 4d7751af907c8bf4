"""board columns read an index: work orders by status, archived flag and age; and by creator

Each board column reads its newest cards and counts its work orders (up to a cap) through
the first index, so the board costs the same at a thousand work orders or a million. The
second lets a person's own work orders (requested, created, supervised, assigned) be found
through one index per way of being theirs.

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
    op.create_index("ix_work_orders_created_by_id", "work_orders", ["created_by_id"], unique=False)


def downgrade():
    if op.get_bind().dialect.name == "mysql":
        # MySQL and MariaDB need an index behind the created_by_id foreign key: put back the one they
        # make for it (named after the constraint) before this one goes.
        op.create_index("fk_work_orders_created_by_id_users", "work_orders", ["created_by_id"], unique=False)
    op.drop_index("ix_work_orders_created_by_id", table_name="work_orders")
    op.drop_index("ix_work_orders_status_created", table_name="work_orders")
