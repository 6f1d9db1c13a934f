"""The authorisation matrix: every route x every role x own and foreign partnership.

Routes come from app.url_map, so a new route cannot be forgotten: one that is not in ACCESS
fails `test_every_route_is_in_the_access_table` by name. ACCESS is the one table of who may
reach what (DESIGN.md, "Roles and who may do what"); the expected answer of every request
follows from it:

* anonymous: a redirect to sign-in (302, ``/sign-in?next=``), or 401 with ``HX-Redirect``
  for htmx, whatever the partnership;
* a signed-in user on a partnership they are not in: 404 (its existence is not revealed);
* a partner whose role lacks the permission: 403;
* allowed: 2xx, 3xx (not to sign-in), 409 or 422 (the point is authorisation, not the
  business rule behind it).

Rules: ``public`` (anyone), ``probe`` (anyone, never sent to sign-in: 200 when ready, 503
when not), ``public_register`` (the public register, /public/: anyone, signed
in or not, never sent to sign-in; 2xx for what is published on the register of a partnership
that publishes one, which the demo does and whose version 1 the requests name; 404 for the
foreign partnership, which publishes nothing), ``public_not_found`` (the register's not-found
pages: 404 to anyone, whatever is published), ``signed_in`` (any account, no partnership in
the URL), ``read``,
``comment``, ``edit``, ``structure`` (``edit`` in a draft, ``manage`` while out for agreement),
``suggest``, ``position``, ``sign``, ``manage`` (permissions.PERMISSIONS, plus what a
partnership admin grant adds in its own partnership only), ``author`` (the comment's author
only), ``resolve`` (the thread's author, officers and the partnership's admins) and
``organisation_admin`` (an organisation's own admins, on their own organisation: another
organisation's users and memberships are not found). Requests carry real ids: the demo
(sw-herts) for "own", a partnership with its own document, section, comment, decision,
organisation, users, membership, admin grant, strategic matter, body, meeting, agreed action
and evidence packs for "foreign"; organisation routes carry Watford's ids.

The requests are sent by the actors in ACTORS: Watford's viewer, officer, Member and
organisation admin, the SW Herts partnership admin, a Watford viewer who is partnership admin
of a second partnership Watford is in, that second partnership's admin from another council
(a neighbour), the admin `flask create-admin` makes of Other Partnership (the takeover's
outsider), and the organisation admin of Luton, which is in another partnership.
"""
import io
import itertools
import re
import uuid

import pytest
from flask import url_for
from sqlalchemy import select

from workspace.accounts.invitations import create_invitation
from workspace.accounts.models import Organisation, User
from workspace.documents.models import Document, Section
from workspace.documents.service import append_section
from workspace.extensions import db
from workspace.notifications.models import Notification
from workspace.notifications.service import unsubscribe_token
from workspace.partnerships.models import Partner, Partnership, PartnershipAdmin
from workspace.permissions import PARTNERSHIP_ADMIN_ACTIONS, PERMISSIONS
from workspace.review.comments import add_comment
from workspace.review.models import DecisionSought

from .support import (
    build_foreign,
    cooperation_ids,
    create_admin,
    freeze_version_1,
    fresh_action,
    fresh_activity,
    fresh_body,
    fresh_failed_job,
    fresh_matter,
    fresh_meeting,
    fresh_objective,
    fresh_pack,
    fresh_stakeholder,
    publish_version_1,
    user_by_email,
)

ANONYMOUS = "anonymous"

