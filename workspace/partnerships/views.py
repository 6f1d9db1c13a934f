"""Home page, partnership page and the partnership admin pages."""
from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user

from ..auth import service as auth_service
from ..documents.service import documents_by_partnership
from ..mail import mail_enabled, send_mail
from ..permissions import load_partnership, visible_partnerships
from ..web import render, see_other
from . import service
from .forms import EmptyForm, InviteForm, PartnerForm, RoleForm, organisation_choices

bp = Blueprint("partnerships", __name__)


@bp.get("/")
def home():
    """The user's partnerships and their documents."""
    partnerships = visible_partnerships()
    documents = documents_by_partnership([p.id for p in partnerships])
    return render("partnerships/home.html", partnerships=partnerships, documents=documents)


@bp.get("/p/<slug>/")
def show(slug):
    """One partnership: its partners and documents."""
    partnership = load_partnership(slug)
    documents = documents_by_partnership([partnership.id]).get(partnership.id, [])
    return render("partnerships/show.html", partnership=partnership, documents=documents)


def _admin_page(partnership, status=200, partner_form=None, invite_form=None, invite_link=None):
    users = service.partnership_users(partnership)
    invite_form = invite_form or InviteForm(formdata=None)
    invite_form.organisation_id.choices = organisation_choices(partnership)
    return render(
        "partnerships/admin.html", status=status, partnership=partnership, users=users,
        partner_form=partner_form or PartnerForm(formdata=None), invite_form=invite_form,
        role_form=RoleForm(formdata=None), button_form=EmptyForm(formdata=None),
        invitations=service.pending_invitations(partnership), invite_link=invite_link,
        mail_enabled=mail_enabled())


@bp.get("/p/<slug>/admin")
def admin(slug):
    """Partners, users and invitations of a partnership."""
    return _admin_page(load_partnership(slug, "manage"))


@bp.post("/p/<slug>/admin/partners")
def add_partner(slug):
    """Add a partner organisation."""
    partnership = load_partnership(slug, "manage")
    form = PartnerForm()
    if form.validate_on_submit():
        try:
            organisation = service.add_partner(partnership, form.name.data, form.code.data)
        except service.PartnershipError as exc:
            form[exc.field or "name"].errors.append(exc.message)
        else:
            flash(f"{organisation.name} is now a partner.", "success")
            return see_other(url_for(".admin", slug=slug))
    return _admin_page(partnership, status=422, partner_form=form)


@bp.post("/p/<slug>/admin/invitations")
def invite(slug):
    """Invite a user: a signed, expiring, single-use link the admin copies (or is mailed)."""
    partnership = load_partnership(slug, "manage")
    form = InviteForm()
    form.organisation_id.choices = organisation_choices(partnership)
    if form.validate_on_submit():
        organisation = next(o for o in partnership.organisations
                            if o.id == form.organisation_id.data)
        try:
            invitation, token = auth_service.create_invitation(
                partnership, organisation, form.email.data, form.name.data, form.role.data,
                current_user)
        except auth_service.AuthError as exc:
            form.email.errors.append(exc.message)
        else:
            link = url_for("auth.accept_invitation", token=token, _external=True)
            if mail_enabled() and send_mail(
                    invitation.email, f"Invitation to {partnership.name}",
                    f"{current_user.name} has invited you to join {partnership.name} on "
                    f"Common Ground.\n\nSet your password here:\n{link}\n\n"
                    f"The link works once and expires on "
                    f"{invitation.expires_at:%d %B %Y at %H:%M} UTC."):
                flash(f"Invitation sent to {invitation.email}.", "success")
            return _admin_page(partnership, invite_link=link)
    return _admin_page(partnership, status=422, invite_form=form)


def _user_or_404(partnership, user_id):
    user = service.user_in_partnership(partnership, user_id)
    if user is None:
        abort(404)
    return user


@bp.post("/p/<slug>/admin/users/<int:user_id>/role")
def change_role(slug, user_id):
    """Change a user's role."""
    partnership = load_partnership(slug, "manage")
    user = _user_or_404(partnership, user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(422, description="Choose a role from the list.")
    try:
        changed = service.change_role(partnership, user, form.role.data, current_user)
    except service.PartnershipError as exc:
        abort(422, description=exc.message)
    if changed:
        flash(f"{user.name} is now {user.role_label}.", "success")
    return see_other(url_for(".admin", slug=slug) + "#users")


@bp.post("/p/<slug>/admin/users/<int:user_id>/active")
def set_active(slug, user_id):
    """Deactivate or reactivate a user."""
    partnership = load_partnership(slug, "manage")
    user = _user_or_404(partnership, user_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    try:
        service.set_active(partnership, user, active, current_user)
    except service.PartnershipError as exc:
        abort(422, description=exc.message)
    flash(f"{user.name} has been {'reactivated' if active else 'deactivated'}.", "success")
    return see_other(url_for(".admin", slug=slug) + "#users")
