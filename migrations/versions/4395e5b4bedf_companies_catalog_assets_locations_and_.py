"""companies, catalog, assets, locations and stock

Revision ID: 4395e5b4bedf
Revises: 8f270352d6f3
Create Date: 2026-11-24 05:17:32.364394

"""
from alembic import op
import sqlalchemy as sa

import cube.models.base

from sqlalchemy.dialects import mysql

LONG_TEXT = sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")


# revision identifiers, used by Alembic.
revision = '4395e5b4bedf'
down_revision = '8f270352d6f3'
branch_labels = None
depends_on = None

# The permissions this revision introduces, granted to the built-in roles that exist.
NEW_PERMISSIONS = ("catalog.view", "catalog.manage", "catalog.import", "catalog.export", "stock.move", "stock.adjust")
GRANTS = {
    "admin": NEW_PERMISSIONS,
    "manager": NEW_PERMISSIONS,
    "supervisor": ("catalog.view", "catalog.export", "stock.move"),
    "technician": ("catalog.view", "stock.move"),
}
roles = sa.table("roles", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("builtin", sa.Boolean))
role_permissions = sa.table("role_permissions", sa.column("role_id", sa.Integer), sa.column("permission", sa.String))


def grant_builtin_permissions():
    conn = op.get_bind()
    for name, permissions in GRANTS.items():
        role_id = conn.execute(sa.select(roles.c.id).where(roles.c.name == name, roles.c.builtin.is_(True))).scalar()
        if role_id is None:
            continue
        held = set(conn.execute(sa.select(role_permissions.c.permission).where(role_permissions.c.role_id == role_id)).scalars())
        rows = [{"role_id": role_id, "permission": p} for p in permissions if p not in held]
        if rows:
            op.bulk_insert(role_permissions, rows)