#: endpoint -> rule, or {method: rule} where the methods of one endpoint differ.
ACCESS = {
    # Anyone, signed in or not.
    "auth.login": "public",
    "auth.accept_invitation": "public",
    "export.verify": "public",
    "health": "public",
    # Readiness for a load balancer: anyone, never sent to sign-in; 200, or 503 while the
    # database is not migrated to head.
    "readyz": "probe",
    "favicon": "public",
    # Any account; no partnership in the URL.
    "partnerships.home": "signed_in",
    "auth.change_password": "signed_in",
    "auth.logout": "signed_in",
    "review.my_tasks": "signed_in",
    # One's own notifications and settings (another's notification is not found).
    "notifications.index": "signed_in",
    "notifications.open_one": "signed_in",
    "notifications.mark_all_read": "signed_in",
    "notifications.preferences": "signed_in",
    "notifications.save_preferences": "signed_in",
    # An e-mail's unsubscribe link: the signed token is the proof, no sign-in.
    "notifications.unsubscribe": "public",
    "notifications.unsubscribe_post": "public",
    # Read documents, history, comments, positions, versions, exports.
    "partnerships.show": "read",
    "documents.show": "read",
    "documents.changes": "read",
    "documents.activity": "read",
    "documents.section": "read",
    "documents.history": "read",
    "documents.diff": "read",
    "review.comments_block": "read",
    "review.position_history": "read",
    "review.agreement": "read",
    "review.lifecycle": "read",
    "review.versions": "read",
    "review.version": "read",
    "review.decisions": "read",
    "export.document_pdf": "read",
    "export.version_pdf": "read",
    "export.document_docx": "read",
    "export.version_docx": "read",
    # A signature's receipt and the progress of its signed PDF (issue 16).
    "export.signature_receipt": "read",
    "export.signing_progress": "read",
    "engagement.index": "read",
    "engagement.map_block": "read",
    "engagement.row": "read",
    "engagement.export": "read",
    # Comment and reply: every role.
    "review.add_comment": "comment",
    "review.new_comment": "comment",
    "review.new_reply": "comment",
    "review.reply": "comment",
    # One's own comment only.
    "review.edit_comment": "author",
    "review.save_comment": "author",
    "review.delete_comment": "author",
    # The thread's author, officers and admins.
    "review.resolve": "resolve",
    "review.reopen": "resolve",
    # Officers and admins edit the text and structure.
    "documents.edit": "edit",        # out for agreement, non-admins are sent to suggest
    # The text itself: in a draft officers and admins, out for agreement admins only (issue 17).
    "documents.save": "structure",
    "documents.cancel": "edit",
    "documents.presence": "edit",
    "documents.leave_presence": "edit",
    "documents.preview": "edit",
    "documents.restore_revision": "structure",
    "documents.structure": "edit",
    "documents.rename": "structure",
    "documents.add_after": "structure",
    "documents.add_first": "structure",
    "documents.move": "structure",
    "documents.nest": "structure",
    "documents.remove": "structure",
    "documents.restore": "structure",
    "review.feedback": "edit",
    "review.feedback_form": "edit",
    "review.strategic_matter": "structure",
    "review.strategic_matter_question": "structure",
    "new_document.new": "edit",
    "new_document.create": "edit",
    "new_document.import_start": "edit",
    "new_document.import_preview": "edit",
    "new_document.import_confirm": "edit",
    "importing.start": "structure",
    "importing.preview": "structure",
    "importing.confirm": "structure",
    "engagement.add": "edit",
    "engagement.edit": "edit",
    "engagement.save": "edit",
    "engagement.remove": "edit",
    "engagement.import_csv": "edit",
    "engagement.new_activity": "edit",
    "engagement.add_activity": "edit",
    "engagement.edit_activity": "edit",
    "engagement.save_activity": "edit",
    "engagement.remove_activity": "edit",
    "engagement.add_objective": "edit",
    "engagement.edit_objective": "edit",
    "engagement.save_objective": "edit",
    "engagement.remove_objective": "edit",
    # Suggested changes (issue 17): officers and admins suggest and withdraw their own;
    # accepting and rejecting follow the text's rule (admins only out for agreement).
    "suggestions.new": "suggest",
    "suggestions.create": "suggest",
    "suggestions.withdraw": "suggest",
    "suggestions.new_comment": "comment",
    "suggestions.add_comment": "comment",
    "suggestions.accept": "structure",
    "suggestions.accept_again": "read",
    "suggestions.reject": "structure",
    # Members record their authority's position and sign for it.
    "review.record_position": "position",
    "review.position_form": "position",
    "review.review_queue": "position",
    "review.review_queue_matter": "position",
    "review.review_queue_record": "position",
    "review.sign": "sign",
    "review.sign_post": "sign",
    # Trying a failed signed PDF again: the Member who signed, or the partnership's admins.
    "export.signing_retry": "signer",
    # The partnership's admins (a grant per partnership) manage its partners, its admins,
    # signatories and the lifecycle; never another organisation's people or keys.
    "partnerships.admin": "manage",
    "partnerships.invite_partner": "manage",
    "partnerships.add_organisation": "manage",
    "partnerships.confirm_remove_partner": "manage",
    "partnerships.remove_partner": "manage",
    "partnerships.grant_admin": "manage",
    "partnerships.revoke_admin": "manage",
    "review.signatories": "manage",
    "review.move": "manage",
    "review.publish_confirm": "manage",
    "review.add_decision": "manage",
    "review.record_decision": "manage",
    "review.record_decision_post": "manage",
    "jobs.index": "manage",
    "jobs.retry": "manage",
    # An organisation governs itself: its own admins, on their own organisation only (another
    # organisation's users and memberships are not found), whatever partnerships it is in.
    "organisation.index": "organisation_admin",
    "organisation.invite": "organisation_admin",
    "organisation.change_role": "organisation_admin",
    "organisation.confirm_active": "organisation_admin",
    "organisation.set_active": "organisation_admin",
    "organisation.clear_bounce": "organisation_admin",
    "organisation.accept_partnership": "organisation_admin",
    "organisation.decline_partnership": "organisation_admin",
    "organisation.confirm_leave": "organisation_admin",
    "organisation.leave_partnership": "organisation_admin",
    "export.certificates": "organisation_admin",
    "export.upload_certificate": "organisation_admin",
    "export.trial_certificate": "organisation_admin",
    # The record of cooperation: everyone in the partnership reads its meetings and agreed
    # actions; officers and partnership admins (edit) record, correct, add, change, close and
    # reopen them.
    "cooperation.meetings": "read",
    "cooperation.meeting": "read",
    "cooperation.meeting_history": "read",
    "cooperation.actions": "read",
    "cooperation.action": "read",
    "cooperation.new_meeting": "edit",
    "cooperation.correct_meeting": "edit",
    "cooperation.new_action": "edit",
    "cooperation.add_action": "edit",
    "cooperation.update_action": "edit",
    "cooperation.close_action": "edit",
    "cooperation.reopen_action": "edit",
    # The partnership's lists of strategic matters and bodies: everyone reads them, its
    # admins keep them.
    "partnerships.matters": "read",
    "partnerships.bodies": "read",
    "partnerships.add_matter": "manage",
    "partnerships.edit_matter": "manage",
    "partnerships.save_matter": "manage",
    "partnerships.retire_matter": "manage",
    "partnerships.restore_matter": "manage",
    "partnerships.add_body": "manage",
    "partnerships.edit_body": "manage",
    "partnerships.save_body": "manage",
    "partnerships.retire_body": "manage",
    "partnerships.restore_body": "manage",
    # The evidence pack: everyone in the partnership reads and downloads it; officers and
    # partnership admins ask for one (background work).
    "export.document_evidence": "read",
    "export.document_evidence_pdf": "read",
    "export.document_evidence_zip": "read",
    "export.partnership_evidence": "read",
    "export.partnership_evidence_pdf": "read",
    "export.partnership_evidence_zip": "read",
    "export.request_document_evidence": "edit",
    "export.request_partnership_evidence": "edit",
    # The public register: no sign-in; what is published on a register that is on, else 404.
    "public.register": "public_register",
    "public.document": "public_register",
    "public.version": "public_register",
    "public.version_pdf": "public_register",
    "public.version_docx": "public_register",
    "public.version_changes": "public_register",
    "public.version_data_json": "public_register",
    "public.version_data_csv": "public_register",
    "public.data_schema": "public_register",
    "public.data_docs": "public_register",
    "public.feed": "public_register",
    "public.accessibility": "public_register",
    # The registers page: anyone; it names only partnerships whose register is on.
    "public.index": "public",
    "public.unknown": "public_not_found",
    # Whether the register is published, and its contact: the partnership's admins.
    "publishing_admin.settings": "manage",
    "publishing_admin.save": "manage",
}
#: Not routes of the app's own: served files.
EXCLUDED = {"static"}

