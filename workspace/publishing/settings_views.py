"""The partnership admin's setting for the public register: publish it or not, and the
contact for an alternative format (signed in; partnership admins only)."""
from flask import Blueprint, flash, url_for
from flask_login import current_user

from ..permissions import load_partnership
from ..web import render, see_other
from . import service
from .forms import RegisterSettingForm

bp = Blueprint("publishing_admin", __name__, url_prefix="/p/<slug>/admin/register")


def _page(partnership, form, status=200):
    documents = service.published_documents(partnership)
    return render("publishing/settings.html", partnership=partnership, form=form,
                  documents=documents, status=status)


@bp.get("")
def settings(slug):
    """Whether the partnership publishes its register, its addresses and the contact."""
    partnership = load_partnership(slug, "manage")
    form = RegisterSettingForm(
        formdata=None, publishes="on" if partnership.publishes_register else "off",
        accessibility_contact=partnership.accessibility_contact)
    return _page(partnership, form)


@bp.post("")
def save(slug):
    """Switch the register on or off and set the contact (audited)."""
    partnership = load_partnership(slug, "manage")
    form = RegisterSettingForm()
    if not form.validate_on_submit():
        return _page(partnership, form, 422)
    publishes = form.publishes.data == "on"
    if service.set_publishing(partnership, publishes, form.accessibility_contact.data,
                              current_user):
        flash("The register is public: its published documents can be read by anyone."
              if publishes else "The register is off: nothing of it is public now.", "success")
    return see_other(url_for(".settings", slug=slug))
