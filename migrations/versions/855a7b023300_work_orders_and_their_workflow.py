"""work orders and their workflow

Revision ID: 855a7b023300
Revises: 4395e5b4bedf
Create Date: 2026-11-24 05:54:42.155294

"""
from alembic import op
import sqlalchemy as sa

import cube.models.base
from sqlalchemy.dialects import mysql

# revision identifiers, used by Alembic.
revision = '855a7b023300'
down_revision = '4395e5b4bedf'
branch_labels = None
depends_on = None

# The default workflow: New -> Approved -> Assigned -> In progress <-> On hold -> Completed -> Closed,
# plus Cancelled and Rejected. Admins can change all of it afterwards.
STATUSES = [
    # name, category, colour, position, initial
    ("New", "open", "info", 10, True),
    ("Approved", "open", "primary", 20, False),
    ("Assigned", "open", "primary", 30, False),
    ("In progress", "active", "warning", 40, False),
    ("On hold", "waiting", "secondary", 50, False),
    ("Completed", "done", "success", 60, False),
    ("Closed", "done", "dark", 70, False),
    ("Cancelled", "cancelled", "secondary", 80, False),
    ("Rejected", "cancelled", "danger", 90, False),
]
TRANSITIONS = [
    # from, to, button label, permission, guards
    ("New", "Approved", "Approve", "workorder.approve", []),
    ("New", "Rejected", "Reject", "workorder.approve", ["reason"]),
    ("New", "Cancelled", "Cancel", "workorder.cancel", ["reason"]),
    ("Approved", "Assigned", "Mark assigned", "workorder.assign", ["assignee"]),
    ("Approved", "Cancelled", "Cancel", "workorder.cancel", ["reason"]),
    ("Assigned", "In progress", "Start work", "workorder.work", ["assignee"]),
    ("Assigned", "Cancelled", "Cancel", "workorder.cancel", ["reason"]),
    ("In progress", "On hold", "Pause", "workorder.work", ["reason"]),
    ("In progress", "Completed", "Complete", "workorder.work", ["checklist"]),
    ("In progress", "Cancelled", "Cancel", "workorder.cancel", ["reason"]),
    ("On hold", "In progress", "Resume", "workorder.work", []),
    ("On hold", "Cancelled", "Cancel", "workorder.cancel", ["reason"]),
    ("Completed", "Closed", "Review and close", "workorder.review", []),
    ("Completed", "In progress", "Send back", "workorder.review", ["reason"]),
    ("Closed", "Assigned", "Reopen", "workorder.review", ["reason"]),
    ("Cancelled", "New", "Reopen", "workorder.review", ["reason"]),
    ("Rejected", "New", "Reopen", "workorder.review", ["reason"]),
]
PRIORITIES = [("Urgent", "danger", 10, False), ("High", "warning", 20, False), ("Normal", "primary", 30, True), ("Low", "secondary", 40, False)]
TYPES = ["Corrective", "Preventive", "Inspection", "Installation", "Emergency"]

NEW_PERMISSIONS = (
    "workorder.view_all", "workorder.view_team", "workorder.create", "workorder.edit", "workorder.assign",
    "workorder.work", "workorder.approve", "workorder.review", "workorder.cancel", "workorder.export",
    "workflow.manage",
)
_MANAGING = ("workorder.view_all", "workorder.create", "workorder.edit", "workorder.assign", "workorder.approve",
             "workorder.review", "workorder.cancel", "workorder.export")
GRANTS = {
    "admin": NEW_PERMISSIONS,
    "manager": _MANAGING,
    "supervisor": tuple(p for p in _MANAGING if p != "workorder.view_all") + ("workorder.view_team", "workorder.work"),
    "technician": ("workorder.view_team", "workorder.create", "workorder.work"),
    "requester": ("workorder.create",),
}
roles = sa.table("roles", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("builtin", sa.Boolean))
role_permissions = sa.table("role_permissions", sa.column("role_id", sa.Integer), sa.column("permission", sa.String))