#: Rules that hold outside any partnership (no slug in the URL).
UNSCOPED = {"public", "probe", "signed_in", "organisation_admin"}
#: Rules that hold with or without a partnership in the URL.
ANYWHERE = {"public_not_found"}
#: Rules of the public register: never a sign-in, whoever asks.
PUBLIC_REGISTER = {"public_register", "public_not_found"}
RULES = ({"public", "signed_in", "author", "resolve", "organisation_admin", "structure",
          "signer"}
         | {"probe"} | PUBLIC_REGISTER | set(PERMISSIONS) - {"manage_organisation"})
#: Organisation routes that name one of the organisation's users or memberships: for an admin
#: of any other organisation the id does not exist (404).
ORGANISATION_IDS = {"user_id", "partner_id"}
#: Organisation routes on an active membership (the others answer an invitation).
LEAVING = {"organisation.confirm_leave", "organisation.leave_partnership"}
#: Endpoints whose requests need the spare section (they move, remove or rewrite it).
ON_SPARE_SECTION = {"documents.edit", "documents.save", "documents.cancel",
                    "documents.presence", "documents.leave_presence",
                    "documents.restore_revision", "documents.structure",
                    "documents.rename", "documents.move", "documents.nest", "documents.remove",
                    "documents.restore", "documents.add_after", "suggestions.new",
                    "suggestions.create"}
#: Ids of rows each request gets fresh (it may change or remove them).
ROW_IDS = {"stakeholder_id", "activity_id", "objective_id", "job_id", "signature_id",
           "matter_id", "body_id", "meeting_id", "action_id"}
#: The `<path:rest>` of the register's catch-all not-found route.
REST = "no-such-page/here"
#: Query strings some GET routes need to find what they show.
QUERY = {"documents.diff": {"from": 1}}


def _unique():
    return uuid.uuid4().hex[:8]


STAKEHOLDER = {"name": "Matrix stakeholder", "category": "other", "contact": "Clerk",
               "lead_partner": "Watford", "lead_person": "Officer",
               "relationship_now": "coexist", "relationship_target": "cooperate",
               "influence": "3", "quality": "3", "priority": "medium", "actions": "Meet.",
               "objectives": "Unite"}
MEETING = {"held_on-day": "5", "held_on-month": "1", "held_on-year": "2026", "kind": "workshop",
           "attendees-0-role": "Head of Planning"}
ACTIVITY = {"audience": "Residents", "groups": "2", "participants": "40",
            "convened_by": "Watford", "led_by": "Officer", "period": "Summer",
            "start_date": "2026-06-01", "end_date": "2026-07-01", "level": "consult",
            "status": "planned"}

