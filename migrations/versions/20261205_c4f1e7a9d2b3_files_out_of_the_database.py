"""files out of the database: PDFs and evidence packs move to the file store

Revision ID: c4f1e7a9d2b3
Revises: 593822bb0579
Create Date: 2026-12-05 16:00:00

Every stored PDF (pdf_files.data) and every evidence pack's PDF and ZIP
(evidence_packs.pdf_data, zip_data) is copied into the app's configured file store
(workspace/files: FILES_DIR, or FILES_S3_BUCKET), addressed by its SHA-256; then the byte
columns are dropped. Rows are read one at a time, so no more than one file is in memory.
Run it with `flask db upgrade`, so the app (and its file store settings) is there.

The downgrade copies the bytes back from the store into restored columns; it stops with a
clear message when the store no longer holds a file a row names (nothing is then changed).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4f1e7a9d2b3'
down_revision = '593822bb0579'
branch_labels = None
depends_on = None


def _store():
    from workspace import files
    return files.store()


def upgrade():
    with op.batch_alter_table('evidence_packs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pdf_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('zip_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('pdf_size', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('zip_size', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_evidence_packs_pdf_sha256'), ['pdf_sha256'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_packs_zip_sha256'), ['zip_sha256'],
                              unique=False)

    _files_to_store()

    with op.batch_alter_table('pdf_files', schema=None) as batch_op:
        batch_op.drop_column('data')
    with op.batch_alter_table('evidence_packs', schema=None) as batch_op:
        batch_op.drop_column('zip_data')
        batch_op.drop_column('pdf_data')


def _files_to_store():
    """Put every stored file's bytes in the file store; name each by its SHA-256."""
    bind = op.get_bind()
    store = _store()
    ids = bind.execute(sa.text("SELECT id FROM pdf_files ORDER BY id")).scalars().all()
    for file_id in ids:
        data = bind.execute(sa.text("SELECT data FROM pdf_files WHERE id = :i"),
                            {"i": file_id}).scalar_one()
        data = bytes(data)
        # The column held the hash of these bytes; it is set again from them to be sure.
        bind.execute(sa.text("UPDATE pdf_files SET file_sha256 = :s, size = :n WHERE id = :i"),
                     {"s": store.put(data), "n": len(data), "i": file_id})
    ids = bind.execute(sa.text(
        "SELECT id FROM evidence_packs WHERE pdf_data IS NOT NULL OR zip_data IS NOT NULL "
        "ORDER BY id")).scalars().all()
    for pack_id in ids:
        for kind in ("pdf", "zip"):
            data = bind.execute(sa.text(f"SELECT {kind}_data FROM evidence_packs WHERE id = :i"),
                                {"i": pack_id}).scalar_one()
            if data is None:
                continue
            data = bytes(data)
            bind.execute(sa.text(f"UPDATE evidence_packs SET {kind}_sha256 = :s, "
                                 f"{kind}_size = :n WHERE id = :i"),
                         {"s": store.put(data), "n": len(data), "i": pack_id})


def downgrade():
    store = _store()
    bind = op.get_bind()
    wanted = bind.execute(sa.text(
        "SELECT file_sha256 FROM pdf_files UNION SELECT pdf_sha256 FROM evidence_packs "
        "WHERE pdf_sha256 IS NOT NULL UNION SELECT zip_sha256 FROM evidence_packs "
        "WHERE zip_sha256 IS NOT NULL")).scalars().all()
    missing = [sha for sha in wanted if not store.exists(sha)]
    if missing:
        raise RuntimeError(
            f"Cannot move the files back into the database: the file store {store!r} does "
            f"not hold {len(missing)} of them (the first: {missing[0]}). Restore the file "
            "store from its backup first.")

    with op.batch_alter_table('evidence_packs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pdf_data', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('zip_data', sa.LargeBinary(), nullable=True))
    with op.batch_alter_table('pdf_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data', sa.LargeBinary(), nullable=True))

    rows = bind.execute(sa.text("SELECT id, file_sha256 FROM pdf_files ORDER BY id")).all()
    for file_id, sha in rows:
        bind.execute(sa.text("UPDATE pdf_files SET data = :d WHERE id = :i"),
                     {"d": store.get(sha), "i": file_id})
    rows = bind.execute(sa.text(
        "SELECT id, pdf_sha256, zip_sha256 FROM evidence_packs ORDER BY id")).all()
    for pack_id, pdf_sha, zip_sha in rows:
        bind.execute(sa.text("UPDATE evidence_packs SET pdf_data = :p, zip_data = :z "
                             "WHERE id = :i"),
                     {"p": store.get(pdf_sha) if pdf_sha else None,
                      "z": store.get(zip_sha) if zip_sha else None, "i": pack_id})

    with op.batch_alter_table('pdf_files', schema=None) as batch_op:
        batch_op.alter_column('data', existing_type=sa.LargeBinary(), nullable=False)
    with op.batch_alter_table('evidence_packs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_packs_zip_sha256'))
        batch_op.drop_index(batch_op.f('ix_evidence_packs_pdf_sha256'))
        batch_op.drop_column('zip_size')
        batch_op.drop_column('pdf_size')
        batch_op.drop_column('zip_sha256')
        batch_op.drop_column('pdf_sha256')
