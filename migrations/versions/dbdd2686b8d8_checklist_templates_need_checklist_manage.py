"""checklist templates need the checklist.manage permission

Managing checklist templates used to need workflow.manage, which only admins hold, so
supervisors got 403. It now needs checklist.manage, granted here to the built-in admin,
manager and supervisor roles, and to custom roles holding workflow.manage (they could
manage templates before and keep doing so).

Revision ID: dbdd2686b8d8
Revises: d42fa654c92f
Create Date: 2026-11-29 12:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'dbdd2686b8d8'
down_revision = 'd42fa654c92f'
branch_labels = None
depends_on = None

PERMISSION = "checklist.manage"
BUILTIN_HOLDERS = ("admin", "manager", "supervisor")
MANAGING = ("workflow.manage",)
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
