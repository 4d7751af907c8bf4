"""board columns read an index: work orders by status, archived flag and age; and by creator

Each board column reads its newest cards and counts its work orders (up to a cap) through
the first index, so the board costs the same at a thousand work orders or a million. The
second lets a person's own work orders (requested, created, supervised, assigned) be found
through one index per way of being theirs.

Revision ID: e5f6a7b8c9d0
Revises: dbdd2686b8d8
Create Date: 2026-11-29 16:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e5f6a7b8c9d0'
down_revision = 'dbdd2686b8d8'
branch_labels = None
depends_on = None

FOREIGN_KEY_INDEX = "fk_work_orders_created_by_id_users"  # what MySQL names the index it makes for the key


def upgrade():
    op.create_index(
        "ix_work_orders_status_created", "work_orders", ["status_id", "archived", "created_at", "id"], unique=False
    )
    op.create_index("ix_work_orders_created_by_id", "work_orders", ["created_by_id"], unique=False)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "mysql":
        # MySQL and MariaDB need an index behind the created_by_id foreign key. The one they made for it
        # (named after the constraint) may have given way to this one: put it back before this one goes.
        kept = {index["name"] for index in sa.inspect(bind).get_indexes("work_orders")}
        if FOREIGN_KEY_INDEX not in kept:
            op.create_index(FOREIGN_KEY_INDEX, "work_orders", ["created_by_id"], unique=False)
    op.drop_index("ix_work_orders_created_by_id", table_name="work_orders")
    op.drop_index("ix_work_orders_status_created", table_name="work_orders")