#: Plausible form data for POST routes: a dict, or a callable taking the case's values.
FORMS = {
    "auth.login": {"email": "", "password": ""},
    "auth.accept_invitation": {"new_password": "a", "confirm": "b"},
    "auth.change_password": {"current_password": "wrong", "new_password": "a", "confirm": "b"},
    "export.verify": {},
    "auth.logout": {},
    "review.add_comment": {"body": "A comment from the matrix."},
    "review.reply": {"body": "A reply from the matrix."},
    "review.save_comment": {"body": "Changed by the matrix."},
    "review.delete_comment": {},
    "review.resolve": {},
    "review.reopen": {},
    "documents.save": lambda v: {"body": f"Spare text {_unique()}.",
                                 "base_version": str(v["section_version"]),
                                 "summary": "matrix"},
    "documents.cancel": {},
    "suggestions.create": lambda v: {"body": f"Suggested {_unique()}.",
                                     "base_version": str(v["section_version"]),
                                     "reason": "matrix"},
    "suggestions.accept": {},
    "suggestions.reject": {"reason": "Rejected by the matrix."},
    "suggestions.withdraw": {},
    "suggestions.add_comment": {"body": "A comment on a suggestion from the matrix."},
    "documents.presence": {},
    "documents.leave_presence": {},
    "documents.preview": {"body": "Some *text*."},
    "documents.restore_revision": {},
    "documents.rename": lambda v: {"title": f"Spare {_unique()}"},
    "documents.add_after": lambda v: {"title": f"Added {_unique()}"},
    "documents.add_first": lambda v: {"title": f"First {_unique()}"},
    "documents.move": {"direction": "up"},
    "documents.nest": {"direction": "out"},
    "documents.remove": {},
    "documents.restore": {},
    "review.feedback": {"feedback_sought": "Do we agree with this?"},
    "review.strategic_matter": {"strategic_matter": "1"},
    "review.record_position": lambda v: {"stance": "agreed", "route": "delegation",
                                         "seen_version": str(v["section_version"])},
    "review.review_queue_record": lambda v: {"stance": "agreed", "route": "delegation",
                                             "seen_version": str(v["section_version"])},
    "review.sign_post": {"declaration": "y", "signed_name": "A Member",
                         "signed_position": "Portfolio Holder", "password": "common-ground"},
    "partnerships.invite_partner": {"code": "luton"},
    "partnerships.add_organisation": lambda v: {
        "name": f"Matrix Council {_unique()}", "code": f"matrix{_unique()}",
        "admin_name": "First Admin", "admin_email": f"first-{_unique()}@matrix.example"},
    "partnerships.remove_partner": {},
    "partnerships.grant_admin": lambda v: {"user_id": str(v["grantee_id"])},
    "partnerships.revoke_admin": {},
    "organisation.invite": lambda v: {"name": "Invited Person",
                                      "email": f"invited-{_unique()}@matrix.example",
                                      "role": "viewer"},
    "organisation.change_role": {"role": "viewer"},
    "organisation.set_active": {"active": "1"},
    "organisation.clear_bounce": {},
    "notifications.mark_all_read": {},
    "notifications.save_preferences": {"position_owed": "immediate",
                                       "position_stale": "immediate",
                                       "signature_ready": "digest", "comment_reply": "off",
                                       "decision_due": "digest",
                                       "suggestion_made": "immediate",
                                       "suggestion_decided": "immediate"},
    "notifications.unsubscribe_post": {},
    "organisation.accept_partnership": {},
    "organisation.decline_partnership": {},
    "organisation.leave_partnership": {},
    "export.upload_certificate": {},
    "export.trial_certificate": {},
    "review.signatories": {},
    "jobs.retry": {},
    "export.signing_retry": {},
    "review.move": {"to": "draft", "seen": "out_for_agreement"},
    "review.add_decision": {"body": "Matrix Board", "description": "Agree it.",
                            "due_date-day": "1", "due_date-month": "1",
                            "due_date-year": "2030"},
    "review.record_decision_post": {"taken_at-day": "5", "taken_at-month": "1",
                                    "taken_at-year": "2026", "outcome": "Approved",
                                    "minute_ref": "M1"},
    "new_document.create": lambda v: {"template": "no-such-template",
                                      "title": f"Matrix {_unique()}"},
    "importing.preview": lambda v: {"after": "end", "file": (
        io.BytesIO(b"# Imported\n\nImported text.\n"), "matrix.md")},
    "importing.confirm": lambda v: {"after": "end", "token": v["import_token"]},
    "new_document.import_preview": lambda v: {"title": f"Matrix {_unique()}", "kind": "scg",
                                              "file": (io.BytesIO(b"# Imported\n\nText.\n"),
                                                       "matrix.md")},
    "new_document.import_confirm": lambda v: {"token": v["new_import_token"]},
    # Objectives are checkboxes (ids) in the form; the CSV names them ("Unite" is the demo's).
    "engagement.add": lambda v: dict(STAKEHOLDER, name=f"Stakeholder {_unique()}",
                                     objectives=""),
    "engagement.save": lambda v: dict(STAKEHOLDER, name=f"Renamed {_unique()}",
                                      objectives=""),
    "engagement.remove": {},
    "engagement.import_csv": lambda v: {"file": (io.BytesIO(
        (",".join(STAKEHOLDER) + "\r\n" + ",".join(STAKEHOLDER.values()) + "\r\n")
        .encode()), "register.csv")},
    "engagement.add_activity": ACTIVITY,
    "engagement.save_activity": ACTIVITY,
    "engagement.remove_activity": {},
    "engagement.add_objective": lambda v: {"name": f"Objective {_unique()}",
                                           "description": "From the matrix."},
    "engagement.save_objective": lambda v: {"name": f"Renamed {_unique()}",
                                            "description": "Changed by the matrix."},
    "engagement.remove_objective": {},
    # The record of cooperation: a meeting (Watford attended), an action Watford leads; the
    # rows each request gets are fresh (version 1, open).
    "cooperation.new_meeting": lambda v: dict(MEETING, title=f"Matrix meeting {_unique()}",
                                              **{"attendees-0-organisation_id":
                                                 str(v["own_organisation_id"])}),
    "cooperation.correct_meeting": lambda v: dict(
        MEETING, title=f"Corrected {_unique()}", expected_version="1",
        reason="Corrected by the matrix.",
        **{"attendees-0-organisation_id": str(v["own_organisation_id"])}),
    "cooperation.add_action": lambda v: {"what": f"Matrix action {_unique()}.",
                                         "lead_organisation_id": str(v["own_organisation_id"])},
    "cooperation.update_action": lambda v: {"what": f"Changed {_unique()}.", "version": "1",
                                            "lead_organisation_id":
                                            str(v["own_organisation_id"])},
    "cooperation.close_action": {"close-status": "done", "close-outcome": "Done.",
                                 "close-version": "1"},
    "cooperation.reopen_action": {"reopen-version": "1"},
    "partnerships.add_matter": lambda v: {"title": f"Matter {_unique()}", "reference": "",
                                          "description": "From the matrix."},
    "partnerships.save_matter": lambda v: {"title": f"Renamed {_unique()}",
                                           "reference": f"R{_unique()}",
                                           "description": "Changed by the matrix."},
    "partnerships.retire_matter": {},
    "partnerships.restore_matter": {},
    "partnerships.add_body": lambda v: {"name": f"Body {_unique()}", "short_name": "MB",
                                        "kind": "other"},
    "partnerships.save_body": lambda v: {"name": f"Renamed {_unique()}", "short_name": "RB",
                                         "kind": "member_group"},
    "partnerships.retire_body": {},
    "partnerships.restore_body": {},
    "export.request_document_evidence": {},
    "export.request_partnership_evidence": {},
    # The register stays on: the public routes' requests expect it.
    "publishing_admin.save": {"publishes": "on",
                              "accessibility_contact": "access@swherts.example"},
}


def rule_for(endpoint, method):
    rule = ACCESS[endpoint]
    return rule[method] if isinstance(rule, dict) else rule


def app_rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint not in EXCLUDED]


def methods_of(rule):
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


# The table itself ----------------------------------------------------------------------------

def test_every_route_is_in_the_access_table(app):
    missing = sorted({r.endpoint for r in app_rules(app)} - set(ACCESS))
    assert not missing, ("routes without a rule in tests/security/test_authorization_matrix.py "
                         "ACCESS (say who may reach them): " + ", ".join(missing))


def test_access_table_is_consistent(app):
    problems = []
    for rule in app_rules(app):
        for method in methods_of(rule):
            name = rule_for(rule.endpoint, method)
            if name not in RULES:
                problems.append(f"{rule.endpoint} {method}: unknown rule {name!r}")
            in_partnership = "slug" in rule.arguments
            if name in ANYWHERE:
                pass
            elif in_partnership and name in UNSCOPED:
                problems.append(f"{rule.endpoint}: a partnership route cannot be {name}")
            elif not in_partnership and name not in UNSCOPED:
                problems.append(f"{rule.endpoint}: {name} needs a partnership in the URL")
            if method == "POST" and name not in {"public", "signed_in"} | PUBLIC_REGISTER and \
                    rule.endpoint not in FORMS:
                problems.append(f"{rule.endpoint}: POST without plausible data in FORMS")
    assert not problems, "\n".join(problems)


# The world the requests run in ---------------------------------------------------------------

