"""assigning moves work: transitions taken on assignment

Adds transitions.on_assign. Assigning someone to a work order takes the transitions
marked this way, one after another, each only when the person assigning holds its
permission and its guards pass (cube.workflow.engine.follow_assignment).

Existing workflows get the default: from each status of the "open" category, the first
transition forward to a later, non-initial "open" status that needs no reason is taken
on assignment. In the default workflow that is New → Approved and Approved → Assigned,
so a supervisor's one "assign" brings a New work order to Assigned.

Revision ID: d42fa654c92f
Revises: c3d4e5f6a7b8
Create Date: 2026-11-29 12:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd42fa654c92f'
down_revision = 'c3d4e5f6a7b8'
branch_labels = None
depends_on = None

statuses = sa.table(
    "statuses",
    sa.column("id", sa.Integer),
    sa.column("category", sa.String),
    sa.column("position", sa.Integer),
    sa.column("is_initial", sa.Boolean),
)
transitions = sa.table(
    "transitions",
    sa.column("id", sa.Integer),
    sa.column("from_status_id", sa.Integer),
    sa.column("to_status_id", sa.Integer),
    sa.column("guards", sa.JSON),
    sa.column("position", sa.Integer),
    sa.column("on_assign", sa.Boolean),
)


def upgrade():
    # Plain ALTER TABLE everywhere: SQLite adds a column with a default in place, no batch copy of the table.
    op.add_column('transitions', sa.Column('on_assign', sa.Boolean(), nullable=False, server_default=sa.false()))
    conn = op.get_bind()
    by_id = {row.id: row for row in conn.execute(sa.select(statuses))}
    rows = conn.execute(sa.select(transitions).order_by(transitions.c.position, transitions.c.id)).all()
    chosen: dict[int, int] = {}
    for row in rows:
        source, target = by_id.get(row.from_status_id), by_id.get(row.to_status_id)
        if source is None or target is None or row.from_status_id in chosen:
            continue
        forward = source.category == "open" and target.category == "open" and target.position > source.position
        if forward and not target.is_initial and "reason" not in (row.guards or []):
            chosen[row.from_status_id] = row.id
    if chosen:
        op.execute(transitions.update().where(transitions.c.id.in_(chosen.values())).values(on_assign=True))


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite drops the column in place (3.35+); a batch copy would drop a table other rows point at.
        op.execute(sa.text('ALTER TABLE transitions DROP COLUMN on_assign'))
    else:
        op.drop_column('transitions', 'on_assign')
