"""The South West Hertfordshire demo partnership, built from the public seed documents.

Text comes from `shared/seeds/`: the Annex 4 Statement of Common Ground template of
"Planning Strategically in South West Hertfordshire – Next steps" (001) and the "JSP Vision:
Engagement Plan" (000). It is kept here, in the package, so a deployment needs no other file.
People are role names ("Watford Officer"), never the real names in the seeds.
"""
from datetime import date, timedelta

from sqlalchemy import func, select

from .accounts.models import Organisation, User
from .clock import today
from .cooperation.demo import seed_history, seed_matters_and_bodies, seed_recent
from .demo_content import ENGAGEMENT_SECTIONS, MATTER_GUIDANCE, SCG_SECTIONS, STRATEGIC_MATTERS
from .documents.editing import save_section
from .documents.models import Section
from .documents.service import append_section, create_document
from .documents.starters import SCG_ANNEX_4
from .engagement.demo import seed_engagement
from .export.keys import make_self_signed
from .extensions import db
from .jobs.runner import run_pending
from .partnerships.matters import matter_for_title
from .partnerships.models import Partner, Partnership
from .partnerships.service import grant_on_creation
from .review import lifecycle
from .review.models import Comment, DecisionSought, Signatory, SignatoryMatter
from .review.positions import record_position
from .suggestions.demo import seed_suggestions

PARTNERSHIP = {"slug": "sw-herts", "short_name": "SW Herts",
               "name": "South West Hertfordshire Joint Strategic Plan"}

#: (code, name, short label used in account names)
AUTHORITIES = [
    ("dacorum", "Dacorum Borough Council", "Dacorum"),
    ("hertsmere", "Hertsmere Borough Council", "Hertsmere"),
    ("stalbans", "St Albans City and District Council", "St Albans"),
    ("threerivers", "Three Rivers District Council", "Three Rivers"),
    ("watford", "Watford Borough Council", "Watford"),
    ("herts", "Hertfordshire County Council", "Hertfordshire"),
]
ADMIN_EMAIL = "admin@swherts.example"
#: The demo Statement still holds template guidance in places: the admin's reason to send it
#: out for agreement with those gaps.
SEND_OUT_REASON = ("The partners asked to record their positions on the strategic matters "
                   "now; the background sections are written while positions are given.")

#: The annexes the demo has written (the MoU, the live activity table): their guidance is the
#: template's, so the completeness check does not call them unwritten.
WRITTEN = {part.title: part.guidance for part in SCG_ANNEX_4.sections
           if part.title in ("Details of MoUs, deals and other agreements",
                             "Duty to Cooperate activity table")}


def _demo_guidance(title, body):
    """A demo section's guidance: the matters' own; the template's for the annexes written;
    else its text, which is the outline the real 2018 Statement started from (unwritten)."""
    if title in STRATEGIC_MATTERS:
        return MATTER_GUIDANCE
    return WRITTEN.get(title, body)


def demo_exists():
    return db.session.scalar(
        select(Partnership.id).where(Partnership.slug == PARTNERSHIP["slug"])) is not None


def demo_emails():
    emails = [ADMIN_EMAIL]
    for code, _name, _label in AUTHORITIES:
        emails += [f"officer@{code}.example", f"member@{code}.example",
                   f"orgadmin@{code}.example"]
    return emails


def demo_emails_taken():
    """Demo addresses already used by accounts (the demo cannot be added then)."""
    return db.session.scalars(select(User.email).where(User.email.in_(demo_emails()))).all()


def database_is_empty():
    return not db.session.scalar(select(func.count(User.id))) and \
        not db.session.scalar(select(func.count(Partnership.id)))


def _user(email, name, organisation, role, password, job_title=""):
    user = User(email=email, name=name, organisation=organisation, role=role,
                job_title=job_title)
    user.set_password(password)
    db.session.add(user)
    return user


