"""languages: a person's chosen language, site settings with a default language

Adds users.language ("" follows the browser, then the site default), the one-row
site_settings table, and the settings.manage permission, granted to the built-in
admin role (which holds every permission).

Revision ID: b7c1d2e3f4a5
Revises: fa691b8c7a07
Create Date: 2026-11-29 12:15:00.000000

"""
from alembic import op
import sqlalchemy as sa

from cube.models.base import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'b7c1d2e3f4a5'
down_revision = 'fa691b8c7a07'
branch_labels = None
depends_on = None

PERMISSION = "settings.manage"
roles = sa.table("roles", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("builtin", sa.Boolean))
role_permissions = sa.table("role_permissions", sa.column("role_id", sa.Integer), sa.column("permission", sa.String))


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=False, server_default=""))
    op.create_table(
        "site_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("default_language", sa.String(length=8), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_settings")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_ci",
    )
    conn = op.get_bind()
    admins = set(
        conn.execute(sa.select(roles.c.id).where(roles.c.builtin.is_(True), roles.c.name == "admin")).scalars()
    )
    held = set(
        conn.execute(sa.select(role_permissions.c.role_id).where(role_permissions.c.permission == PERMISSION)).scalars()
    )
    rows = [{"role_id": role_id, "permission": PERMISSION} for role_id in sorted(admins - held)]
    if rows:
        op.bulk_insert(role_permissions, rows)


def downgrade():
    op.execute(role_permissions.delete().where(role_permissions.c.permission == PERMISSION))
    op.drop_table("site_settings")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("language")
