"""Refusal pages: a heading in plain words, and a way back to the document the URL names,
only when the user may read it."""
from workspace.documents import service
from workspace.extensions import db
from workspace.partnerships.models import Partnership


def make_document(app, partnership_id, title):
    with app.app_context():
        document = service.create_document(db.session.get(Partnership, partnership_id), title,
                                           "scg")
        section = service.append_section(document, "Housing need", "Housing text.\n")
        section.strategic_matter = True
        document.status = "out_for_agreement"
        db.session.commit()
        return document.id, section.id


def test_a_refusal_is_headed_in_plain_words_and_links_back_to_the_document(app, login,
                                                                           world):
    document_id, section_id = make_document(app, world["partnerships"]["own"],
                                            "Statement on housing")
    viewer = login(app.test_client(), world["users"]["viewer"])
    response = viewer.post(f"/p/own/d/{document_id}/s/{section_id}/positions",
                           data={"stance": "agreed"})
    assert response.status_code == 403
    assert "You cannot do that here" in response.text
    assert "Only Members can record their authority&#39;s position." in response.text
    assert f'href="/p/own/d/{document_id}/">Back to Statement on housing</a>' in response.text


def test_a_page_that_is_not_there_names_no_document(app, login, world):
    document_id, section_id = make_document(app, world["partnerships"]["foreign"],
                                            "Luton secret statement")
    outsider = login(app.test_client(), world["users"]["member"])
    response = outsider.post(f"/p/foreign/d/{document_id}/s/{section_id}/positions",
                             data={"stance": "agreed"})
    assert response.status_code == 404
    assert "Luton secret statement" not in response.text and "Back to" not in response.text
    # The right slug with another partnership's document id names nothing either.
    response = outsider.get(f"/p/own/d/{document_id}/versions/99")
    assert response.status_code == 404 and "Back to" not in response.text


def test_a_document_of_another_partnership_is_never_linked_from_a_refusal(app, login, world):
    """readable_document asks what load_document asks: slug and id must agree."""
    from workspace.permissions import readable_document
    document_id, _ = make_document(app, world["partnerships"]["foreign"], "Luton statement")
    own_id, _ = make_document(app, world["partnerships"]["own"], "Own statement")
    with app.test_request_context():
        from flask_login import login_user

        from workspace.accounts.models import User
        login_user(db.session.get(User, world["users"]["member"]))
        assert readable_document("own", document_id) is None
        assert readable_document("foreign", document_id) is None
        assert readable_document("own", own_id).title == "Own statement"
