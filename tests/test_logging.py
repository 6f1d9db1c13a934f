"""Logs: one access line per request with a request id; the id in the response and on the
error page; JSON when LOG_FORMAT=json; the user's id, never the e-mail."""
import io
import json
import logging
import re

import pytest
from flask import Flask

from workspace import logs

HEX_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def logged(app):
    """The text the app's log handler writes during the test."""
    handler = next(h for h in logging.getLogger(logs.ROOT_LOGGER).handlers
                   if h.get_name() == logs.HANDLER_NAME)
    stream = io.StringIO()
    previous = handler.setStream(stream)
    formatter = handler.formatter
    yield stream
    handler.setStream(previous)
    handler.setFormatter(formatter)


def _access_lines(stream):
    return [line for line in stream.getvalue().splitlines() if " workspace.access " in line]


def test_every_request_has_an_access_line_with_a_generated_id(client, logged):
    response = client.get("/healthz?token=secret-token-value")
    request_id = response.headers["X-Request-ID"]
    assert HEX_ID.fullmatch(request_id)
    [line] = _access_lines(logged)
    assert f"[{request_id}]" in line
    for field in ("method=GET", "path=/healthz ", "status=200", "duration_ms=",
                  "user_id=-", "remote_addr=127.0.0.1"):
        assert field in line, line
    assert "secret-token-value" not in logged.getvalue()     # the path only, no query


