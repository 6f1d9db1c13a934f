"""suggestion comments: anyone who may comment in the partnership comments on a suggestion

Revision ID: 8c3e4a1f2b67
Revises: 5471c2a1a39e
Create Date: 2026-12-05 10:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8c3e4a1f2b67'
down_revision = '5471c2a1a39e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('suggestion_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('suggestion_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_suggestion_comments_author_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_suggestion_comments_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['suggestion_id'], ['suggestions.id'], name=op.f('fk_suggestion_comments_suggestion_id_suggestions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestion_comments'))
    )
    with op.batch_alter_table('suggestion_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suggestion_comments_suggestion_id'), ['suggestion_id'], unique=False)


def downgrade():
    with op.batch_alter_table('suggestion_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestion_comments_suggestion_id'))

    op.drop_table('suggestion_comments')