def upgrade():
    op.create_table('companies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('is_customer', sa.Boolean(), nullable=False),
    sa.Column('is_vendor', sa.Boolean(), nullable=False),
    sa.Column('is_manufacturer', sa.Boolean(), nullable=False),
    sa.Column('street', sa.String(length=200), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('postal_code', sa.String(length=20), nullable=False),
    sa.Column('country', sa.String(length=100), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('website', sa.String(length=200), nullable=False),
    sa.Column('notes', LONG_TEXT, nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', cube.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', cube.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_companies')),
    sa.UniqueConstraint('name', name=op.f('uq_companies_name')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci'
    )
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_companies_active'), ['active'], unique=False)

    op.create_table('locations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', cube.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', cube.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('site', 'building', 'area')", name=op.f('ck_locations_kind_known')),
    sa.ForeignKeyConstraint(['parent_id'], ['locations.id'], name=op.f('fk_locations_parent_id_locations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_locations')),
    sa.UniqueConstraint('parent_id', 'name', name=op.f('uq_locations_parent_id_name')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci'
    )
    with op.batch_alter_table('locations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_locations_parent_id'), ['parent_id'], unique=False)

    op.create_table('product_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('created_at', cube.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', cube.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['product_categories.id'], name=op.f('fk_product_categories_parent_id_product_categories'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_categories')),
    sa.UniqueConstraint('parent_id', 'name', name=op.f('uq_product_categories_parent_id_name')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci'
    )
    with op.batch_alter_table('product_categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_categories_parent_id'), ['parent_id'], unique=False)

    op.create_table('company_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('position', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_company_contacts_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_company_contacts')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci'
    )
    with op.batch_alter_table('company_contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_company_contacts_company_id'), ['company_id'], unique=False)

    op.create_table('products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('sku_key', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('description', LONG_TEXT, nullable=False),
    sa.Column('manufacturer_id', sa.Integer(), nullable=True),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('unit_cost', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('specs', sa.JSON(), nullable=False),
    sa.Column('is_spare_part', sa.Boolean(), nullable=False),
    sa.Column('min_stock', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('on_hand', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', cube.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', cube.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('min_stock >= 0', name=op.f('ck_products_min_stock_not_negative')),
    sa.CheckConstraint('on_hand >= 0', name=op.f('ck_products_on_hand_not_negative')),
    sa.CheckConstraint('unit_cost >= 0', name=op.f('ck_products_unit_cost_not_negative')),
    sa.CheckConstraint('unit_price >= 0', name=op.f('ck_products_unit_price_not_negative')),
    sa.ForeignKeyConstraint(['category_id'], ['product_categories.id'], name=op.f('fk_products_category_id_product_categories'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['manufacturer_id'], ['companies.id'], name=op.f('fk_products_manufacturer_id_companies'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_products')),
    sa.UniqueConstraint('sku_key', name=op.f('uq_products_sku_key')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci'
    )
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index('ix_products_active_name', ['active', 'name', 'id'], unique=False)
        batch_op.create_index('ix_products_active_on_hand', ['active', 'on_hand'], unique=False)
        low_stock = sa.text("active AND min_stock > 0 AND on_hand < min_stock")
        batch_op.create_index(
            'ix_products_low_stock', ['name', 'id'], unique=False, postgresql_where=low_stock, sqlite_where=low_stock
        )
        batch_op.create_index(batch_op.f('ix_products_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_products_manufacturer_id'), ['manufacturer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_products_name'), ['name'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # Trigram indexes for substring search (pg_trgm is a trusted extension: no superuser needed).
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_products_sku_key_trgm ON products USING gin (sku_key gin_trgm_ops)")
        op.execute("CREATE INDEX ix_products_name_trgm ON products USING gin (lower(name) gin_trgm_ops)")

    op.create_table('assets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('serial_number', sa.String(length=120), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('install_date', sa.Date(), nullable=True),
    sa.Column('warranty_end', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('notes', LONG_TEXT, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', cube.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', cube.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('in_service', 'down', 'retired')", name=op.f('ck_assets_status_known')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_assets_company_id_companies'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_assets_location_id_locations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_assets_product_id_products'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assets')),
    sa.UniqueConstraint('product_id', 'serial_number', name=op.f('uq_assets_product_id_serial_number')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci'
    )
    with op.batch_alter_table('assets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assets_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assets_location_id'), ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assets_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assets_status'), ['status'], unique=False)

    op.create_table('product_images',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('thumbnail_name', sa.String(length=64), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', cube.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', cube.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_images_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_images')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_product_images_stored_name')),
    sa.UniqueConstraint('thumbnail_name', name=op.f('uq_product_images_thumbnail_name')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci'
    )
    with op.batch_alter_table('product_images', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_images_product_id'), ['product_id'], unique=False)

    op.create_table('stock_levels',
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('on_hand', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('updated_at', cube.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('on_hand >= 0', name=op.f('ck_stock_levels_on_hand_not_negative')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_stock_levels_location_id_locations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_stock_levels_product_id_products'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('product_id', 'location_id', name=op.f('pk_stock_levels')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci'
    )
    with op.batch_alter_table('stock_levels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_levels_location_id'), ['location_id'], unique=False)

    op.create_table('stock_movements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('unit_cost', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('transfer_id', sa.String(length=32), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', cube.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('receipt', 'issue', 'return', 'transfer_out', 'transfer_in', 'adjustment')", name=op.f('ck_stock_movements_kind_known')),
    sa.CheckConstraint('quantity <> 0', name=op.f('ck_stock_movements_quantity_not_zero')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_stock_movements_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_stock_movements_location_id_locations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_stock_movements_product_id_products'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_movements')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci'
    )
    with op.batch_alter_table('stock_movements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_movements_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_movements_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_movements_location_id'), ['location_id'], unique=False)
        batch_op.create_index('ix_stock_movements_product_location', ['product_id', 'location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_movements_transfer_id'), ['transfer_id'], unique=False)

    grant_builtin_permissions()


def downgrade():
    op.execute(role_permissions.delete().where(role_permissions.c.permission.in_(NEW_PERMISSIONS)))
    # Dropping a table drops its indexes; MySQL refuses to drop an index a foreign key uses.
    for table in (
        "stock_movements",
        "stock_levels",
        "product_images",
        "assets",
        "products",
        "company_contacts",
        "product_categories",
        "locations",
        "companies",
    ):
        op.drop_table(table)
