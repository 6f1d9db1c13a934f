"""The organisation page: its own admins manage its users, invitations and memberships."""
from flask import Blueprint, abort, flash, url_for
from flask_login import current_user

from ..mail import mail_enabled
from ..partnerships import service as partnership_service
from ..partnerships.forms import EmptyForm
from ..permissions import require
from ..rate_limits import invite_limit
from ..web import absolute_url, render, see_other
from . import invitations, service
from .forms import ActiveForm, InviteUserForm, RoleForm
from .signin import AuthError

bp = Blueprint("organisation", __name__, url_prefix="/organisation")


def _organisation():
    """The signed-in user's own organisation, for its own admins only (403 otherwise)."""
    require("manage_organisation")
    return current_user.organisation


def _role_form(role):
    """The role select of one user's row, showing the role they have."""
    return RoleForm(formdata=None, data={"role": role})


def _page(organisation, status=200, invite_form=None, invite_link=None):
    return render(
        "accounts/organisation.html", status=status, organisation=organisation,
        users=service.users(organisation), role_form=_role_form,
        button_form=EmptyForm(formdata=None),
        invite_form=invite_form or InviteUserForm(formdata=None),
        invitations=service.invitations(organisation), invite_link=invite_link,
        partnership_invitations=partnership_service.invitations_for(organisation),
        memberships=partnership_service.memberships_of(organisation),
        mail_enabled=mail_enabled())


@bp.get("/")
def index():
    """The organisation's users, invitations and partnerships."""
    return _page(_organisation())


@bp.post("/invitations")
@invite_limit
def invite():
    """Invite a person to become a user of this organisation."""
    organisation = _organisation()
    form = InviteUserForm()
    if form.validate_on_submit():
        try:
            invitation, token = invitations.create_invitation(
                organisation, form.email.data, form.name.data, form.role.data, current_user)
        except AuthError as exc:
            form.email.errors.append(exc.message)
        else:
            link = absolute_url("auth.accept_invitation", token=token)
            if invitations.email_invitation(invitation, current_user.name):
                flash(f"The invitation will be e-mailed to {invitation.email}.", "success")
            return _page(organisation, invite_link=link)
    return _page(organisation, status=422, invite_form=form)


def _user_or_404(organisation, user_id):
    user = service.own_user(organisation, user_id)
    if user is None:
        abort(404)
    return user


@bp.post("/users/<int:user_id>/role")
def change_role(user_id):
    """Change one of the organisation's users' role."""
    organisation = _organisation()
    user = _user_or_404(organisation, user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(422, description="Choose a role from the list.")
    try:
        changed = service.change_role(user, form.role.data, current_user)
    except service.AccountError as exc:
        abort(exc.status, description=exc.message)
    if changed:
        flash(f"{user.name} is now {user.role_label}.", "success")
    return see_other(url_for(".index") + "#users")


@bp.get("/users/<int:user_id>/active")
def confirm_active(user_id):
    """Ask before deactivating (or reactivating) a user."""
    organisation = _organisation()
    user = _user_or_404(organisation, user_id)
    if user.id == current_user.id:
        abort(422, description="You cannot deactivate your own account.")
    return render("accounts/confirm_active.html", user=user,
                  form=ActiveForm(formdata=None, active="0" if user.active else "1"))


@bp.post("/users/<int:user_id>/active")
def set_active(user_id):
    """Deactivate or reactivate a user."""
    organisation = _organisation()
    user = _user_or_404(organisation, user_id)
    form = ActiveForm()
    if not form.validate_on_submit():
        abort(422, description="Choose whether to deactivate or reactivate the user.")
    active = form.active.data == "1"
    try:
        service.set_active(user, active, current_user)
    except service.AccountError as exc:
        abort(exc.status, description=exc.message)
    flash(f"{user.name} has been {'reactivated' if active else 'deactivated'}.", "success")
    return see_other(url_for(".index") + "#users")


@bp.post("/users/<int:user_id>/mail-bounce/clear")
def clear_bounce(user_id):
    """Try e-mail to a user again after their address bounced."""
    organisation = _organisation()
    user = _user_or_404(organisation, user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        cleared = service.clear_mail_bounce(user, current_user)
    except service.AccountError as exc:
        abort(exc.status, description=exc.message)
    if cleared:
        flash(f"E-mail to {user.name} will be tried again.", "success")
    return see_other(url_for(".index") + "#users")


def _membership_or_404(organisation, partner_id, status):
    partner = partnership_service.own_membership(organisation, partner_id, status)
    if partner is None:
        abort(404)
    return partner


@bp.post("/partnerships/<int:partner_id>/accept")
def accept_partnership(partner_id):
    """Accept a partnership's invitation to join."""
    partner = _membership_or_404(_organisation(), partner_id, "invited")
    if not EmptyForm().validate_on_submit():
        abort(400)
    partnership_service.accept_invitation(partner, current_user)
    flash(f"{partner.organisation.name} is now a partner in {partner.partnership.name}.",
          "success")
    return see_other(url_for(".index") + "#partnerships")


@bp.post("/partnerships/<int:partner_id>/decline")
def decline_partnership(partner_id):
    """Decline a partnership's invitation."""
    partner = _membership_or_404(_organisation(), partner_id, "invited")
    if not EmptyForm().validate_on_submit():
        abort(400)
    partnership_service.decline_invitation(partner, current_user)
    flash(f"You declined the invitation to {partner.partnership.name}.", "success")
    return see_other(url_for(".index") + "#partnerships")


@bp.get("/partnerships/<int:partner_id>/leave")
def confirm_leave(partner_id):
    """Ask before leaving a partnership."""
    partner = _membership_or_404(_organisation(), partner_id, "active")
    return render("accounts/confirm_leave.html", partner=partner, form=EmptyForm(formdata=None))


@bp.post("/partnerships/<int:partner_id>/leave")
def leave_partnership(partner_id):
    """Leave a partnership; history and signatures stay."""
    partner = _membership_or_404(_organisation(), partner_id, "active")
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        partnership_service.leave(partner, current_user)
    except partnership_service.PartnershipError as exc:
        abort(exc.status, description=exc.message)
    flash(f"{partner.organisation.name} has left {partner.partnership.name}.", "success")
    return see_other(url_for(".index") + "#partnerships")
