"""Suggested changes between two authorities (issue 17): out for agreement, Dacorum's officer
suggests a change, the partnership admin sees it arrive live, credited, and accepts it; with
a mouse and with the keyboard only; the admin comments on it and Dacorum sees the comment
live, as the contents list's count follows; axe finds nothing on the section with a
suggestion and with a comment on it."""
from .support import DACORUM, LIVE_MS, duplicate_ids, expect, open_document, section
from .test_accessibility import assert_accessible
from .test_keyboard import focused, press, tab_until, then_caught_up

ADMIN = "admin@swherts.example"
TITLE = "Part 4: Risk assessment and management"
SUGGESTED = "Risks are reviewed by the officers group every quarter.\n"
CREDIT = "Suggested by Dacorum Borough Council (Dacorum Officer)"


def test_one_authority_suggests_the_admin_sees_it_live_and_accepts(demo, open_page):
    admin = open_document(open_page(ADMIN).page)
    dacorum = open_document(open_page(DACORUM).page)
    part4 = section(dacorum, TITLE)
    expect(part4.get_by_role("link", name=f"Edit {TITLE}")).to_have_count(0)
    part4.get_by_role("link", name=f"Suggest a change to {TITLE}").click()
    expect(part4.get_by_role("heading", level=2)).to_contain_text("suggesting a change")
    part4.get_by_label("Section text").fill(SUGGESTED)
    part4.get_by_label("Why do you suggest this change?").fill("The group meets quarterly.")
    part4.get_by_role("button", name="Suggest this change").click()
    expect(part4.locator(".cg-saved")).to_contain_text("Your suggestion was recorded")
    expect(part4.locator(".cg-suggestion__credit")).to_contain_text(CREDIT)

    shown = section(admin, TITLE).locator(".cg-suggestion")
    expect(shown).to_contain_text(CREDIT, timeout=LIVE_MS)
    expect(shown.locator("ins").first).to_contain_text("inserted")
    expect(shown).to_contain_text("The group meets quarterly.")
    assert duplicate_ids(admin) == []
    assert_accessible(admin, "the document with a suggestion")
    # The contents list's count arrives live too.
    count = admin.locator(".cg-contents__item", has_text=TITLE).locator(
        "[data-suggestion-count-for]")
    expect(count).to_have_text("1 suggestion", timeout=LIVE_MS)

    # The admin comments on it; Dacorum sees the comment arrive live.
    shown.locator("summary", has_text="Comment on this suggestion").click()
    shown.get_by_label("Your comment on Dacorum Borough Council").fill("Agreed, quarterly.")
    shown.get_by_role("button", name="Post comment").click()
    expect(shown.locator(".cg-suggestion__comments")).to_contain_text("Agreed, quarterly.")
    expect(section(dacorum, TITLE).locator(".cg-suggestion__comments")).to_contain_text(
        "Agreed, quarterly.", timeout=LIVE_MS)
    # That live redraw kept Dacorum's own confirmation (it went with the first redraw).
    expect(section(dacorum, TITLE).locator(".cg-saved")).to_contain_text(
        "Your suggestion was recorded")
    assert duplicate_ids(admin) == []
    assert_accessible(admin, "a suggestion with a comment")

    shown.get_by_role("button", name="Accept").click()
    part4_admin = section(admin, TITLE)
    expect(part4_admin.locator(".cg-saved")).to_contain_text(
        "Accepted Dacorum Borough Council\u2019s suggestion")
    expect(part4_admin.locator(".cg-prose").first).to_have_text(SUGGESTED.strip())
    expect(part4_admin.locator(".cg-suggestion")).to_have_count(0)
    expect(section(dacorum, TITLE).locator(".cg-suggestion")).to_have_count(0, timeout=LIVE_MS)
    expect(dacorum.locator(".cg-contents__item", has_text=TITLE).locator(
        "[data-suggestion-count-for]")).to_have_text("", timeout=LIVE_MS)


def test_suggesting_and_accepting_with_the_keyboard_only(app, demo, open_page):
    dacorum = open_document(open_page(DACORUM).page)
    tab_until(dacorum, lambda info: info["name"] == f"Suggest a change to {TITLE}",
              "Part 4's Suggest a change link")
    dacorum.keyboard.press("Enter")
    part4 = section(dacorum, TITLE)
    expect(part4.get_by_label("Section text")).to_be_focused()
    dacorum.keyboard.press("Control+A")
    dacorum.keyboard.type(SUGGESTED)
    tab_until(dacorum, lambda info: info["id"].startswith("reason-"), "the reason box")
    dacorum.keyboard.type("Quarterly, as agreed at SPOG.")
    tab_until(dacorum, lambda info: info["name"].startswith("Suggest this change"),
              "the Suggest button")
    dacorum.keyboard.press("Enter")
    expect(part4.locator(".cg-suggestion__credit")).to_contain_text(CREDIT)
    focused(dacorum)

    admin = open_document(open_page(ADMIN).page)
    tab_until(admin, lambda info: info["name"].startswith("Accept Dacorum Borough Council"),
              "the Accept button")
    part4_admin = section(admin, TITLE)
    # The accepted text also comes back through the live feed (the section redrawn): the
    # keyboard goes on once the page has caught up with it, as in test_keyboard.py.
    with then_caught_up(admin, app):
        admin.keyboard.press("Enter")
        expect(part4_admin.locator(".cg-saved")).to_contain_text("Accepted Dacorum")
        expect(part4_admin.locator(".cg-prose").first).to_have_text(SUGGESTED.strip())
    press(admin, "Tab")


def test_a_confirmation_reached_by_a_whole_page_answer_has_the_focus(app, demo, open_page):
    """A form sent without htmx (as the accept question's button is) is answered by the
    document at the section, its confirmation inside: focus goes to the confirmation."""
    from sqlalchemy import select

    from workspace.documents.models import Section
    from workspace.extensions import db
    dacorum = open_document(open_page(DACORUM).page)
    with app.app_context():
        row = db.session.execute(select(Section.id, Section.version).where(
            Section.title == TITLE)).one()
    dacorum.evaluate("""([action, version, text]) => {
        const form = document.createElement("form");
        form.method = "post";
        form.action = action;
        const fields = {csrf_token: document.querySelector("input[name=csrf_token]").value,
                        body: text, base_version: version, reason: "Quarterly."};
        for (const [name, value] of Object.entries(fields)) {
          const input = document.createElement("input");
          input.type = "hidden"; input.name = name; input.value = value;
          form.append(input);
        }
        document.body.append(form);
        form.submit();
    }""", [dacorum.url.split("#")[0].rstrip("/") + f"/s/{row.id}/suggest", str(row.version),
           SUGGESTED])
    dacorum.wait_for_url(f"**#section-{row.id}")
    expect(dacorum.locator(f"#section-{row.id} [data-status-message]")).to_be_focused()
    expect(dacorum.locator(f"#section-{row.id} [data-status-message]")).to_contain_text(
        "Your suggestion was recorded")
