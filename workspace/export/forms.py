"""Forms of the export pages: checking a PDF and uploading a signing certificate. The files
themselves are checked by verify.py and keys.py, whose messages the pages show."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import PasswordField


class VerifyForm(FlaskForm):
    pdf = FileField("PDF file (50 MB at most)")


class CertificateForm(FlaskForm):
    """A PKCS#12 file (certificate and private key) and its password."""
    p12 = FileField("PKCS#12 file (.p12 or .pfx)")
    password = PasswordField("Password of the file")


def file_bytes(upload):
    """The bytes of an uploaded file (none when no file was chosen)."""
    return upload.read() if upload else b""
