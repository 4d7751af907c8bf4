"""site settings: a default time zone for new people, and the date style

Adds site_settings.default_timezone ("UTC") and site_settings.date_style ("iso": dates
are written 2026-11-29 14:05 in every language; "locale": the reader's locale's way).

Revision ID: c3d4e5f6a7b8
Revises: b7c1d2e3f4a5
Create Date: 2026-11-29 12:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3d4e5f6a7b8'
down_revision = 'b7c1d2e3f4a5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("site_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("default_timezone", sa.String(length=64), nullable=False, server_default="UTC"))
        batch_op.add_column(sa.Column("date_style", sa.String(length=8), nullable=False, server_default="iso"))


def downgrade():
    with op.batch_alter_table("site_settings", schema=None) as batch_op:
        batch_op.drop_column("date_style")
        batch_op.drop_column("default_timezone")
