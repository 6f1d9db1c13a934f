"""Stores for the file store's tests: a folder, and a bucket on a local S3-compatible server
(moto's server mode, from PyPI: `moto[server]`) on a free port with fake credentials."""
import socket

import boto3
import pytest

from workspace.files import LocalStore, S3Store

BUCKET = "common-ground-test"


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    """The endpoint URL of a moto S3 server that runs for the session."""
    from moto.server import ThreadedMotoServer
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_credentials(monkeypatch):
    """Fake credentials in the standard AWS variables, as the store reads them."""
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def s3_bucket(s3_server, s3_credentials):
    """An empty bucket, removed with its objects afterwards."""
    client = boto3.client("s3", endpoint_url=s3_server)
    client.create_bucket(Bucket=BUCKET)
    yield client
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for item in page.get("Contents", ()):
            client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    """Each store kind in turn: a fresh folder, or a fresh bucket (with a key prefix)."""
    if request.param == "local":
        return LocalStore(tmp_path / "files")
    server = request.getfixturevalue("s3_server")
    request.getfixturevalue("s3_bucket")
    return S3Store(BUCKET, endpoint_url=server, prefix="cg/files/")


@pytest.fixture
def app_store(app, store):
    """The test app stores its files in `store` for the test."""
    saved = app.extensions["files"]
    app.extensions["files"] = store
    yield store
    app.extensions["files"] = saved
