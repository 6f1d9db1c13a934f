"""a session's last use, so retention can remove sessions never signed out

Revision ID: e5a1c3d7f9b2
Revises: c4f1e7a9d2b3
Create Date: 2026-12-05 17:00:00

user_sessions.last_seen_at: written at most once an hour while the person uses the session
(accounts/signin.py). Empty for existing sessions: retention then goes by their sign-in time.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5a1c3d7f9b2'
down_revision = 'c4f1e7a9d2b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_column('last_seen_at')
