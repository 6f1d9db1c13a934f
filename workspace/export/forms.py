"""Forms of the export pages: checking a PDF and uploading a signing certificate. The files
themselves are checked by verify.py and keys.py, whose messages the pages show."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import PasswordField


class VerifyForm(FlaskForm):
    """One PDF to check (verify.MAX_VERIFY_BYTES: 10 MB)."""
    pdf = FileField("PDF file (10 MB at most)")


class CertificateForm(FlaskForm):
    """A PKCS#12 file (certificate and private key) and its password."""
    p12 = FileField("PKCS#12 file (.p12 or .pfx)")
    password = PasswordField("Password of the file")


def file_bytes(upload):
    """The bytes of an uploaded file, which is closed (a large one is a temporary file);
    None when no file was chosen (b"" for an empty one)."""
    if not upload:
        return None
    try:
        return upload.read()
    finally:
        upload.close()
