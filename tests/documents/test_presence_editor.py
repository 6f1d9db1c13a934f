"""Presence in the editor (issue 20): the editor says who else is editing the section, its
heartbeat keeps that current, presence ends 30 s after the last heartbeat (by the app's
clock: these tests move it, never wait), and the beacon a closing page sends ends it at once."""
from datetime import timedelta

import pytest

from workspace import clock
from workspace.documents import presence, service
from workspace.extensions import db
from workspace.partnerships.models import Partnership

HX = {"HX-Request": "true"}
DACORUM_EDITING = "Dacorum Officer (Dacorum Borough Council) is editing"


class Clock:
    """The app's clock, stopped; `advance` moves it on."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def frozen(monkeypatch):
    stopped = Clock(clock.utcnow())
    monkeypatch.setattr(clock, "utcnow", stopped)
    return stopped


@pytest.fixture
def urls(app, world):
    with app.app_context():
        partnership = db.session.get(Partnership, world["partnerships"]["own"])
        document = service.create_document(partnership, "Statement of Common Ground", "scg")
        section = service.append_section(document, "Housing", "Housing need.\n")
        db.session.commit()
        base = f"/p/own/d/{document.id}/s/{section.id}"
    return {"edit": f"{base}/edit", "beat": f"{base}/presence",
            "leave": f"{base}/presence/leave", "document": f"/p/own/d/{document.id}/"}


@pytest.fixture
def watford(app, login, world):
    return login(app.test_client(), world["users"]["officer"])


@pytest.fixture
def dacorum(app, login, world):
    return login(app.test_client(), world["users"]["dacorum_officer"])


def _also_editing(answer):
    return answer.get_data(as_text=True).count("Also editing:")


def test_the_editor_says_who_else_is_editing_the_section(watford, dacorum, urls):
    assert _also_editing(dacorum.get(urls["edit"], headers=HX)) == 0     # nobody else yet
    editor = watford.get(urls["edit"], headers=HX).get_data(as_text=True)
    assert "Also editing:</strong> Dacorum Officer (Dacorum Borough Council)" in editor
    # Dacorum's next heartbeat brings the news that Watford is editing too.
    answer = dacorum.post(urls["beat"], data={"shown": "0"}, headers=HX)
    assert answer.status_code == 200
    assert "Also editing:</strong> Test Officer (Watford Borough Council)" in answer.get_data(True)


def test_a_heartbeat_answers_204_when_the_editor_already_shows_the_right_list(
        watford, dacorum, urls):
    dacorum.get(urls["edit"], headers=HX)
    watford.get(urls["edit"], headers=HX)
    first = dacorum.post(urls["beat"], data={"shown": "0"}, headers=HX)
    assert first.status_code == 200
    tag = first.get_data(as_text=True).split('"shown": "')[1].split('"')[0]
    assert tag not in {"", "0"}
    assert dacorum.post(urls["beat"], data={"shown": tag}, headers=HX).status_code == 204


def test_presence_ends_30_seconds_after_the_last_heartbeat(frozen, watford, dacorum, urls):
    dacorum.get(urls["edit"], headers=HX)
    frozen.advance(29)
    assert _also_editing(watford.get(urls["edit"], headers=HX)) == 1
    assert DACORUM_EDITING in watford.get(urls["document"]).get_data(True)
    frozen.advance(2)                      # 31 s since Dacorum's last sign of life
    assert _also_editing(watford.post(urls["beat"], data={"shown": "x"}, headers=HX)) == 0
    assert DACORUM_EDITING not in watford.get(urls["document"]).get_data(True)


def test_a_heartbeat_keeps_presence_going(frozen, watford, dacorum, urls):
    dacorum.get(urls["edit"], headers=HX)
    for _ in range(6):                     # a minute of heartbeats, 10 s apart
        frozen.advance(10)
        dacorum.post(urls["beat"], data={"shown": "0"}, headers=HX)
    assert _also_editing(watford.get(urls["edit"], headers=HX)) == 1


def test_the_beacon_of_a_closed_page_ends_presence_at_once(frozen, watford, dacorum, urls):
    dacorum.get(urls["edit"], headers=HX)
    # As navigator.sendBeacon sends it: a form body with the CSRF token, no header.
    answer = dacorum.post(urls["leave"], data={"csrf_token": dacorum.csrf_token()}, csrf=False)
    assert answer.status_code == 204
    assert _also_editing(watford.get(urls["edit"], headers=HX)) == 0
    assert DACORUM_EDITING not in watford.get(urls["document"]).get_data(True)


def test_a_beacon_without_the_csrf_token_is_refused(frozen, watford, dacorum, urls):
    dacorum.get(urls["edit"], headers=HX)
    assert dacorum.post(urls["leave"], data={}, csrf=False).status_code == 400
    assert _also_editing(watford.get(urls["edit"], headers=HX)) == 1


def test_the_expiry_and_heartbeat_come_from_config(app, watford, dacorum, urls, frozen,
                                                   monkeypatch):
    monkeypatch.setitem(app.config, "PRESENCE_TIMEOUT_SECONDS", 3)
    monkeypatch.setitem(app.config, "PRESENCE_HEARTBEAT_SECONDS", 1)
    editor = dacorum.get(urls["edit"], headers=HX).get_data(as_text=True)
    assert 'data-presence-heartbeat="1"' in editor
    frozen.advance(4)
    assert _also_editing(watford.get(urls["edit"], headers=HX)) == 0


def test_the_editor_beats_every_10_seconds_by_default(app, dacorum, urls):
    editor = dacorum.get(urls["edit"], headers=HX).get_data(as_text=True)
    assert 'data-presence-heartbeat="10"' in editor
    with app.app_context():
        assert presence.timeout() == timedelta(seconds=30)
