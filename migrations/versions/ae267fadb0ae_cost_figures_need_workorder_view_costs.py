"""cost figures need the workorder.view_costs permission

Hourly rates, labour and part costs and cost totals used to be shown to anyone who
could see a work order, requesters included. They now need workorder.view_costs,
granted here to the built-in admin, manager and supervisor roles, and to custom roles
that manage work (those holding workorder.edit or workorder.view_all), so nobody who
saw costs for their work loses them; requesters and technicians stop seeing them.

Revision ID: ae267fadb0ae
Revises: 321761020571
Create Date: 2026-11-29 09:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ae267fadb0ae'
down_revision = '321761020571'
branch_labels = None
depends_on = None

PERMISSION = "workorder.view_costs"
BUILTIN_HOLDERS = ("admin", "manager", "supervisor")
MANAGING = ("workorder.edit", "workorder.view_all")
roles = sa.table("roles", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("builtin", sa.Boolean))
role_permissions = sa.table("role_permissions", sa.column("role_id", sa.Integer), sa.column("permission", sa.String))


def upgrade():
    conn = op.get_bind()
    builtin = set(
        conn.execute(
            sa.select(roles.c.id).where(roles.c.builtin.is_(True), roles.c.name.in_(BUILTIN_HOLDERS))
        ).scalars()
    )
    custom = set(
        conn.execute(
            sa.select(roles.c.id)
            .join(role_permissions, role_permissions.c.role_id == roles.c.id)
            .where(roles.c.builtin.is_(False), role_permissions.c.permission.in_(MANAGING))
        ).scalars()
    )
    held = set(conn.execute(sa.select(role_permissions.c.role_id).where(role_permissions.c.permission == PERMISSION)).scalars())
    rows = [{"role_id": role_id, "permission": PERMISSION} for role_id in sorted((builtin | custom) - held)]
    if rows:
        op.bulk_insert(role_permissions, rows)


def downgrade():
    op.execute(role_permissions.delete().where(role_permissions.c.permission == PERMISSION))
