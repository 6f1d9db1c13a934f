"""Co-editing sections: saving, history, merging, conflicts, structure, presence, live feed."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from workspace.audit import AuditEvent
from workspace.clock import utcnow
from workspace.documents import feed, numbering, service
from workspace.documents.models import Presence, Section, SectionRevision
from workspace.extensions import db
from workspace.partnerships.models import Partnership

HX = {"HX-Request": "true"}


@pytest.fixture
def doc(app, world):
    """A three-section document in the `own` partnership; returns ids and URLs."""
    with app.app_context():
        partnership = db.session.get(Partnership, world["partnerships"]["own"])
        document = service.create_document(partnership, "Statement of Common Ground", "scg")
        ids = [service.append_section(document, title, body).id for title, body in [
            ("Strategic context", "Alpha one.\n\nBravo two.\n\nCharlie three.\n"),
            ("Housing", "Housing need.\n"),
            ("Green Belt", "Green Belt text.\n"),
        ]]
        db.session.commit()
        base = f"/p/own/d/{document.id}"
        return {"id": document.id, "sections": ids, "url": base + "/",
                "section": lambda i: f"{base}/s/{ids[i]}", "base": base}


@pytest.fixture
def officer(client, login, world):
    return login(client, world["users"]["officer"])


@pytest.fixture
def other_officer(app, login, world):
    return login(app.test_client(), world["users"]["dacorum_officer"])


def revisions(app, section_id):
    with app.app_context():
        return db.session.scalars(select(SectionRevision).where(
            SectionRevision.section_id == section_id).order_by(SectionRevision.number)).all()


def section_row(app, section_id):
    with app.app_context():
        return db.session.get(Section, section_id)


def save(client, doc, i, body, base, summary="", headers=HX):
    return client.post(doc["section"](i), data={"body": body, "base_version": str(base),
                                                "summary": summary}, headers=headers)


# Saving and history -------------------------------------------------------------------------

def test_save_writes_a_revision_with_author_authority_and_summary(app, doc, officer):
    response = save(officer, doc, 0, "Alpha one.\n\nBravo changed.\n\nCharlie three.\n", 1,
                    "Tightened Bravo")
    assert response.status_code == 200
    assert "Saved as revision 2" in response.text
    assert "Bravo changed." in response.text
    rev = revisions(app, doc["sections"][0])[-1]
    assert (rev.number, rev.summary, rev.author.email, rev.organisation.code) == \
        (2, "Tightened Bravo", "officer@watford.example", "watford")
    assert section_row(app, doc["sections"][0]).version == 2


def test_saving_unchanged_text_writes_no_revision(app, doc, officer):
    response = save(officer, doc, 1, "Housing need.\n", 1)
    assert response.status_code == 200 and "No changes to save" in response.text
    assert len(revisions(app, doc["sections"][1])) == 1


def test_plain_form_save_redirects_to_the_section(doc, officer):
    response = save(officer, doc, 1, "New housing text.\n", 1, headers={})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#section-{doc['sections'][1]}")


def test_revisions_are_immutable_and_numbered_once(app, doc):
    with app.app_context():
        rev = db.session.scalars(select(SectionRevision)).first()
        db.session.add(SectionRevision(section_id=rev.section_id, number=rev.number, body="x",
                                       body_sha256="0" * 64, html=""))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_history_lists_revisions_and_diff_marks_words(app, doc, officer):
    save(officer, doc, 1, "Housing need is high.\n", 1, "More")
    page = officer.get(doc["section"](1) + "/history")
    assert page.status_code == 200 and "More" in page.text and "(current)" in page.text
    diff = officer.get(doc["section"](1) + "/diff?from=1&to=2")
    assert diff.status_code == 200
    assert "[inserted: </span>" in diff.text and "<ins>" in diff.text


def test_diff_of_unknown_revision_is_404(doc, officer):
    assert officer.get(doc["section"](1) + "/diff?from=1&to=9").status_code == 404


def test_restoring_a_revision_writes_a_new_one(app, doc, officer):
    save(officer, doc, 1, "Changed.\n", 1)
    response = officer.post(doc["section"](1) + "/revisions/1/restore")
    assert response.status_code == 303
    revs = revisions(app, doc["sections"][1])
    assert [r.number for r in revs] == [1, 2, 3]
    assert revs[-1].kind == "restore" and revs[-1].body == "Housing need.\n"


# Concurrent edits ---------------------------------------------------------------------------

def test_non_overlapping_saves_from_the_same_base_merge(app, doc, officer, other_officer):
    first = save(other_officer, doc, 0, "Alpha EDITED.\n\nBravo two.\n\nCharlie three.\n", 1)
    assert first.status_code == 200
    second = save(officer, doc, 0, "Alpha one.\n\nBravo two.\n\nCharlie EDITED.\n", 1)
    assert second.status_code == 200
    assert "merged with changes by Dacorum Officer (Dacorum Borough Council)" in second.text
    assert section_row(app, doc["sections"][0]).body == \
        "Alpha EDITED.\n\nBravo two.\n\nCharlie EDITED.\n"
    assert revisions(app, doc["sections"][0])[-1].kind == "merge"


def test_overlapping_saves_answer_409_and_keep_the_users_text(app, doc, officer, other_officer):
    save(other_officer, doc, 0, "Alpha theirs.\n\nBravo two.\n\nCharlie three.\n", 1)
    mine = "Alpha MINE <b>bold</b>.\n\nBravo two.\n\nCharlie three.\n"
    response = save(officer, doc, 0, mine, 1)
    assert response.status_code == 409
    assert "Your changes overlap with changes by Dacorum Officer" in response.text
    assert "Alpha MINE &lt;b&gt;bold&lt;/b&gt;." in response.text      # kept in the editor
    assert 'name="base_version" value="2"' in response.text             # ready to save again
    assert section_row(app, doc["sections"][0]).body.startswith("Alpha theirs.")
    assert len(revisions(app, doc["sections"][0])) == 2                  # nothing written
    resolved = save(officer, doc, 0, "Alpha resolved.\n\nBravo two.\n\nCharlie three.\n", 2)
    assert resolved.status_code == 200


def test_concurrent_saves_lose_no_update(app, doc, world, login):
    """Eight threads save to one section from the same base: each is kept or refused."""
    section_id = doc["sections"][0]
    base_text = "Alpha one.\n\nBravo two.\n\nCharlie three.\n"
    results = []
    barrier = threading.Barrier(8)

    def worker(n):
        client = login(app.test_client(), world["users"]["officer"])
        body = base_text + f"\nAddendum {n}.\n" if n % 2 else \
            base_text.replace("Bravo two.", f"Bravo two ({n}).")
        barrier.wait()
        response = client.post(f"/p/own/d/{doc['id']}/s/{section_id}",
                               data={"body": body, "base_version": "1"}, headers=HX)
        results.append((n, response.status_code))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    accepted = [n for n, status in results if status == 200]
    assert sorted(status for _, status in results) and \
        all(status in (200, 409) for _, status in results)
    revs = revisions(app, section_id)
    assert [r.number for r in revs] == list(range(1, len(accepted) + 2))
    final = section_row(app, section_id)
    assert final.body == revs[-1].body and final.version == revs[-1].number
    for n in accepted:   # every accepted save's change is in the final text
        assert (f"Addendum {n}." if n % 2 else f"Bravo two ({n}).") in final.body


# Bad input ----------------------------------------------------------------------------------

def test_body_over_200_kb_is_413_and_keeps_the_text(app, doc, officer):
    big = "x" * (200 * 1024 + 1)
    response = save(officer, doc, 1, big, 1)
    assert response.status_code == 413
    assert "too long" in response.text and big in response.text
    assert len(revisions(app, doc["sections"][1])) == 1


@pytest.mark.parametrize("base", ["", "abc", "0", "7"])
def test_unknown_base_revision_is_422_and_keeps_the_text(app, doc, officer, base):
    response = save(officer, doc, 1, "My precious words.\n", base)
    assert response.status_code == 422
    assert "My precious words." in response.text
    assert len(revisions(app, doc["sections"][1])) == 1


def test_editing_a_removed_section_is_409_and_keeps_the_text(app, doc, officer):
    officer.post(doc["section"](2) + "/remove")
    response = save(officer, doc, 2, "Words for a removed section.\n", 1)
    assert response.status_code == 409
    assert "Words for a removed section." in response.text
    assert officer.get(doc["section"](2) + "/edit").status_code == 409


def test_summary_over_200_characters_is_422(doc, officer):
    response = save(officer, doc, 1, "Text.\n", 1, summary="s" * 201)
    assert response.status_code == 422 and "Text." in response.text


@pytest.mark.parametrize("title,message", [("", "Enter a title"),
                                           ("t" * 201, "200 characters or fewer")])
def test_bad_titles_are_422(app, doc, officer, title, message):
    for action in ("rename", "add-after"):
        response = officer.post(doc["section"](1) + f"/{action}", data={"title": title})
        assert response.status_code == 422 and message in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count(Section.id))) == 3


@pytest.mark.parametrize("role", ["viewer", "member"])
def test_viewers_and_members_cannot_edit(app, client, login, world, doc, role):
    login(client, world["users"][role])
    assert client.get(doc["section"](1) + "/edit").status_code == 403
    assert save(client, doc, 1, "Not allowed.\n", 1).status_code == 403
    assert client.post(doc["section"](1) + "/remove").status_code == 403
    assert len(revisions(app, doc["sections"][1])) == 1
    page = client.get(doc["url"])
    assert page.status_code == 200 and "/edit" not in page.text


def test_sections_of_another_partnership_are_404(app, client, login, world, doc):
    login(client, world["users"]["foreign_admin"])
    assert client.get(doc["url"]).status_code == 404
    assert client.get(doc["section"](1) + "/edit").status_code == 404
    assert save(client, doc, 1, "Intruder.\n", 1).status_code == 404


def test_a_section_id_from_another_document_is_404(app, doc, officer):
    with app.app_context():
        partnership = db.session.get(Partnership, 1)
        other = service.create_document(partnership, "Other", "other")
        db.session.commit()
        other_id = other.id
    assert officer.get(f"/p/own/d/{other_id}/s/{doc['sections'][0]}/edit").status_code == 404


def test_hostile_markup_is_shown_as_text_everywhere(app, doc, officer):
    evil = '<script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3))'
    save(officer, doc, 1, evil + "\n", 1)
    officer.post(doc["section"](1) + "/rename", data={"title": evil[:60]})
    pages = [officer.get(doc["url"]), officer.get(doc["section"](1) + "/history"),
             officer.get(doc["section"](1) + "/diff?from=1&to=2"),
             officer.get(doc["base"] + "/activity")]
    for page in pages:
        assert page.status_code == 200
        assert "<script>alert" not in page.text
        assert "onerror=alert" not in page.text.replace("onerror=alert(2)&gt;", "")
        assert 'href="javascript:' not in page.text


# Structure ----------------------------------------------------------------------------------

def test_numbering_follows_order_and_depth():
    class S:
        def __init__(self, depth):
            self.depth = depth
    numbers = [n for n, _ in numbering.number_sections([S(0), S(1), S(1), S(2), S(0), S(2)])]
    assert numbers == ["1", "1.1", "1.2", "1.2.1", "2", "2.1"]


def test_add_move_nest_remove_restore_are_audited(app, doc, officer):
    s = doc["section"]
    assert officer.post(s(0) + "/add-after", data={"title": "New matter"}).status_code == 303
    assert officer.post(s(2) + "/move", data={"direction": "up"}).status_code == 303
    assert officer.post(s(1) + "/nest", data={"direction": "in"}).status_code == 303
    assert officer.post(s(1) + "/rename", data={"title": "Housing need"}).status_code == 303
    assert officer.post(s(1) + "/remove").status_code == 303
    page = officer.get(doc["url"])
    assert "Removed sections (1)" in page.text
    assert officer.post(s(1) + "/restore").status_code == 303
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)
                                     .where(AuditEvent.document_id == doc["id"])).all()
        titles = [x.title for x in service.live_sections(db.session.get(
            Section, doc["sections"][0]).document)]
    for action in ("section.added", "section.moved", "section.nested", "section.renamed",
                   "section.removed", "section.restored"):
        assert action in actions
    assert titles == ["Strategic context", "New matter", "Green Belt", "Housing need"]
    activity = officer.get(doc["base"] + "/activity")
    assert "Removed section “Housing need”" in activity.text
    assert "Renamed “Housing” to “Housing need”" in activity.text


def test_nesting_is_limited_to_one_level_below_the_section_above(app, doc, officer):
    officer.post(doc["section"](0) + "/nest", data={"direction": "in"})   # first: stays 0
    officer.post(doc["section"](1) + "/nest", data={"direction": "in"})
    officer.post(doc["section"](1) + "/nest", data={"direction": "in"})   # 1 max below 0
    assert section_row(app, doc["sections"][0]).depth == 0
    assert section_row(app, doc["sections"][1]).depth == 1
    page = officer.get(doc["url"])
    assert '<span class="cg-number">1.1</span>' in page.text


# Presence and live updates ------------------------------------------------------------------

def test_opening_the_editor_shows_presence_to_others_until_save(app, doc, officer,
                                                               other_officer):
    officer.get(doc["section"](1) + "/edit", headers=HX)
    page = other_officer.get(doc["url"])
    assert "Test Officer (Watford Borough Council) is editing" in page.text
    save(officer, doc, 1, "Saved now.\n", 1)
    assert "is editing" not in other_officer.get(doc["url"]).text


def test_saving_unchanged_text_also_clears_presence(app, doc, officer, other_officer):
    officer.get(doc["section"](1) + "/edit", headers=HX)
    assert "is editing" in other_officer.get(doc["url"]).text
    response = save(officer, doc, 1, "Housing need.\n", 1)
    assert response.status_code == 200 and "No changes to save" in response.text
    assert "is editing" not in other_officer.get(doc["url"]).text


def test_cancel_clears_presence(app, doc, officer, other_officer):
    officer.get(doc["section"](1) + "/edit", headers=HX)
    response = officer.post(doc["section"](1) + "/cancel", headers=HX)
    assert response.status_code == 200 and "Housing need." in response.text
    assert "is editing" not in other_officer.get(doc["url"]).text


def test_presence_expires_30_seconds_after_the_last_heartbeat(app, doc, officer,
                                                               other_officer):
    officer.get(doc["section"](1) + "/edit", headers=HX)
    with app.app_context():
        db.session.execute(db.update(Presence).values(seen_at=utcnow() - timedelta(seconds=31)))
        db.session.commit()
    assert "is editing" not in other_officer.get(doc["url"]).text
    # A heartbeat (issue 20: it answers with who else is editing the section).
    assert officer.post(doc["section"](1) + "/presence", headers=HX).status_code == 200
    assert "is editing" in other_officer.get(doc["url"]).text


def _cursor(app, doc):
    with app.app_context():
        from workspace.documents.models import Document
        return feed.cursor(db.session.get(Document, doc["id"]))


def test_change_feed_is_204_when_nothing_changed(app, doc, officer):
    feed = f"{doc['base']}/changes?cursor={_cursor(app, doc)}&presence=0"
    assert officer.get(feed, headers=HX).status_code == 204


def test_change_feed_returns_saved_sections_out_of_band(app, doc, officer, other_officer):
    cursor = _cursor(app, doc)
    save(officer, doc, 1, "Fresh housing text.\n", 1)
    response = other_officer.get(f"{doc['base']}/changes?cursor={cursor}&presence=0",
                                 headers=HX)
    assert response.status_code == 200
    assert f'id="section-{doc["sections"][1]}"' in response.text
    assert "Fresh housing text." in response.text
    assert 'hx-swap-oob="true"' in response.text
    assert f"cursor={_cursor(app, doc)}" in response.text      # new poller, new cursor


def test_an_open_editor_is_never_overwritten_by_the_feed(app, doc, officer, other_officer):
    cursor = _cursor(app, doc)
    save(officer, doc, 1, "Changed under your feet.\n", 1)
    sid = doc["sections"][1]
    response = other_officer.get(
        f"{doc['base']}/changes?cursor={cursor}&presence=0&editing={sid}:1", headers=HX)
    assert response.status_code == 200
    assert f'id="section-{sid}"' not in response.text
    assert "This section changed while you were editing" in response.text
    assert f"/s/{sid}/diff?from=1&amp;to=2" in response.text


def test_feed_reports_presence_changes(app, doc, officer, other_officer):
    cursor = _cursor(app, doc)
    officer.get(doc["section"](1) + "/edit", headers=HX)
    response = other_officer.get(f"{doc['base']}/changes?cursor={cursor}&presence=0",
                                 headers=HX)
    assert response.status_code == 200
    assert "Test Officer (Watford Borough Council) is editing" in response.text


def test_a_comment_does_not_warn_an_open_editor(app, doc, officer, other_officer):
    cursor = _cursor(app, doc)
    sid = doc["sections"][1]
    officer.post(doc["section"](1) + "/comments", data={"body": "A thought."})
    response = other_officer.get(
        f"{doc['base']}/changes?cursor={cursor}&presence=0&editing={sid}:1", headers=HX)
    assert response.status_code == 200
    assert "This section changed while you were editing" not in response.text
    assert f'id="section-{sid}"' not in response.text


def test_a_recorded_position_reaches_other_viewers_live(app, doc, world, login, officer):
    from workspace.review import positions
    from workspace.review.models import Signatory
    cursor = _cursor(app, doc)
    with app.test_request_context():
        section = db.session.get(Section, doc["sections"][1])
        section.strategic_matter = True
        db.session.add(Signatory(document_id=doc["id"],
                                 organisation_id=world["orgs"]["watford"]))
        db.session.flush()
        from workspace.accounts.models import User
        member = db.session.get(User, world["users"]["member"])
        positions.record_position(section, member, "agreed", seen_version=section.version)
        db.session.commit()
    response = officer.get(f"{doc['base']}/changes?cursor={cursor}&presence=0", headers=HX)
    assert response.status_code == 200
    assert f'id="section-{doc["sections"][1]}"' in response.text


def test_locked_text_offers_no_edit_and_the_editor_refuses(app, doc, officer):
    from workspace.documents.models import Document
    with app.app_context():
        db.session.get(Document, doc["id"]).status = "agreed"
        db.session.commit()
    page = officer.get(doc["url"])
    assert "/edit" not in page.text
    response = officer.get(doc["section"](1) + "/edit")
    assert response.status_code == 409 and "locked while signatures are collected" in response.text