def test_each_request_gets_its_own_id(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    assert client.get("/healthz").headers["X-Request-ID"] != first


def test_a_request_id_from_the_client_is_ignored_without_a_trusted_proxy(app, client, logged):
    assert app.config["TRUSTED_PROXIES"] == 0
    response = client.get("/healthz", headers={"X-Request-ID": "from-the-client"})
    assert HEX_ID.fullmatch(response.headers["X-Request-ID"])
    assert "from-the-client" not in logged.getvalue()


def test_a_trusted_proxys_request_id_is_used_and_echoed(app, client, logged, monkeypatch):
    monkeypatch.setitem(app.config, "TRUSTED_PROXIES", 1)
    response = client.get("/healthz", headers={"X-Request-ID": "lb-1.2_3-abc"})
    assert response.headers["X-Request-ID"] == "lb-1.2_3-abc"
    assert "[lb-1.2_3-abc]" in _access_lines(logged)[0]


@pytest.mark.parametrize("given", ["x" * 65, "has space", "semi;colon", "quote\"d", "é"])
def test_an_insane_request_id_is_replaced_even_from_a_trusted_proxy(app, client, monkeypatch,
                                                                     given):
    monkeypatch.setitem(app.config, "TRUSTED_PROXIES", 1)
    response = client.get("/healthz", headers={"X-Request-ID": given})
    assert HEX_ID.fullmatch(response.headers["X-Request-ID"])


def test_the_user_id_is_logged_never_the_email(client, login, world, logged):
    officer = world["users"]["officer"]
    login(client, officer)
    assert client.get("/").status_code < 400
    line = _access_lines(logged)[-1]
    assert f"user_id={officer} " in line
    assert "officer@watford.example" not in logged.getvalue()


def test_a_path_with_a_line_break_stays_on_one_line(client, logged):
    client.get("/no-such%0Apage%20here")
    [line] = _access_lines(logged)
    assert "path=/no-such%0Apage%20here " in line


def test_json_lines_hold_the_request_fields(client, logged):
    handler = next(h for h in logging.getLogger(logs.ROOT_LOGGER).handlers
                   if h.get_name() == logs.HANDLER_NAME)
    handler.setFormatter(logs.JsonFormatter())
    response = client.get("/healthz?x=1")
    [line] = logged.getvalue().splitlines()
    entry = json.loads(line)
    assert entry["request_id"] == response.headers["X-Request-ID"]
    assert entry["logger"] == "workspace.access" and entry["level"] == "INFO"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", entry["timestamp"])
    assert {k: entry[k] for k in ("method", "path", "status", "user_id", "remote_addr")} == {
        "method": "GET", "path": "/healthz", "status": 200, "user_id": None,
        "remote_addr": "127.0.0.1"}
    assert isinstance(entry["duration_ms"], float)


@pytest.mark.parametrize("setting, formatter", [("json", logs.JsonFormatter),
                                                ("text", logs.TextFormatter)])
def test_log_format_and_level_settings_configure_the_handler(app, setting, formatter):
    other = Flask("workspace-settings")
    other.config.update(LOG_FORMAT=setting, LOG_LEVEL="WARNING")
    try:
        handler = logs.configure(other)
        assert isinstance(handler.formatter, formatter)
        assert logging.getLogger(logs.ROOT_LOGGER).level == logging.WARNING
        ours = [h for h in logging.getLogger(logs.ROOT_LOGGER).handlers
                if h.get_name() == logs.HANDLER_NAME]
        assert ours == [handler]             # replaced, never added twice
    finally:
        logs.configure(app)


def test_records_logged_during_a_request_carry_its_id(app, logged):
    with app.test_request_context("/"):
        logging.getLogger("workspace.somewhere").warning("inside")
        request_id = logs.request_id()
    logging.getLogger("workspace.somewhere").warning("outside")
    inside, outside = logged.getvalue().splitlines()
    assert f"[{request_id}] inside" in inside
    assert "[-] outside" in outside


def _boom():
    raise RuntimeError("kaboom")


def test_an_error_is_logged_with_its_id_and_traceback_and_shown_as_a_reference(
        app, client, logged, monkeypatch):
    monkeypatch.setitem(app.view_functions, "favicon", _boom)
    response = client.get("/favicon.ico")
    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    assert f'Reference: <span class="cg-break">{request_id}</span>' in response.text   # wraps
    assert "not saved" not in response.text            # opening a page changes nothing
    text = logged.getvalue()
    assert f"[{request_id}] Unhandled error on GET /favicon.ico" in text
    assert "Traceback" in text and "RuntimeError: kaboom" in text
    assert f"[{request_id}] method=GET path=/favicon.ico status=500" in text


def test_an_error_answering_a_change_says_it_was_not_saved(app, client, monkeypatch):
    monkeypatch.setitem(app.view_functions, "auth.login", _boom)
    response = client.post("/sign-in", data={"email": "a@b.example", "password": "x"})
    assert response.status_code == 500
    assert "The error has been logged. Your change was not saved." in response.text


def test_an_error_after_the_commit_does_not_say_the_change_was_lost(app, client, monkeypatch):
    """The request committed, then finishing its answer failed (the access line, written
    after the commit): the page must not tell the user their change was lost."""
    from sqlalchemy import func, select

    from workspace import audit
    from workspace.extensions import db

    def _write():
        audit.record("test.saved_then_failed")
        return "saved"

    real, calls = logs.access_fields, []

    def _fail_once(status):
        calls.append(status)
        if len(calls) == 1:
            raise RuntimeError("after the commit")
        return real(status)

    monkeypatch.setitem(app.view_functions, "auth.login", _write)
    monkeypatch.setattr(logs, "access_fields", _fail_once)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)     # as in production
    response = client.post("/sign-in", data={"email": "a@b.example", "password": "x"})
    assert response.status_code == 500
    assert "Your change was probably saved: reload the page to check" in response.text
    assert "not saved" not in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(audit.AuditEvent).where(
            audit.AuditEvent.action == "test.saved_then_failed")) == 1


def test_an_htmx_error_names_the_reference_too(app, client, monkeypatch):
    monkeypatch.setitem(app.view_functions, "favicon", _boom)
    response = client.get("/favicon.ico", headers={"HX-Request": "true"})
    assert response.status_code == 500
    assert f"Reference: {response.headers['X-Request-ID']}" in response.text


def test_an_error_is_one_json_object_with_its_traceback(app, client, logged, monkeypatch):
    handler = next(h for h in logging.getLogger(logs.ROOT_LOGGER).handlers
                   if h.get_name() == logs.HANDLER_NAME)
    handler.setFormatter(logs.JsonFormatter())
    monkeypatch.setitem(app.view_functions, "favicon", _boom)
    response = client.get("/favicon.ico")
    entries = [json.loads(line) for line in logged.getvalue().splitlines()]
    error = next(e for e in entries if e["level"] == "ERROR")
    assert error["request_id"] == response.headers["X-Request-ID"]
    assert "RuntimeError: kaboom" in error["traceback"]


def test_static_files_have_no_access_line_but_an_id(client, logged):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert HEX_ID.fullmatch(response.headers["X-Request-ID"])
    response.close()
    assert _access_lines(logged) == []
