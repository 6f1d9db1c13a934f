"""Where generated files live: a local folder, or a bucket of S3-compatible object storage.

Both stores address a file by the SHA-256 of its bytes (lower-case hex) and lay it out as
`ab/cd/<sha256>` (the first two pairs of hex digits as folders, so no folder holds millions).
A file is never rewritten: putting bytes that are already there changes nothing, and bytes
that differ have another address. Reading checks the bytes against their address, so a file
damaged at rest is refused rather than served.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

SHA256 = re.compile(r"^[0-9a-f]{64}$")


class FileMissing(LookupError):
    """No file with this address is in the store."""

    def __init__(self, sha256: str) -> None:
        super().__init__(f"No stored file has the SHA-256 {sha256}.")
        self.sha256 = sha256


class FileDamaged(ValueError):
    """The stored bytes no longer hash to their address."""

    def __init__(self, sha256: str) -> None:
        super().__init__(f"The stored file {sha256} is damaged: its bytes no longer match "
                         "its SHA-256.")
        self.sha256 = sha256


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def relative_path(sha256: str) -> str:
    """`ab/cd/abcd...`: the file's place under the store's root (or key prefix)."""
    if not SHA256.match(sha256 or ""):
        raise ValueError(f"Not a SHA-256 in lower-case hex: {sha256!r}.")
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


def _checked(sha256: str, data: bytes) -> bytes:
    if sha256_of(data) != sha256:
        raise FileDamaged(sha256)
    return data


class LocalStore:
    """Files in a folder on the server's disk (FILES_DIR)."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"LocalStore({str(self.root)!r})"

    def path(self, sha256: str) -> Path:
        return self.root / relative_path(sha256)

    def put(self, data: bytes) -> str:
        """Store the bytes (unless already there); their SHA-256. Written to a temporary file
        beside the final one and renamed into place, so no reader sees half a file."""
        sha256 = sha256_of(data)
        target = self.path(sha256)
        if target.exists():
            return sha256
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return sha256

    def get(self, sha256: str) -> bytes:
        try:
            data = self.path(sha256).read_bytes()
        except FileNotFoundError:
            raise FileMissing(sha256) from None
        return _checked(sha256, data)

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def delete(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)

    def addresses(self) -> Iterator[tuple[str, datetime]]:
        """(SHA-256, when stored) of every file in the store."""
        if not self.root.is_dir():
            return
        for path in self.root.glob("??/??/*"):
            if SHA256.match(path.name) and path.is_file():
                yield path.name, datetime.fromtimestamp(path.stat().st_mtime, UTC)


class S3Store:
    """Files as objects in a bucket of S3-compatible object storage (FILES_S3_BUCKET), under
    an optional key prefix. Credentials come from boto3's usual sources (AWS_ACCESS_KEY_ID
    and AWS_SECRET_ACCESS_KEY, a profile, or an instance role); the region from
    AWS_DEFAULT_REGION."""

    def __init__(self, bucket: str, endpoint_url: str | None = None, prefix: str = "",
                 client=None) -> None:
        self.bucket = bucket
        self.endpoint_url = endpoint_url or None
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self._client = client

    def __repr__(self) -> str:
        where = f" at {self.endpoint_url}" if self.endpoint_url else ""
        return f"S3Store(s3://{self.bucket}/{self.prefix}{where})"

    @property
    def client(self):
        if self._client is None:                   # boto3 is imported when first needed
            import boto3
            self._client = boto3.client("s3", endpoint_url=self.endpoint_url)
        return self._client

    def key(self, sha256: str) -> str:
        return self.prefix + relative_path(sha256)

    @staticmethod
    def _absent(exc) -> bool:
        error = getattr(exc, "response", {}).get("Error", {})
        return str(error.get("Code")) in {"404", "NoSuchKey", "NotFound"}

    def put(self, data: bytes) -> str:
        """Store the bytes (unless already there); their SHA-256. An object appears whole or
        not at all, so no temporary name is needed."""
        sha256 = sha256_of(data)
        if not self.exists(sha256):
            self.client.put_object(Bucket=self.bucket, Key=self.key(sha256), Body=data,
                                   ContentType="application/octet-stream")
        return sha256

    def get(self, sha256: str) -> bytes:
        from botocore.exceptions import ClientError
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))
        except ClientError as exc:
            if self._absent(exc):
                raise FileMissing(sha256) from None
            raise
        return _checked(sha256, answer["Body"].read())

    def exists(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        except ClientError as exc:
            if self._absent(exc):
                return False
            raise
        return True

    def delete(self, sha256: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.key(sha256))

    def addresses(self) -> Iterator[tuple[str, datetime]]:
        """(SHA-256, when stored) of every file in the store."""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for item in page.get("Contents", ()):
                name = item["Key"].rsplit("/", 1)[-1]
                if SHA256.match(name) and item["Key"] == self.key(name):
                    yield name, item["LastModified"]
