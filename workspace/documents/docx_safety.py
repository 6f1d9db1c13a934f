"""Check an uploaded Word (.docx) package before python-docx opens it: a zip "bomb" (a small
file that unpacks to hundreds of megabytes of XML) or a package of a great many parts is
refused before any of it is parsed.

The sizes a zip declares are not trusted: every member is unpacked in small chunks through
zipfile with a running count of the bytes it really yields, and the reading stops as soon as
the count passes the limit (IMPORT_MAX_UNCOMPRESSED_MB). The number of members is read from
the archive's end record before zipfile lists them, so a package of a million empty parts
costs nothing to refuse. python-docx then reads the same checked bytes with the same zipfile.
"""
import io
import struct
import zipfile
import zlib

from flask import current_app, has_app_context

#: IMPORT_MAX_UNCOMPRESSED_MB when no application is configured.
DEFAULT_MAX_UNCOMPRESSED_MB = 40
#: The most parts a package may have (a long Word document with many images has a few
#: hundred), and the most bytes its central directory may take to list them.
MAX_MEMBERS = 1000
MAX_DIRECTORY_BYTES = MAX_MEMBERS * 256
CHUNK = 64 * 1024

_END = struct.Struct("<4s4H2LH")
_END_SIGNATURE = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
DAMAGED = ("The Word document is damaged and cannot be read. Open it in Word, save a new "
           "copy and upload that.")


class PackageError(Exception):
    """A package that is refused; the message is for the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def max_uncompressed_bytes():
    """The most bytes a package may unpack to (IMPORT_MAX_UNCOMPRESSED_MB)."""
    megabytes = (current_app.config.get("IMPORT_MAX_UNCOMPRESSED_MB",
                                        DEFAULT_MAX_UNCOMPRESSED_MB)
                 if has_app_context() else DEFAULT_MAX_UNCOMPRESSED_MB)
    return int(megabytes) * 1024 * 1024


def _too_large(limit):
    return PackageError(
        f"The Word document unpacks to more than {limit // (1024 * 1024)} MB, more than can "
        "be imported. Nothing was imported. Remove large images or embedded files, or split "
        "the document, and try again.")


def _check_end_record(data):
    """Refuse a package that lists too many parts, from its end record alone."""
    at = data.rfind(_END_SIGNATURE, max(0, len(data) - _END.size - 0xFFFF))
    if at < 0 or len(data) - at < _END.size:
        raise PackageError(DAMAGED)
    _sig, _disk, _start, here, total, directory, _offset, _comment = _END.unpack_from(data, at)
    if data[max(0, at - 20):at - 16] == _ZIP64_LOCATOR or max(here, total) > MAX_MEMBERS \
            or directory > MAX_DIRECTORY_BYTES:
        # Word writes no Zip64 records: a document of a few hundred parts needs none.
        raise _too_many()


def _too_many():
    return PackageError(f"The Word document has more than {MAX_MEMBERS} parts, more than a "
                        "Word document has. Nothing was imported. Open it in Word, save a new "
                        "copy and upload that.")


def check_package(data, limit=None):
    """Unpack every member of the zip `data`, counting the real bytes; return (the set of
    member names, the bytes of [Content_Types].xml or b"").

    Raises PackageError when the package lists too many parts, unpacks to more than `limit`
    bytes (default: IMPORT_MAX_UNCOMPRESSED_MB) or cannot be read. Nothing is kept but the
    content types; at most one chunk is held in memory at a time.
    """
    limit = max_uncompressed_bytes() if limit is None else limit
    _check_end_record(data)
    total, types = 0, b""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise _too_many()
        for info in members:
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                # Word only stores or deflates; other methods unpack without a bound per read.
                raise PackageError(DAMAGED)
            wanted = info.filename == "[Content_Types].xml"
            with archive.open(info) as stream:
                while chunk := stream.read(CHUNK):
                    total += len(chunk)
                    if total > limit:
                        raise _too_large(limit)
                    if wanted:
                        types += chunk
        return {info.filename for info in members}, types
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError,
            ValueError, OSError, struct.error):
        # A damaged member, a lying size (zipfile stops at the declared size and the checksum
        # then fails), an encrypted part or an unknown compression method.
        raise PackageError(DAMAGED) from None