def seed_demo(password, published_version=True):
    """Create the demo partnership, its accounts and two documents. Caller commits (with
    `published_version`, the demo also commits once on the way, before publishing).

    With `published_version`, the Statement of Common Ground's version 1 is agreed, signed by
    every authority with trial certificates and published, and version 2 is part-way through
    agreement; without it (quicker, for tests), version 1 is part-way through agreement.
    """
    partnership = Partnership(**PARTNERSHIP, publishes_register=True,
                              accessibility_contact="jsp@swherts.example")
    db.session.add(partnership)
    organisations = {}
    for code, name, label in AUTHORITIES:
        organisation = db.session.scalar(select(Organisation).where(Organisation.code == code))
        if organisation is None:
            organisation = Organisation(code=code, name=name)
            db.session.add(organisation)
        organisations[code] = organisation
        db.session.add(Partner(partnership=partnership, organisation=organisation))
        _user(f"officer@{code}.example", f"{label} Officer", organisation, "officer", password,
              "Planning Policy Officer")
        _user(f"member@{code}.example", f"{label} Member", organisation, "member", password,
              "Portfolio Holder for Planning")
        _user(f"orgadmin@{code}.example", f"{label} Organisation Admin", organisation,
              "admin", password, "Digital Services Manager")
    # The partnership admin is an officer of the County Council with the partnership's grant;
    # the County Council's own users are managed by orgadmin@herts.example.
    admin = _user(ADMIN_EMAIL, "Partnership Admin", organisations["herts"], "officer",
                  password, "JSP Programme Manager")
    db.session.flush()
    grant_on_creation(partnership, admin)
    bodies = seed_matters_and_bodies(partnership, admin)

    scg = create_document(partnership, "Statement of Common Ground", "scg", admin)
    for title, depth, body, question in SCG_SECTIONS:
        section = append_section(
            scg, title, body, depth=depth, feedback_sought=question, user=admin,
            guidance=_demo_guidance(title, body))
        if title in STRATEGIC_MATTERS:
            section.strategic_matter = True
            section.matter = matter_for_title(partnership, title, admin)
    plan = create_document(partnership, "JSP Vision: Engagement Plan", "engagement_plan", admin)
    for title, depth, body, question in ENGAGEMENT_SECTIONS:
        append_section(plan, title, body, depth=depth, feedback_sought=question, user=admin)
    seed_engagement(partnership, plan, admin)
    seed_history(partnership, organisations, admin, bodies)
    db.session.flush()
    _seed_review(scg, plan, organisations, admin, password, published_version)
    seed_recent(partnership, organisations, admin, bodies)
    return partnership