def seed_default_workflow():
    statuses = sa.table(
        "statuses", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("category", sa.String),
        sa.column("color", sa.String), sa.column("position", sa.Integer), sa.column("is_initial", sa.Boolean),
        sa.column("active", sa.Boolean),
    )
    op.bulk_insert(statuses, [
        {"name": n, "category": c, "color": col, "position": pos, "is_initial": initial, "active": True}
        for n, c, col, pos, initial in STATUSES
    ])
    conn = op.get_bind()
    ids = dict(conn.execute(sa.select(statuses.c.name, statuses.c.id)).all())
    transitions = sa.table(
        "transitions", sa.column("from_status_id", sa.Integer), sa.column("to_status_id", sa.Integer),
        sa.column("name", sa.String), sa.column("permission", sa.String), sa.column("guards", sa.JSON),
        sa.column("position", sa.Integer),
    )
    op.bulk_insert(transitions, [
        {"from_status_id": ids[a], "to_status_id": ids[b], "name": label, "permission": perm, "guards": guards,
         "position": position}
        for position, (a, b, label, perm, guards) in enumerate(TRANSITIONS)
    ])
    priorities = sa.table(
        "priorities", sa.column("name", sa.String), sa.column("color", sa.String), sa.column("position", sa.Integer),
        sa.column("is_default", sa.Boolean), sa.column("active", sa.Boolean),
    )
    op.bulk_insert(priorities, [
        {"name": n, "color": c, "position": p, "is_default": d, "active": True} for n, c, p, d in PRIORITIES
    ])
    types = sa.table("work_order_types", sa.column("name", sa.String), sa.column("active", sa.Boolean))
    op.bulk_insert(types, [{"name": n, "active": True} for n in TYPES])


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
    op.create_table('checklist_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', cube.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', cube.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_templates')),
    sa.UniqueConstraint('name', name=op.f('uq_checklist_templates_name')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci'
    )
    op.create_table('custom_fields',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind IN ('text', 'number', 'date', 'choice')", name=op.f('ck_custom_fields_kind_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_custom_fields')),
    sa.UniqueConstraint('key', name=op.f('uq_custom_fields_key')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci'
    )
    op.create_table('priorities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('color', sa.String(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_priorities')),
    sa.UniqueConstraint('name', name=op.f('uq_priorities_name')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci'
    )
    op.create_table('statuses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('color', sa.String(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_initial', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint("category IN ('open', 'active', 'waiting', 'done', 'cancelled')", name=op.f('ck_statuses_category_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statuses')),
    sa.UniqueConstraint('name', name=op.f('uq_statuses_name')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci'
    )
    op.create_table('work_order_sequences',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_work_order_sequences')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci'
    )
    op.create_table('work_order_types',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_order_types')),
    sa.UniqueConstraint('name', name=op.f('uq_work_order_types_name')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci'
    )
    op.create_table('transitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('from_status_id', sa.Integer(), nullable=False),
    sa.Column('to_status_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('permission', sa.String(length=64), nullable=False),
    sa.Column('guards', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['from_status_id'], ['statuses.id'], name=op.f('fk_transitions_from_status_id_statuses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_status_id'], ['statuses.id'], name=op.f('fk_transitions_to_status_id_statuses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transitions')),
    sa.UniqueConstraint('from_status_id', 'to_status_id', name=op.f('uq_transitions_from_status_id_to_status_id')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci'
    )
    with op.batch_alter_table('transitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transitions_from_status_id'), ['from_status_id'], unique=False)

    op.create_table('work_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text().with_variant(mysql.MEDIUMTEXT(), 'mariadb').with_variant(mysql.MEDIUMTEXT(), 'mysql'), nullable=False),
    sa.Column('type_id', sa.Integer(), nullable=False),
    sa.Column('priority_id', sa.Integer(), nullable=False),
    sa.Column('status_id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('supervisor_id', sa.Integer(), nullable=True),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('asset_id', sa.Integer(), nullable=True),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('due_at', cube.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('planned_start', cube.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('estimated_hours', sa.Numeric(precision=9, scale=2), nullable=True),
    sa.Column('estimated_cost', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('actual_hours', sa.Numeric(precision=9, scale=2), nullable=False),
    sa.Column('actual_cost', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('custom_values', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('started_at', cube.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_at', cube.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', cube.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('submission_key', sa.String(length=64), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', cube.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', cube.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('estimated_cost IS NULL OR estimated_cost >= 0', name=op.f('ck_work_orders_estimated_cost_not_negative')),
    sa.CheckConstraint('estimated_hours IS NULL OR estimated_hours >= 0', name=op.f('ck_work_orders_estimated_hours_not_negative')),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_work_orders_asset_id_assets'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_work_orders_company_id_companies'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_work_orders_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_work_orders_location_id_locations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['priority_id'], ['priorities.id'], name=op.f('fk_work_orders_priority_id_priorities'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_work_orders_product_id_products'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['requester_id'], ['users.id'], name=op.f('fk_work_orders_requester_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['status_id'], ['statuses.id'], name=op.f('fk_work_orders_status_id_statuses'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['supervisor_id'], ['users.id'], name=op.f('fk_work_orders_supervisor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_work_orders_team_id_teams'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['type_id'], ['work_order_types.id'], name=op.f('fk_work_orders_type_id_work_order_types'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_work_orders_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_orders')),
    sa.UniqueConstraint('number', name=op.f('uq_work_orders_number')),
    sa.UniqueConstraint('submission_key', name=op.f('uq_work_orders_submission_key')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci'
    )
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_work_orders_archived'), ['archived'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_orders_asset_id'), ['asset_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_orders_company_id'), ['company_id'], unique=False)
        batch_op.create_index('ix_work_orders_created', ['created_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_orders_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_orders_location_id'), ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_orders_planned_start'), ['planned_start'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_orders_priority_id'), ['priority_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_orders_product_id'), ['product_id'], unique=False)
        batch_op.create_index('ix_work_orders_requester', ['requester_id', 'id'], unique=False)
        batch_op.create_index('ix_work_orders_status_due', ['status_id', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_orders_supervisor_id'), ['supervisor_id'], unique=False)
        batch_op.create_index('ix_work_orders_team_status', ['team_id', 'status_id'], unique=False)
        batch_op.create_index('ix_work_orders_team_created', ['team_id', 'created_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_orders_type_id'), ['type_id'], unique=False)

    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('work_order_id', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', cube.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_attachments_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['work_order_id'], ['work_orders.id'], name=op.f('fk_attachments_work_order_id_work_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_attachments_stored_name')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci'
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_work_order_id'), ['work_order_id'], unique=False)

    op.create_table('checklist_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('work_order_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('answer', sa.String(length=2000), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', cube.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('follow_up_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('pass_fail', 'text', 'number')", name=op.f('ck_checklist_items_kind_known')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_checklist_items_answered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['follow_up_id'], ['work_orders.id'], name=op.f('fk_checklist_items_follow_up_id_work_orders'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['work_order_id'], ['work_orders.id'], name=op.f('fk_checklist_items_work_order_id_work_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_items')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci'
    )
    with op.batch_alter_table('checklist_items', schema=None) as batch_op:
        batch_op.create_index('ix_checklist_items_order', ['work_order_id', 'position'], unique=False)

    op.create_table('comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('work_order_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text().with_variant(mysql.MEDIUMTEXT(), 'mariadb').with_variant(mysql.MEDIUMTEXT(), 'mysql'), nullable=False),
    sa.Column('mentions', sa.JSON(), nullable=False),
    sa.Column('created_at', cube.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_comments_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['work_order_id'], ['work_orders.id'], name=op.f('fk_comments_work_order_id_work_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comments')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci'
    )
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index('ix_comments_order', ['work_order_id', 'id'], unique=False)

    op.create_table('part_usages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('work_order_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('unit_cost', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('stock_movement_id', sa.Integer(), nullable=True),
    sa.Column('used_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', cube.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('quantity <> 0', name=op.f('ck_part_usages_quantity_not_zero')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_part_usages_location_id_locations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_part_usages_product_id_products'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['stock_movement_id'], ['stock_movements.id'], name=op.f('fk_part_usages_stock_movement_id_stock_movements'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['used_by_id'], ['users.id'], name=op.f('fk_part_usages_used_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['work_order_id'], ['work_orders.id'], name=op.f('fk_part_usages_work_order_id_work_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_part_usages')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci'
    )
    with op.batch_alter_table('part_usages', schema=None) as batch_op:
        batch_op.create_index('ix_part_usages_order', ['work_order_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_part_usages_product_id'), ['product_id'], unique=False)

    op.create_table('time_logs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('work_order_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('started_at', cube.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', cube.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('hours', sa.Numeric(precision=9, scale=2), nullable=False),
    sa.Column('hourly_rate', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.CheckConstraint('ended_at IS NULL OR ended_at >= started_at', name=op.f('ck_time_logs_ends_after_start')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_time_logs_user_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['work_order_id'], ['work_orders.id'], name=op.f('fk_time_logs_work_order_id_work_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_time_logs')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci'
    )
    with op.batch_alter_table('time_logs', schema=None) as batch_op:
        batch_op.create_index('ix_time_logs_order', ['work_order_id', 'id'], unique=False)
        batch_op.create_index('ix_time_logs_user_running', ['user_id', 'ended_at'], unique=False)

    op.create_table('work_order_assignees',
    sa.Column('work_order_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_work_order_assignees_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['work_order_id'], ['work_orders.id'], name=op.f('fk_work_order_assignees_work_order_id_work_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('work_order_id', 'user_id', name=op.f('pk_work_order_assignees')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci'
    )
    with op.batch_alter_table('work_order_assignees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_work_order_assignees_user_id'), ['user_id'], unique=False)

    op.create_table('work_order_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('work_order_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', cube.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_work_order_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['work_order_id'], ['work_orders.id'], name=op.f('fk_work_order_events_work_order_id_work_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_order_events')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci'
    )
    with op.batch_alter_table('work_order_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_work_order_events_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_order_events_kind'), ['kind'], unique=False)
        batch_op.create_index('ix_work_order_events_order', ['work_order_id', 'id'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for table, column in (("work_orders", "number"), ("work_orders", "title"), ("work_orders", "description"),
                              ("comments", "body")):
            op.execute(f"CREATE INDEX ix_{table}_{column}_trgm ON {table} USING gin (lower({column}) gin_trgm_ops)")
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("hourly_rate", sa.Numeric(precision=12, scale=2), nullable=False, server_default="0"))
    seed_default_workflow()
    grant_builtin_permissions()


def downgrade():
    op.execute(role_permissions.delete().where(role_permissions.c.permission.in_(NEW_PERMISSIONS)))
    # Dropping a table drops its indexes; MySQL refuses to drop an index a foreign key uses.
    for table in (
        "work_order_events",
        "work_order_assignees",
        "time_logs",
        "part_usages",
        "comments",
        "checklist_items",
        "attachments",
        "work_orders",
        "transitions",
        "work_order_types",
        "work_order_sequences",
        "statuses",
        "priorities",
        "custom_fields",
        "checklist_templates",
    ):
        op.drop_table(table)
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("hourly_rate")