#: Who sends the requests: each actor's role in their own organisation, that organisation,
#: the places (`own` is the demo, sw-herts; `foreign` is Luton's partnership, "elsewhere")
#: their organisation is an active partner in, and the places where they hold the partnership
#: admin grant. A grant held in any other partnership counts for nothing here.
ACTORS = {
    "viewer": {"role": "viewer", "org": "watford", "in": {"own"}, "grants": set()},
    "officer": {"role": "officer", "org": "watford", "in": {"own"}, "grants": set()},
    "member": {"role": "member", "org": "watford", "in": {"own"}, "grants": set()},
    # Watford's organisation admin: governs Watford, holds no grant in SW Herts.
    "orgadmin": {"role": "admin", "org": "watford", "in": {"own"}, "grants": set()},
    # admin@swherts.example: an officer of the County Council with the SW Herts grant.
    "partnership_admin": {"role": "officer", "org": "herts", "in": {"own"},
                          "grants": {"own"}},
    # A Watford viewer who is partnership admin of the second partnership Watford is in
    # (Colne Valley): in SW Herts, a viewer.
    "shared_admin": {"role": "viewer", "org": "watford", "in": {"own"}, "grants": set()},
    # Colne Valley Council's organisation admin and Colne Valley's partnership admin: the
    # partnership shares Watford with SW Herts, but SW Herts is not theirs.
    "neighbour_admin": {"role": "admin", "org": "colne", "in": set(), "grants": set()},
    # The takeover's outsider: `flask create-admin` made them admin of Other Council and of
    # Other Partnership.
    "hostile_partnership_admin": {"role": "admin", "org": "other-council", "in": set(),
                                  "grants": set()},
    # Luton's organisation admin: Luton is in another partnership (foreign), not SW Herts.
    "hostile_orgadmin": {"role": "admin", "org": "luton", "in": {"foreign"}, "grants": set()},
}


@pytest.fixture
def matrix_world(app, demo, login):
    """Ids for "own" (the demo) and "foreign", a second partnership that shares Watford with
    the demo, Other Partnership made by `flask create-admin`, a signed-in client per actor, an
    invitation."""
    result = create_admin(app)
    assert result.exit_code == 0, result.output
    with app.test_request_context():
        admin = user_by_email("admin@swherts.example")
        watford = db.session.scalar(select(Organisation).where(Organisation.code == "watford"))
        extra = {}
        for key, email in (("viewer", "viewer@watford.example"),
                           ("shared_admin", "grantee@watford.example"),
                           ("target", "target@watford.example")):
            extra[key] = User(email=email, name=f"Watford {key.title()}", organisation=watford,
                              role="viewer")
            extra[key].set_password("common-ground")
        db.session.add_all(extra.values())
        scg = db.session.scalar(select(Document).where(Document.kind == "scg"))
        housing = db.session.scalar(select(Section).where(
            Section.document_id == scg.id, Section.title == "Housing need and distribution"))
        spare = append_section(scg, "Spare section", "Spare text.", user=admin)
        db.session.flush()
        freeze_version_1(scg, admin)
        document_slug = publish_version_1(scg)
        decision = db.session.scalar(select(DecisionSought.id).where(
            DecisionSought.document_id == scg.id))
        orgadmin = user_by_email("orgadmin@watford.example")
        _, token = create_invitation(watford, "newcomer@watford.example", "New Comer",
                                     "viewer", orgadmin)
        # Luton's partnership has invited Watford, which has not accepted: no access.
        foreign = build_foreign(also_invited=[watford.id])
        # Watford is a partner here too, and a Watford viewer is one of its admins.
        shared = build_foreign("colne-valley", "colne", "Colne Valley Council",
                               "Colne Valley Joint Plan", "Colne", also_active=[watford.id],
                               admin_grant=True)
        db.session.add(PartnershipAdmin(partnership_id=shared["partnership_id"],
                                        user_id=extra["shared_admin"].id))
        own_partnership, spare_id = scg.partnership_id, spare.id
        db.session.commit()
        users = {"viewer": extra["viewer"].id,
                 "officer": user_by_email("officer@watford.example").id,
                 "member": user_by_email("member@watford.example").id,
                 "orgadmin": orgadmin.id, "partnership_admin": admin.id,
                 "shared_admin": extra["shared_admin"].id,
                 "neighbour_admin": shared["admin_id"],
                 "hostile_partnership_admin": user_by_email("admin@other.example").id,
                 "hostile_orgadmin": foreign["admin_id"]}
        own = {"slug": "sw-herts", "document_id": scg.id, "section_id": housing.id,
               "decision_id": decision, "organisation_id": watford.id,
               "user_id": extra["target"].id, "number": 1, "token": token,
               "unsubscribe_token": unsubscribe_token(user_by_email("member@watford.example"),
                                                      ["comment_reply"]),
               "document_slug": document_slug, "rest": REST,
               **cooperation_ids(scg.partnership_id, scg.id, admin.id)}
        foreign.update(number=1, token=token, unsubscribe_token=own["unsubscribe_token"],
                       signature_id=1, rest=REST)
        db.session.commit()
        theirs = user_by_email("officer@hertsmere.example").id
        grantee = user_by_email("officer@dacorum.example").id
    world = {"users": users, "own": own, "foreign": foreign, "shared": shared,
             "spare": spare_id, "theirs": theirs, "own_partnership": own_partnership,
             "grantee": grantee}
    # The demo Statement is out for agreement: importing into it is the admins' (structure).
    world["import_token"] = import_token(app, login, own, users["partnership_admin"])
    world["new_import_token"] = new_import_token(app, login, own, users["officer"])
    return world


def import_token(app, login, own, user):
    """A previewed import for the confirm route (the token the preview page carries)."""
    client = login(app.test_client(), user)
    with app.test_request_context():
        url = url_for("importing.preview", slug=own["slug"], document_id=own["document_id"])
    response = client.post(url, data={"after": "end", "file": (
        io.BytesIO(b"# Imported\n\nImported text.\n"), "matrix.md")})
    assert response.status_code == 200, response.status_code
    found = re.search(r'name="token" value="([^"]+)"', response.text)
    assert found, "no import token on the preview page"
    return found.group(1)


