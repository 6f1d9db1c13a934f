"""Sign in, sign out, change password, accept an invitation (blueprint "auth")."""
from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user

from ..db import retry_when_locked
from ..rate_limits import password_change_limit
from ..web import is_local_url, keep_changes, render, see_other
from . import invitations, signin
from .forms import AcceptInvitationForm, ChangePasswordForm, SignInForm

bp = Blueprint("auth", __name__)


@bp.route("/sign-in", methods=["GET", "POST"])
@retry_when_locked
def login():
    """Sign in with email and password."""
    form = SignInForm()
    # The page is asked for with ?next=; the form posts it back in a hidden field.
    next_url = (form.next.data if request.method == "POST" else request.args.get("next")) or ""
    if not is_local_url(next_url):
        next_url = ""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url or url_for("partnerships.home"))
    error = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                user = signin.authenticate(form.email.data, form.password.data,
                                            request.remote_addr)
            except signin.AuthError as exc:
                keep_changes()
                error, status = exc.message, exc.status
            else:
                signin.start_session(user, request.remote_addr)
                return see_other(next_url or url_for("partnerships.home"))
        else:
            status = 422
    return render("auth/login.html", form=form, error=error, next_url=next_url, status=status)


@bp.post("/sign-out")
def logout():
    """Sign out and end the server-side session."""
    signin.end_session(current_user)
    flash("You have signed out.", "success")
    return see_other(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@password_change_limit
def change_password():
    """Change your own password."""
    form = ChangePasswordForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                signin.change_password(current_user, form.current_password.data,
                                        form.new_password.data)
            except signin.AuthError as exc:
                keep_changes()   # the failed attempt counts towards the throttle
                form.current_password.errors.append(exc.message)
                status = exc.status if exc.status == 429 else 422
            else:
                flash("Your password has been changed. Other sessions have been signed out.",
                      "success")
                return see_other(url_for("partnerships.home"))
        else:
            status = 422
    return render("auth/change_password.html", form=form, status=status)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token):
    """Set a password and join, from an invitation link."""
    try:
        invitation = invitations.load_invitation(token)
    except signin.AuthError as exc:
        return render("auth/invitation_unusable.html", message=exc.message, status=exc.status)
    form = AcceptInvitationForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                user = invitations.accept_invitation(invitation, form.new_password.data)
            except signin.AuthError as exc:
                return render("auth/invitation_unusable.html", message=exc.message,
                              status=exc.status)
            signin.start_session(user, request.remote_addr)
            flash(f"Welcome, {user.name}. Your account is ready.", "success")
            return see_other(url_for("partnerships.home"))
        status = 422
    return render("auth/accept_invitation.html", form=form, invitation=invitation,
                  status=status)
