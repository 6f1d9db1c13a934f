"""Home page, partnership page and the partnership admin pages."""
from flask import Blueprint, abort, flash, url_for
from flask_login import current_user

from ..accounts.invitations import email_invitation
from ..accounts.signin import AuthError
from ..documents.service import documents_by_partnership
from ..mail import mail_enabled
from ..permissions import load_partnership, visible_partnerships
from ..rate_limits import invite_limit
from ..web import absolute_url, render, see_other
from . import service
from .forms import EmptyForm, GrantAdminForm, InvitePartnerForm, NewOrganisationForm

bp = Blueprint("partnerships", __name__)


@bp.get("/")
def home():
    """The user's partnerships and their documents."""
    partnerships = visible_partnerships()
    documents = documents_by_partnership([p.id for p in partnerships])
    invitations = (service.invitations_for(current_user.organisation)
                   if current_user.role == "admin" else [])
    return render("partnerships/home.html", partnerships=partnerships, documents=documents,
                  invitations=invitations)


@bp.get("/p/<slug>/")
def show(slug):
    """One partnership: its partners and documents."""
    partnership = load_partnership(slug)
    documents = documents_by_partnership([partnership.id]).get(partnership.id, [])
    return render("partnerships/show.html", partnership=partnership, documents=documents)


def _grant_form(partnership, form=None):
    form = form or GrantAdminForm(formdata=None)
    form.user_id.choices = [(u.id, f"{u.name}, {u.organisation.name}")
                            for u in service.grantable_users(partnership)]
    return form


def _admin_page(partnership, status=200, partner_form=None, organisation_form=None,
                grant_form=None, invite_link=None, invited=None):
    return render(
        "partnerships/admin.html", status=status, partnership=partnership,
        memberships=service.memberships(partnership), admins=service.admins(partnership),
        partner_form=partner_form or InvitePartnerForm(formdata=None),
        organisation_form=organisation_form or NewOrganisationForm(formdata=None),
        grant_form=_grant_form(partnership, grant_form), button_form=EmptyForm(formdata=None),
        invite_link=invite_link, invited=invited, mail_enabled=mail_enabled())


@bp.get("/p/<slug>/admin")
def admin(slug):
    """Partners, partnership admins and invitations to join."""
    return _admin_page(load_partnership(slug, "manage"))


@bp.post("/p/<slug>/admin/partners")
@invite_limit
def invite_partner(slug):
    """Invite an existing organisation by its code; it joins when its own admin accepts."""
    partnership = load_partnership(slug, "manage")
    form = InvitePartnerForm()
    if form.validate_on_submit():
        try:
            partner = service.invite_partner(partnership, form.code.data, current_user)
        except service.PartnershipError as exc:
            form.code.errors.append(exc.message)
        else:
            flash(f"{partner.organisation.name} has been invited. It joins when one of its "
                  "own admins accepts.", "success")
            return see_other(url_for(".admin", slug=slug))
    return _admin_page(partnership, status=422, partner_form=form)


@bp.post("/p/<slug>/admin/organisations")
@invite_limit
def add_organisation(slug):
    """Create a new organisation with an invitation for its first admin."""
    partnership = load_partnership(slug, "manage")
    form = NewOrganisationForm()
    if form.validate_on_submit():
        try:
            organisation, invitation, token = service.add_new_organisation(
                partnership, form.name.data, form.code.data, form.admin_name.data,
                form.admin_email.data, current_user)
        except service.PartnershipError as exc:
            form[exc.field or "name"].errors.append(exc.message)
        except AuthError as exc:
            form.admin_email.errors.append(exc.message)
        else:
            link = absolute_url("auth.accept_invitation", token=token)
            if email_invitation(invitation, current_user.name, partnership.name):
                flash(f"The invitation will be e-mailed to {invitation.email}.", "success")
            return _admin_page(partnership, invite_link=link, invited=organisation)
    return _admin_page(partnership, status=422, organisation_form=form)


def _membership_or_404(partnership, partner_id):
    partner = service.membership(partnership, partner_id)
    if partner is None or partner.status == "left":
        abort(404)
    return partner


@bp.get("/p/<slug>/admin/partners/<int:partner_id>/remove")
def confirm_remove_partner(slug, partner_id):
    """Ask before removing a partner or withdrawing its invitation."""
    partnership = load_partnership(slug, "manage")
    partner = _membership_or_404(partnership, partner_id)
    return render("partnerships/remove_partner.html", partnership=partnership, partner=partner,
                  form=EmptyForm(formdata=None))


@bp.post("/p/<slug>/admin/partners/<int:partner_id>/remove")
def remove_partner(slug, partner_id):
    """Remove a partner (history and signatures stay) or withdraw an invitation."""
    partnership = load_partnership(slug, "manage")
    partner = _membership_or_404(partnership, partner_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        service.remove_partner(partnership, partner, current_user)
    except service.PartnershipError as exc:
        abort(exc.status, description=exc.message)
    flash(f"{partner.organisation.name} is no longer a partner.", "success")
    return see_other(url_for(".admin", slug=slug))


@bp.post("/p/<slug>/admin/admins")
def grant_admin(slug):
    """Make a person of a partner organisation a partnership admin."""
    partnership = load_partnership(slug, "manage")
    form = _grant_form(partnership, GrantAdminForm())
    if form.validate_on_submit():
        try:
            user = service.grant_admin(partnership, form.user_id.data, current_user)
        except service.PartnershipError as exc:
            form.user_id.errors.append(exc.message)
        else:
            flash(f"{user.name} is now a partnership admin.", "success")
            return see_other(url_for(".admin", slug=slug) + "#admins")
    return _admin_page(partnership, status=422, grant_form=form)


@bp.post("/p/<slug>/admin/admins/<int:grant_id>/revoke")
def revoke_admin(slug, grant_id):
    """End a partnership admin grant."""
    partnership = load_partnership(slug, "manage")
    grant = next((a for a in service.admins(partnership) if a.id == grant_id), None)
    if grant is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        user = service.revoke_admin(partnership, grant, current_user)
    except service.PartnershipError as exc:
        abort(exc.status, description=exc.message)
    flash(f"{user.name} is no longer a partnership admin.", "success")
    return see_other(url_for(".admin", slug=slug) + "#admins")


from . import views_lists  # noqa: E402,F401  (the lists of matters and bodies)