def new_import_token(app, login, own, officer):
    """A previewed new document from a file, for the confirm route."""
    client = login(app.test_client(), officer)
    with app.test_request_context():
        url = url_for("new_document.import_preview", slug=own["slug"])
    response = client.post(url, data={"title": "Imported", "kind": "mou", "file": (
        io.BytesIO(b"# Imported\n\nImported text.\n"), "matrix.md")})
    assert response.status_code == 200, response.status_code
    return re.search(r'name="token" value="([^"]+)"', response.text).group(1)


def fresh_row(app, kind, partnership_id):
    """A new stakeholder, activity, objective, failed job, signature, strategic matter, body,
    meeting or action of the partnership: each request gets its own (meetings and actions
    recorded by the SW Herts partnership admin)."""
    with app.app_context():
        def by_admin(make):
            return lambda p: make(p, user_by_email("admin@swherts.example").id)
        made = {"stakeholder_id": fresh_stakeholder, "activity_id": fresh_activity,
                "objective_id": fresh_objective, "job_id": fresh_failed_job,
                "signature_id": fresh_signature, "matter_id": fresh_matter,
                "body_id": fresh_body, "meeting_id": by_admin(fresh_meeting),
                "action_id": by_admin(fresh_action)}[kind](partnership_id)
        db.session.commit()
        return made


def fresh_signature(partnership_id):
    """A signature of Watford's Member on version 1 of the partnership's Statement (voided:
    the version went back to draft), for the receipt and its "Try again"."""
    from workspace.clock import utcnow
    from workspace.review.models import DocumentVersion, Signature
    member = user_by_email("member@watford.example")
    version = db.session.scalar(select(DocumentVersion).join(
        Document, Document.id == DocumentVersion.document_id).where(
        Document.partnership_id == partnership_id, Document.kind == "scg",
        DocumentVersion.number == 1))
    row = Signature(version_id=version.id, organisation_id=member.organisation_id,
                    user_id=member.id, signed_name="Cllr Watford", signed_position="Leader",
                    content_sha256=version.content_sha256, voided_at=utcnow())
    db.session.add(row)
    db.session.flush()
    return row.id


def fresh_comment(app, section_id, author_id):
    """A new open thread on the section by the author: each request gets its own."""
    with app.test_request_context():
        comment = add_comment(db.session.get(Section, section_id), "A thread.",
                              db.session.get(User, author_id))
        db.session.commit()
        return comment.id


def fresh_membership(app, status, organisation_id=None, partnership_id=None):
    """A membership of its own for each request (they accept, decline, leave or remove it):
    the organisation (a new one when None) in the partnership (a new one when None)."""
    with app.app_context():
        unique = _unique()
        if organisation_id is None:
            organisation = Organisation(code=f"org{unique}", name=f"Council {unique}")
            db.session.add(organisation)
            db.session.flush()
            organisation_id = organisation.id
        if partnership_id is None:
            partnership = Partnership(slug=f"p-{unique}", name=f"Partnership {unique}",
                                      short_name=unique)
            db.session.add(partnership)
            db.session.flush()
            partnership_id = partnership.id
        row = Partner(partnership_id=partnership_id, organisation_id=organisation_id,
                      status=status)
        db.session.add(row)
        db.session.commit()
        return row.id


def fresh_grant(app, partnership_id, user_id):
    """The user's partnership admin grant (made again if a request revoked it)."""
    with app.app_context():
        grant = db.session.scalar(select(PartnershipAdmin).where(
            PartnershipAdmin.partnership_id == partnership_id,
            PartnershipAdmin.user_id == user_id))
        if grant is None:
            grant = PartnershipAdmin(partnership_id=partnership_id, user_id=user_id)
            db.session.add(grant)
            db.session.commit()
        return grant.id


def fresh_notification(app, user_id):
    """A notification of the user's own, for the request that opens it."""
    with app.app_context():
        row = Notification(user_id=user_id, kind="comment_reply", title="Matrix",
                           link="/", reason="Testing.")
        db.session.add(row)
        db.session.commit()
        return row.id


def fresh_suggestion(app, section_id, author_id):
    """An open suggestion on the section by the author: each request gets its own."""
    from workspace.suggestions.models import Suggestion
    with app.app_context():
        section = db.session.get(Section, section_id)
        author = db.session.get(User, author_id)
        row = Suggestion(document_id=section.document_id, section_id=section.id,
                         base_number=section.version, body=f"Suggested {_unique()}.\n",
                         author_id=author.id, organisation_id=author.organisation_id)
        db.session.add(row)
        db.session.commit()
        return row.id


def section_version(app, section_id):
    with app.app_context():
        return db.session.get(Section, section_id).version


def values_for(app, world, rule, where, actor, owner):
    """The URL's ids and the form's values for one request; rows the request may change or
    remove are made for it alone."""
    endpoint, arguments = rule.endpoint, set(rule.arguments)
    values = dict(world[where])
    if "pack_id" in arguments and "document_id" in arguments:
        values["pack_id"] = values["document_pack_id"]     # the document's own pack
    if where == "own":
        if endpoint in ON_SPARE_SECTION:
            values["section_id"] = world["spare"]
        for row_id in ROW_IDS & arguments:
            values[row_id] = fresh_row(app, row_id, world["own_partnership"])
        if "slug" in arguments:
            if "partner_id" in arguments:
                values["partner_id"] = fresh_membership(
                    app, "invited", partnership_id=world["own_partnership"])
            if "grant_id" in arguments:
                values["grant_id"] = fresh_grant(app, world["own_partnership"],
                                                 world["grantee"])
        elif "partner_id" in arguments:
            # Watford's own memberships: an invitation to answer, or one to leave.
            values["partner_id"] = fresh_membership(
                app, "active" if endpoint in LEAVING else "invited",
                organisation_id=world["own"]["organisation_id"])
    if "comment_id" in arguments and (where == "own" or owner == "mine"):
        author = world["users"][actor] if owner == "mine" else world["theirs"]
        values["comment_id"] = fresh_comment(app, values["section_id"], author)
    if "suggestion_id" in arguments:
        # On the spare section; by the actor when they may suggest (withdrawing is their own).
        mine = ACTORS.get(actor, {}).get("role") == "officer" and where in ACTORS[actor]["in"]
        author = world["users"][actor] if mine else world["theirs"]
        # Elsewhere, on that partnership's own section (comments are looked for in it).
        section_id = world["spare"] if where == "own" else values["section_id"]
        values["suggestion_id"] = fresh_suggestion(app, section_id, author)
    values["import_token"] = world["import_token"]
    values["new_import_token"] = world["new_import_token"]
    values["section_version"] = section_version(app, values["section_id"])
    values["own_organisation_id"] = world["own"]["organisation_id"]
    values["grantee_id"] = world["grantee"]
    if "notification_id" in arguments:
        values["notification_id"] = fresh_notification(
            app, world["users"].get(actor, world["users"]["viewer"]))
    return values


