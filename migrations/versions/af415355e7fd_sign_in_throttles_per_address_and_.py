"""Sign-in throttles per (e-mail, client address) and account-wide; the per-user lock columns go

Revision ID: af415355e7fd
Revises: 43d7eae11d0c
Create Date: 2026-11-29 09:06:28.431143

Failed sign-ins were counted on the user row, so anyone could lock any account
and unknown addresses answered differently. They are now counted per typed
e-mail (a keyed hash) and client address, plus one account-wide brake row.
Existing counts are short-lived and are not carried over.
"""

import sqlalchemy as sa
from alembic import op

import cube.models.base

revision = "af415355e7fd"
down_revision = "43d7eae11d0c"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sign_in_throttles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_key", sa.String(length=64), nullable=False),
        sa.Column("client_address", sa.String(length=45), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("blocked_until", cube.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_failure_at", cube.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("unlock_nonce", sa.String(length=32), nullable=True),
        sa.CheckConstraint("failures >= 0", name=op.f("ck_sign_in_throttles_failures_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_throttles")),
        sa.UniqueConstraint(
            "account_key", "client_address", name=op.f("uq_sign_in_throttles_account_key_client_address")
        ),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_ci",
    )
    with op.batch_alter_table("sign_in_throttles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sign_in_throttles_last_failure_at"), ["last_failure_at"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_failed_logins_not_negative"), type_="check")
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_logins")


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("locked_until", cube.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint(op.f("ck_users_failed_logins_not_negative"), "failed_logins >= 0")

    with op.batch_alter_table("sign_in_throttles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_throttles_last_failure_at"))

    op.drop_table("sign_in_throttles")
