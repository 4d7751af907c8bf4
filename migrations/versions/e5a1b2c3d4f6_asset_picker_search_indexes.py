"""trigram indexes for the asset picker's search

The work order form's asset picker (cube.workorders.choices.find_assets) matches anywhere in an asset's serial
number and at a word's start in its name, its location's and its owner company's name (the product's name has
its index already). On PostgreSQL each of those LIKE searches gets a trigram index on the lower-cased column; the
company index serves the company pickers too. Other databases search without them.

Revision ID: e5a1b2c3d4f6
Revises: e5f6a7b8c9d0
Create Date: 2026-11-29 16:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e5a1b2c3d4f6'
down_revision = 'e5f6a7b8c9d0'
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_assets_serial_number_trgm", "assets", "serial_number"),
    ("ix_assets_name_trgm", "assets", "name"),
    ("ix_locations_name_trgm", "locations", "name"),
    ("ix_companies_name_trgm", "companies", "name"),
)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        op.execute(f"CREATE INDEX {name} ON {table} USING gin (lower({column}) gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, _table, _column in INDEXES:
        op.execute(f"DROP INDEX {name}")