# Expectations ---------------------------------------------------------------------------------

def expected(rule, actor, where, owner, arguments=()):
    """What the request should answer: allowed, published, sign-in, not-found or
    forbidden."""
    if rule == "public":
        return "allowed"
    if rule == "public_not_found":
        return "not-found"
    if rule == "probe":
        return "probe"
    if rule == "public_register":
        # The demo publishes its register, with version 1 of its Statement on it; the
        # foreign partnership publishes nothing. Signed in or not makes no difference.
        return "published" if where == "own" else "not-found"
    if actor == ANONYMOUS:
        return "sign-in"
    if rule == "signed_in":
        return "allowed"
    who = ACTORS[actor]
    if rule == "organisation_admin":
        # The ids in these URLs are Watford's.
        if who["role"] not in PERMISSIONS["manage_organisation"]:
            return "forbidden"
        if ORGANISATION_IDS & set(arguments) and who["org"] != "watford":
            return "not-found"
        return "allowed"
    if where not in who["in"]:
        return "not-found"
    granted = where in who["grants"]
    if rule == "structure":
        # The own partnership's Statement is out for agreement: its structure and strategic
        # matters change by partnership admins only (issue 14). The other partnerships'
        # documents are drafts, where officers change them too.
        rule = "manage" if where == "own" else "edit"
    if rule == "author":
        return "allowed" if owner == "mine" else "forbidden"
    if rule == "signer":
        # The signature is Watford's Member's (fresh_signature); the foreign document has no
        # frozen version, so no signature either.
        if where != "own":
            return "not-found"
        return "allowed" if actor == "member" or granted else "forbidden"
    if rule == "resolve":
        return ("allowed" if owner == "mine" or who["role"] == "officer" or granted
                else "forbidden")
    if who["role"] in PERMISSIONS[rule] or (granted and rule in PARTNERSHIP_ADMIN_ACTIONS):
        return "allowed"
    return "forbidden"


def problem_with(response, expectation, htmx):
    """None when the answer matches the expectation, else why not."""
    status, location = response.status_code, response.headers.get("Location", "")
    if expectation == "sign-in":
        if htmx:
            ok = status == 401 and response.headers.get("HX-Redirect") == "/sign-in"
        else:
            ok = status == 302 and location.startswith("/sign-in?next=")
    elif expectation == "not-found":
        ok = status == 404
    elif expectation == "forbidden":
        ok = status == 403
    elif expectation == "probe":
        ok = status in (200, 503)           # ready or not, never a sign-in
    elif expectation == "published":
        ok = 200 <= status < 300            # no redirect, least of all to sign-in
    else:
        bounced = status == 302 and location.startswith("/sign-in")
        ok = (200 <= status < 400 or status in (409, 422)) and not bounced
    if ok:
        return None
    return f"expected {expectation}, got {status}" + (f" -> {location}" if location else "")


# The matrix ------------------------------------------------------------------------------------

def _cases(app):
    """(rule, method, kind, actor, where, owner) for every route, actor and partnership."""
    cases = []
    for rule in sorted(app_rules(app), key=lambda r: r.endpoint):
        for method in methods_of(rule):
            kind = rule_for(rule.endpoint, method)
            places = ("own", "foreign") if "slug" in rule.arguments else ("own",)
            for actor, where in itertools.product((ANONYMOUS,) + tuple(ACTORS), places):
                owners = ("theirs",)
                if kind in {"author", "resolve"} and actor != ANONYMOUS and \
                        where in ACTORS[actor]["in"]:
                    owners = ("mine", "theirs")
                for owner in owners:
                    cases.append((rule, method, kind, actor, where, owner))
    # Reads first, so that every page is seen before anything changes.
    return sorted(cases, key=lambda c: (c[1] != "GET",))


@pytest.fixture
def quick_pdf(monkeypatch):
    """The PDF routes answer as usual, but without WeasyPrint's seconds per render: who may
    download is the question here (test_hostile_input renders a real one)."""
    from workspace.export import service
    monkeypatch.setattr(service, "render_pdf",
                        lambda html, variant="ua": (b"%PDF-1.7\n%stub\n", {}, 1))


def test_authorization_matrix(app, matrix_world, login, quick_pdf):
    world = matrix_world
    clients = {actor: login(app.test_client(), world["users"][actor]) for actor in ACTORS}
    failures, checked = [], 0
    for rule, method, kind, actor, where, owner in _cases(app):
        endpoint = rule.endpoint
        values = values_for(app, world, rule, where, actor, owner)
        arguments = {name: values[name] for name in rule.arguments}
        with app.test_request_context():
            url = url_for(endpoint, **arguments, **QUERY.get(endpoint, {}))
        for htmx in ((False, True) if actor == ANONYMOUS else (False,)):
            data = FORMS.get(endpoint, {}) if method == "POST" else None
            if callable(data):
                data = data(values)
            client = clients.get(actor) or app.test_client()
            headers = {"HX-Request": "true"} if htmx else {}
            response = client.open(url, method=method, data=data, headers=headers)
            response.close()
            checked += 1
            expectation = expected(kind, actor, where, owner, rule.arguments)
            if expectation == "allowed" and where != "own" and "number" in rule.arguments:
                expectation = "not-found"     # the foreign document has no frozen version
            problem = problem_with(response, expectation, htmx)
            if problem:
                whose = f", {owner} comment" if "comment_id" in rule.arguments else ""
                failures.append(f"{method} {url} [{endpoint}: {kind}] as {actor} "
                                f"({where}{whose}{', htmx' if htmx else ''}): {problem}")
        if actor != ANONYMOUS and endpoint == "auth.logout":
            clients[actor] = login(app.test_client(), world["users"][actor])
    assert not failures, f"{len(failures)} of {checked} requests:\n" + "\n".join(failures)
    assert checked > 1000