def _seed_review(scg, plan, organisations, admin, password, published_version):
    """A partnership part-way through agreement: positions given, one stale after an edit,
    one "Not agreed" with its reason, open comments, and the approvals the plan seeks."""
    sections = {s.title: s for s in db.session.scalars(
        select(Section).where(Section.document_id == scg.id))}
    members = {u.organisation.code: u for u in db.session.scalars(
        select(User).where(User.role == "member", User.email.like("member@%")))}
    officers = {u.organisation.code: u for u in db.session.scalars(
        select(User).where(User.role == "officer", User.email.like("officer@%")))}
    for code, organisation in organisations.items():
        signatory = Signatory(document_id=scg.id, organisation_id=organisation.id,
                              all_matters=code != "herts")
        if code == "herts":   # the county council signs for infrastructure only
            signatory.matters.append(SignatoryMatter(
                section_id=sections["Strategic infrastructure priorities"].id))
        db.session.add(signatory)
    db.session.flush()
    lifecycle.send_out(scg, admin, reason=SEND_OUT_REASON)

    housing = sections["Housing need and distribution"]
    green_belt = sections["The future role of the Green Belt"]
    infrastructure = sections["Strategic infrastructure priorities"]
    if published_version:
        _publish_version_1(scg, sections, organisations, members, admin, password)
    for code in ("dacorum", "stalbans", "threerivers"):
        record_position(housing, members[code], "agreed", route="cabinet",
                        route_body="Cabinet", meeting_date=date(2026, 10, 13),
                        minute_ref="CA/112/26")
    record_position(housing, members["hertsmere"], "reservations",
                    "We agree the approach, but the distribution of any unmet need must "
                    "follow the joint Green Belt review, not come before it.",
                    route="committee", route_body="Planning and Local Plan Committee",
                    meeting_date=date(2026, 10, 20), minute_ref="PLP 26/41")
    record_position(green_belt, members["dacorum"], "agreed", route="portfolio_holder")
    record_position(green_belt, members["hertsmere"], "not_agreed",
                    "Hertsmere cannot agree to a shared Green Belt review until the housing "
                    "numbers for each authority are settled; the review must not be used to "
                    "set them.", route="partnership_board", route_body="SPMG",
                    meeting_date=date(2026, 11, 3), minute_ref="SPMG 11/26 item 4")
    record_position(infrastructure, members["herts"], "agreed", route="cabinet",
                    route_body="Cabinet", meeting_date=date(2026, 10, 19),
                    minute_ref="Cabinet 19.10.26 min 7")
    record_position(infrastructure, members["dacorum"], "agreed", route="delegation")
    # An officer then adds a priority: Dacorum's position is now on an earlier version.
    save_section(infrastructure, infrastructure.body +
                 "| Water supply and waste water | Affinity Water, Thames Water | "
                 "Utility companies' business plans |\n", infrastructure.version,
                 officers["watford"], summary="Added water infrastructure", confirm_stale=True)

    def comment(section, user, body, parent=None):
        row = Comment(document_id=scg.id, section_id=section.id, author_id=user.id,
                      organisation_id=user.organisation_id, body=body,
                      revision_number=section.version, parent_id=getattr(parent, "id", None))
        db.session.add(row)
        db.session.flush()
        return row

    thread = comment(housing, officers["hertsmere"],
                     "Can we add the standard method figures for each authority as a table, "
                     "so Members can see the numbers behind the distribution?")
    comment(housing, officers["watford"], "Yes: I will draft the table from the latest "
            "household projections before the SPMG meeting.", thread)
    comment(sections["Part 1: Strategic context"], officers["stalbans"],
            "The geographical extent should mention the relationship with London and Luton.")
    comment(green_belt, members["threerivers"], "Three Rivers would like the review "
            "methodology agreed at SPOG before Members are asked for a position.")
    seed_suggestions(sections, officers, admin)

    db.session.add_all([
        DecisionSought(document_id=plan.id, body="JSP Steering Group",
                       description="Approval to commence the JSP Vision process as per the "
                                   "approach presented.",
                       due_date=date(2021, 6, 14), taken_at=date(2021, 6, 14),
                       outcome="Approved", minute_ref="SG 14/06/21"),
        DecisionSought(document_id=plan.id, body="JSP SPMG and SG",
                       description="Approval of the engagement plan.",
                       due_date=date(2021, 7, 31), taken_at=date(2021, 7, 21),
                       outcome="Approved", minute_ref="SPMG 21/07/21 item 3"),
        DecisionSought(document_id=scg.id, body="Strategic Planning Members Group (SPMG)",
                       description="Agree the Statement of Common Ground for signature.",
                       due_date=today() + timedelta(days=21)),
    ])



def _publish_version_1(scg, sections, organisations, members, admin, password):
    """Version 1: agreed except Green Belt (Hertsmere), signed by all six, published.

    Then version 2 starts, out for agreement, with employment as a new strategic matter.
    """
    employment = sections["Strategic employment opportunities"]
    employment.strategic_matter = False        # becomes a strategic matter in version 2
    db.session.flush()
    decided = {"route": "partnership_board", "route_body": "SPMG",
               "meeting_date": date(2026, 6, 16), "minute_ref": "SPMG 06/26 item 5"}
    for title in ("Housing need and distribution", "The future role of the Green Belt"):
        for code in ("dacorum", "stalbans", "threerivers", "watford"):
            record_position(sections[title], members[code], "agreed", **decided)
    record_position(sections["Housing need and distribution"], members["hertsmere"],
                    "reservations", "Unmet need must be distributed only after the joint "
                    "Green Belt review.", **decided)
    record_position(sections["The future role of the Green Belt"], members["hertsmere"],
                    "not_agreed", "A shared Green Belt review must not be used to set each "
                    "authority's housing numbers.", **decided)
    for code in organisations:
        record_position(sections["Strategic infrastructure priorities"], members[code],
                        "agreed", **decided)
        make_self_signed(organisations[code], user=admin)
    lifecycle.agree(scg, admin, with_exceptions=True)
    for code in organisations:
        member = members[code]
        lifecycle.sign(scg, member, password, member.name, member.job_title)
    # The last signature moved the document to Signed by itself.
    # Nothing half-signed is published: the signed PDFs are made by background jobs, which
    # read what is committed, so the demo commits here and runs them before publishing.
    db.session.commit()
    run_pending(ignore_schedule=True)
    lifecycle.publish(scg, admin)
    lifecycle.start_next_version(scg, admin)
    lifecycle.send_out(scg, admin, reason=SEND_OUT_REASON)
    employment.strategic_matter = True
    db.session.flush()
