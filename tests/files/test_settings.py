"""FILES_DIR and FILES_S3_*: a folder by default (the instance folder's files/), a bucket
when one is named; a bad value stops the app with one line naming the variable."""
import pytest
from flask import Flask

from workspace.config import ConfigurationError, load_config
from workspace.files import LocalStore, S3Store, store_from_config

NAMES = ("FILES_DIR", "FILES_S3_BUCKET", "FILES_S3_ENDPOINT_URL", "FILES_S3_PREFIX")


@pytest.fixture
def bare(monkeypatch, tmp_path):
    """load_config on a bare app with an instance folder of its own, FILES_* unset."""
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)

    def load(**env):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        app = Flask("bare", instance_path=str(tmp_path / "instance"))
        load_config(app)
        return app.config
    return load


def test_files_live_in_the_instance_folder_by_default(bare, tmp_path):
    config = bare()
    assert config["FILES_DIR"] == str(tmp_path / "instance" / "files")
    store = store_from_config(config)
    assert isinstance(store, LocalStore) and store.root == tmp_path / "instance" / "files"


def test_files_dir_names_another_folder(bare, tmp_path):
    assert store_from_config(bare(FILES_DIR=str(tmp_path / "elsewhere"))).root == \
        tmp_path / "elsewhere"


def test_a_bucket_makes_the_store_s3(bare):
    store = store_from_config(bare(FILES_S3_BUCKET="cg-files",
                                   FILES_S3_ENDPOINT_URL="https://s3.example.com",
                                   FILES_S3_PREFIX="/prod/files/"))
    assert isinstance(store, S3Store)
    assert (store.bucket, store.endpoint_url, store.prefix) == \
        ("cg-files", "https://s3.example.com", "prod/files/")


@pytest.mark.parametrize("name, value", [
    ("FILES_S3_BUCKET", "Not A Bucket"),
    ("FILES_S3_BUCKET", "ab"),
    ("FILES_S3_ENDPOINT_URL", "s3.example.com"),
    ("FILES_S3_PREFIX", "files with spaces"),
])
def test_a_bad_setting_stops_the_app_in_one_line_naming_it(bare, capsys, name, value):
    with pytest.raises(ConfigurationError) as refused:
        bare(**{name: value})
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == [str(refused.value)] and name in lines[0] and repr(value) in lines[0]


def test_the_test_app_stores_in_a_temporary_folder(app, files_dir):
    assert app.extensions["files"].root == files_dir
    assert "instance" not in files_dir.parts
