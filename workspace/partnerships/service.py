"""Rules for a partnership's membership and its admins.

A partnership is governed by its partnership admins (named grants). They invite organisations,
which join only when one of their own admins accepts; they never see or touch another
organisation's people or keys.
"""
from __future__ import annotations

import re

from sqlalchemy import func, select

from .. import audit
from ..accounts.invitations import create_invitation
from ..accounts.models import Invitation, Organisation, User
from ..clock import utcnow
from ..extensions import db
from ..signals import deactivation_blockers, partner_left, user_joined
from .models import Partner, Partnership, PartnershipAdmin


class PartnershipError(Exception):
    """A refusal with a message for the admin."""

    def __init__(self, message: str, field: str | None = None, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


def slugify(text: str | None) -> str:
    return re.sub(r"[^a-z0-9]+", "-", (text or "").lower()).strip("-")


def partner_organisation_ids(partnership: Partnership) -> set[int]:
    """Ids of the active partner organisations."""
    return {p.organisation_id for p in partnership.partners}


def known_organisation(partnership: Partnership, organisation_id: int | None):
    """The organisation when it has had a place in the partnership (invited, active or left),
    else None: an id from outside names nobody (its name is not this partnership's to tell)."""
    if organisation_id is None:
        return None
    return db.session.scalar(
        select(Organisation).join(Partner, Partner.organisation_id == Organisation.id)
        .where(Partner.partnership_id == partnership.id, Organisation.id == organisation_id)
        .limit(1))


def memberships(partnership: Partnership) -> list[Partner]:
    """Every membership (invited, active, left), by organisation name."""
    return db.session.scalars(
        select(Partner).join(Organisation)
        .where(Partner.partnership_id == partnership.id)
        .order_by(Partner.status != "active", Organisation.name)
    ).all()


def membership(partnership: Partnership, partner_id: int) -> Partner | None:
    """One membership row of this partnership, or None."""
    partner = db.session.get(Partner, partner_id)
    if partner is None or partner.partnership_id != partnership.id:
        return None
    return partner


def invite_partner(partnership: Partnership, code: str, by: User) -> Partner:
    """Invite an existing organisation (by its code) to join. It has no access until one of
    its own admins accepts."""
    code = slugify(code)
    organisation = db.session.scalar(select(Organisation).where(Organisation.code == code))
    if organisation is None:
        raise PartnershipError("No organisation has that code. Check it with the organisation, "
                               "or add it as a new organisation below.", field="code")
    partner = db.session.scalar(select(Partner).where(
        Partner.partnership_id == partnership.id, Partner.organisation_id == organisation.id))
    if partner is not None and partner.status == "active":
        raise PartnershipError(f"{organisation.name} is already a partner.", field="code")
    if partner is not None and partner.status == "invited":
        raise PartnershipError(f"{organisation.name} has already been invited.", field="code")
    if partner is None:
        partner = Partner(partnership=partnership, organisation=organisation)
        db.session.add(partner)
    partner.status = "invited"
    partner.invited_by_id = by.id
    partner.joined_at = utcnow()
    partner.accepted_at = partner.accepted_by_id = partner.left_at = None
    db.session.flush()
    audit.record("partnership.partner_invited", organisation, partnership=partnership,
                 organisation=organisation.name)
    return partner


def add_new_organisation(partnership: Partnership, name: str, code: str | None, admin_name: str,
                         admin_email: str, by: User) -> tuple[Organisation, Invitation, str]:
    """Create a brand-new organisation, invited to the partnership, and an invitation for its
    first admin, who then owns it. Returns (organisation, invitation, token)."""
    name = " ".join((name or "").split())
    code = slugify(code or name)
    if not code:
        raise PartnershipError("Enter a short code of letters and numbers", field="code")
    if db.session.scalar(select(Organisation.id).where(Organisation.code == code)):
        raise PartnershipError("An organisation already has that code. To add it, invite it "
                               "by its code above.", field="code")
    if db.session.scalar(select(Organisation.id).where(
            func.lower(Organisation.name) == name.lower())):
        raise PartnershipError("An organisation with that name already exists. To add it, "
                               "invite it by its code above.", field="name")
    organisation = Organisation(code=code, name=name)
    db.session.add(organisation)
    partner = Partner(partnership=partnership, organisation=organisation, status="invited",
                      invited_by_id=by.id, joined_at=utcnow())
    db.session.add(partner)
    db.session.flush()
    invitation, token = create_invitation(organisation, admin_email, admin_name, "admin", by,
                                          partnership=partnership)
    audit.record("partnership.organisation_created", organisation, partnership=partnership,
                 organisation=name, code=code)
    return organisation, invitation, token


def remove_partner(partnership: Partnership, partner: Partner, by: User) -> None:
    """The partnership admins end a membership (or withdraw an invitation). History and
    signatures stay; the organisation loses access."""
    if partner.status == "left":
        raise PartnershipError(f"{partner.organisation.name} is no longer a partner.",
                               status=409)
    if partner.organisation_id == by.organisation_id:
        raise PartnershipError("Your own organisation leaves from its organisation page, by "
                               "one of its own admins.")
    _leave(partner, by)


def _leave(partner, by, action=None):
    was = partner.status
    partner.status = "left"
    partner.left_at = utcnow()
    db.session.flush()
    action = action or ("partnership.partner_left" if was == "active"
                        else "partnership.invitation_withdrawn")
    audit.record(action, partner.organisation,
                 partnership=partner.partnership, organisation=partner.organisation.name,
                 by_organisation=by.organisation.name)
    if was == "active":
        partner_left.send(partner.partnership, organisation_id=partner.organisation_id, by=by)


# Partnership admins ------------------------------------------------------------------------

def admins(partnership: Partnership) -> list[PartnershipAdmin]:
    """The partnership's admin grants, by name."""
    return db.session.scalars(
        select(PartnershipAdmin).join(User, User.id == PartnershipAdmin.user_id)
        .where(PartnershipAdmin.partnership_id == partnership.id).order_by(User.name)
    ).all()


def grantable_users(partnership: Partnership) -> list[User]:
    """Active users of active partner organisations who are not yet admins here."""
    granted = select(PartnershipAdmin.user_id).where(
        PartnershipAdmin.partnership_id == partnership.id)
    return db.session.scalars(
        select(User).join(Organisation)
        .where(User.organisation_id.in_(partner_organisation_ids(partnership)),
               User.active.is_(True), User.id.not_in(granted))
        .order_by(Organisation.name, User.name)
    ).all()


def grant_admin(partnership: Partnership, user_id: int, by: User) -> User:
    """Make a user of an active partner a partnership admin."""
    user = next((u for u in grantable_users(partnership) if u.id == user_id), None)
    if user is None:
        raise PartnershipError("Choose a person from the list.", field="user_id")
    grant = PartnershipAdmin(partnership_id=partnership.id, user_id=user.id,
                             granted_by_id=by.id, granted_at=utcnow())
    db.session.add(grant)
    db.session.flush()
    audit.record("partnership.admin_granted", user, partnership=partnership, name=user.name,
                 organisation=user.organisation.name)
    return user


def revoke_admin(partnership: Partnership, grant: PartnershipAdmin, by: User) -> User:
    """End a partnership admin grant; one cannot end one's own (another admin must)."""
    if grant.user_id == by.id:
        raise PartnershipError("You cannot remove your own admin grant. Ask another "
                               "partnership admin.")
    user = grant.user
    db.session.delete(grant)
    db.session.flush()
    audit.record("partnership.admin_revoked", user, partnership=partnership, name=user.name,
                 organisation=user.organisation.name)
    return user


def _admins_who_count(partnership_id: int):
    """Ids of the partnership's admins whose grant counts: active users of active partners."""
    return db.session.execute(
        select(PartnershipAdmin.user_id, User.organisation_id)
        .join(User, User.id == PartnershipAdmin.user_id)
        .join(Partner, (Partner.partnership_id == PartnershipAdmin.partnership_id)
              & (Partner.organisation_id == User.organisation_id)
              & (Partner.status == "active"))
        .where(PartnershipAdmin.partnership_id == partnership_id,
               User.active.is_(True))).all()


def left_without_admin(partnership_ids, user_id=None, organisation_id=None) -> list:
    """The partnerships (of those given) that would have no admin whose grant counts without
    this user or without this organisation's people: nobody could then manage them (name
    admins, move documents on) and only the database could mend it."""
    stranded = []
    for partnership_id in partnership_ids:
        rows = _admins_who_count(partnership_id)
        rest = [r for r in rows if r.user_id != user_id and r.organisation_id != organisation_id]
        if rows and not rest:
            stranded.append(db.session.get(Partnership, partnership_id))
    return stranded


@deactivation_blockers.connect
def _only_admin(user, **_):
    """A user who is the only admin of a partnership is not deactivated: they name another
    admin there first."""
    held = db.session.scalars(select(PartnershipAdmin.partnership_id).where(
        PartnershipAdmin.user_id == user.id)).all()
    return [f"{user.name} is the only partnership admin of {p.name}. While they can still "
            "sign in, they name another admin there (the partnership's admin page, "
            "“Partnership admins”); then deactivate them."
            for p in left_without_admin(held, user_id=user.id)]


def grant_on_creation(partnership: Partnership, user: User) -> None:
    """Whoever creates a partnership is its first admin."""
    db.session.add(PartnershipAdmin(partnership_id=partnership.id, user_id=user.id,
                                    granted_at=utcnow()))
    db.session.flush()


# An organisation's side ----------------------------------------------------------------------

def invitations_for(organisation: Organisation) -> list[Partner]:
    """Partnerships that have invited this organisation and wait for its answer."""
    return db.session.scalars(
        select(Partner).where(Partner.organisation_id == organisation.id,
                              Partner.status == "invited").order_by(Partner.joined_at)
    ).all()


def memberships_of(organisation: Organisation) -> list[Partner]:
    """The organisation's active memberships."""
    return db.session.scalars(
        select(Partner).where(Partner.organisation_id == organisation.id,
                              Partner.status == "active").order_by(Partner.joined_at)
    ).all()


def own_membership(organisation: Organisation, partner_id: int, status: str) -> Partner | None:
    """A membership of this organisation in the given status, or None."""
    partner = db.session.get(Partner, partner_id)
    if partner is None or partner.organisation_id != organisation.id:
        return None
    return partner if partner.status == status else None


def accept_invitation(partner: Partner, by: User) -> None:
    """One of the organisation's own admins accepts: the organisation joins."""
    partner.status = "active"
    partner.accepted_at = utcnow()
    partner.accepted_by_id = by.id
    db.session.flush()
    audit.record("partnership.partner_joined", partner.organisation, actor=by,
                 partnership=partner.partnership, organisation=partner.organisation.name)


@user_joined.connect
def _join_on_first_admin(user, invitation, **_):
    """A new organisation's first admin accepting their invitation accepts the partnership's
    invitation too (the organisation was created for it)."""
    if not (invitation.partnership_id and invitation.role == "admin"):
        return
    partner = db.session.scalar(select(Partner).where(
        Partner.partnership_id == invitation.partnership_id,
        Partner.organisation_id == invitation.organisation_id, Partner.status == "invited"))
    if partner is not None:
        accept_invitation(partner, user)


def decline_invitation(partner: Partner, by: User) -> None:
    """The organisation declines; the partnership may invite it again later."""
    _leave(partner, by, "partnership.invitation_declined")


def leave(partner: Partner, by: User) -> None:
    """The organisation leaves a partnership; its history and signatures stay. Refused
    while its people are the partnership's only admins and other partners remain."""
    others = db.session.scalar(select(func.count(Partner.id)).where(
        Partner.partnership_id == partner.partnership_id, Partner.status == "active",
        Partner.id != partner.id))
    if others and left_without_admin([partner.partnership_id],
                                     organisation_id=partner.organisation_id):
        raise PartnershipError(
            f"{partner.organisation.name}'s people are the only admins of "
            f"{partner.partnership.name}. Before leaving, name a partnership admin from "
            "another partner (the partnership's admin page, “Partnership admins”), "
            "or the partnership could no longer be managed.", status=409)
    _leave(partner, by)