def test_the_hostile_admins_learn_nothing_of_watford(app, matrix_world, login):
    """No page the other partnerships' admins (or SW Herts' own) can open shows a Watford
    email address; the outsiders, whose partnerships Watford is not in, see no Watford name
    either (Colne Valley's admin may see Watford's people's names, to grant them admin
    rights there, since Watford accepted to be a partner)."""
    world = matrix_world
    for actor in ("neighbour_admin", "hostile_partnership_admin", "hostile_orgadmin",
                  "partnership_admin"):
        client = login(app.test_client(), world["users"][actor])
        for url in ("/", "/organisation/", "/organisation/certificates", "/p/colne-valley/admin",
                    "/p/other-partnership/admin", "/p/elsewhere/admin", "/p/sw-herts/admin"):
            page = client.get(url)
            assert "@watford.example" not in page.text, (actor, url)
            if actor.startswith("hostile"):
                # Watford is not a partner of theirs: not even its people's names.
                assert "Watford Target" not in page.text, (actor, url)


# Ids from elsewhere under our own partnership -----------------------------------------------

#: The actor who passes each rule's check, so that only the id decides the answer.
ALLOWED_ACTOR = {"read": "viewer", "comment": "viewer", "author": "viewer",
                 "resolve": "partnership_admin", "edit": "officer", "suggest": "officer",
                 "position": "member",
                 "sign": "member", "signer": "member", "manage": "partnership_admin",
                 "structure": "partnership_admin", "public_register": "viewer",
                 "public_not_found": "viewer"}
#: Ids that may come from another partnership ("document_pack_id" goes in a document's
#: pack_id).
FOREIGN_IDS = ("document_id", "section_id", "comment_id", "decision_id", "stakeholder_id",
               "activity_id", "objective_id", "partner_id", "grant_id", "job_id", "matter_id",
               "body_id", "meeting_id", "action_id", "pack_id", "document_pack_id",
               "document_slug")


def _argument(name, rule):
    """The URL argument an id of FOREIGN_IDS goes in for this route, or None: a document's
    pack in a document's route, the partnership's pack in the partnership's."""
    for_document = "document_id" in rule.arguments
    if name == "document_pack_id":
        return "pack_id" if for_document and "pack_id" in rule.arguments else None
    if name == "pack_id" and for_document:
        return None
    return name if name in rule.arguments else None


def test_ids_from_another_document_or_partnership_are_not_found(app, matrix_world, login,
                                                               quick_pdf):
    """Our partnership in the URL, but one id (document, section, comment, decision, row,
    membership, admin grant, matter, body, meeting, action, evidence pack, a document's public
    address, a version number) from the other document of our partnership, from the foreign
    partnership or from the second partnership Watford is in: 404 for a user whose role (or
    grant) would otherwise be allowed. On the register, the other document of our partnership
    has an address but no published version, and version 2 of the Statement is not
    published (nor frozen)."""
    world = matrix_world
    with app.test_request_context():
        own_doc = world["own"]["document_id"]
        plan = db.session.scalar(select(Document).where(Document.id != own_doc,
                                                        Document.partnership_id == db.session.get(
                                                            Document, own_doc).partnership_id))
        plan_section = db.session.scalar(select(Section.id).where(Section.document_id == plan.id))
        plan_decision = db.session.scalar(select(DecisionSought.id).where(
            DecisionSought.document_id == plan.id))
        plan_comment = add_comment(db.session.get(Section, plan_section), "Plan thread.",
                                   db.session.get(User, world["users"]["viewer"])).id
        admin_id = world["users"]["partnership_admin"]
        # The Statement's own pack in the partnership's routes; the plan's in the Statement's.
        statement_pack = fresh_pack(plan.partnership_id, own_doc, admin_id)
        plan_pack = fresh_pack(plan.partnership_id, plan.id, admin_id)
        plan.public_slug = "engagement-plan"
        db.session.commit()
    elsewhere = {
        "sibling": {"document_id": None, "section_id": plan_section, "comment_id": plan_comment,
                    "decision_id": plan_decision, "pack_id": statement_pack,
                    "document_pack_id": plan_pack, "document_slug": "engagement-plan",
                    "number": 2},
        "foreign": {key: world["foreign"][key] for key in FOREIGN_IDS},
        "shared": {key: world["shared"][key] for key in FOREIGN_IDS},
    }
    clients = {actor: login(app.test_client(), world["users"][actor])
               for actor in set(ALLOWED_ACTOR.values())}
    failures, checked = [], 0
    for rule in sorted(app_rules(app), key=lambda r: r.endpoint):
        if "slug" not in rule.arguments:
            continue
        for method in methods_of(rule):
            kind = rule_for(rule.endpoint, method)
            actor = ALLOWED_ACTOR[kind]
            for source, ids in elsewhere.items():
                for name, other in ids.items():
                    argument = _argument(name, rule)
                    if argument is None or other is None:
                        continue
                    values = values_for(app, world, rule, "own", actor, "mine")
                    values[argument] = other
                    values["section_version"] = 1
                    with app.test_request_context():
                        url = url_for(rule.endpoint,
                                      **{k: values[k] for k in rule.arguments},
                                      **QUERY.get(rule.endpoint, {}))
                    data = FORMS.get(rule.endpoint, {}) if method == "POST" else None
                    if callable(data):
                        data = data(values)
                    response = clients[actor].open(url, method=method, data=data)
                    response.close()
                    checked += 1
                    if response.status_code != 404:
                        failures.append(f"{method} {url} [{rule.endpoint}] as {actor} with "
                                        f"{name} from the {source} document/partnership: "
                                        f"{response.status_code}")
    assert not failures, "\n".join(failures)
    assert checked >= 60
