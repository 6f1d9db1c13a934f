"""The engagement page's in-page navigation ("On this page", issue 20): a link to each part
(objectives, register, map, ladder, activities, timeline), each to an id the page holds."""
from html.parser import HTMLParser

import pytest


class _Page(HTMLParser):
    """The ids on a page, and the links inside its "On this page" navigation."""

    def __init__(self):
        super().__init__()
        self.ids = []
        self.links = []
        self._nav = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "nav" and (self._nav or attrs.get("aria-labelledby") == "on-this-page"):
            self._nav += 1
        if tag == "a" and self._nav:
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "nav" and self._nav:
            self._nav -= 1


@pytest.fixture
def officer(client, login, world):
    return login(client, world["users"]["officer"])


def test_on_this_page_links_to_every_part_by_an_id_that_exists(officer):
    answer = officer.get("/p/own/engagement/")
    assert answer.status_code == 200
    page = _Page()
    page.feed(answer.get_data(as_text=True))
    assert page.links == ["#objectives", "#register-heading", "#map", "#ladder",
                          "#activities", "#timeline"]
    for link in page.links:
        assert page.ids.count(link[1:]) == 1, link
    assert page.ids.count("on-this-page") == 1
