"""The South West Hertfordshire demo partnership, built from the public seed documents.

Text comes from `shared/seeds/`: the Annex 4 Statement of Common Ground template of
"Planning Strategically in South West Hertfordshire – Next steps" (001) and the "JSP Vision:
Engagement Plan" (000). It is kept here, in the package, so a deployment needs no other file.
People are role names ("Watford Officer"), never the real names in the seeds.
"""
from sqlalchemy import func, select

from .documents.service import append_section, create_document
from .extensions import db
from .partnerships.models import Organisation, Partner, Partnership, User
from .partnerships.service import grant_on_creation

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

#: SCG sections that are strategic matters: the partners record positions on these.
STRATEGIC_MATTERS = {"Housing need and distribution", "The future role of the Green Belt",
                     "Strategic infrastructure priorities",
                     "Strategic employment opportunities"}
MATTER_GUIDANCE = ("Say what the partners agree on this matter, where they do not, and what "
                   "is still to be resolved. Positions are recorded against this text.")

#: (title, depth, starting text, feedback sought) -- Annex 4 of seed 001.
SCG_SECTIONS = [
    ("Part 1: Strategic context", 0, """\
- geographical extent and wider relationships;
- overall ambitions and strategic priorities i.e. those that affect the sum of all parts;
- key metrics e.g. housing need, past delivery, expected GVA growth;
- main delivery mechanisms i.e. single joint plan/ single LPs.
""", "Do we agree the strategic context, the area covered and the key metrics?"),
    ("Part 2: Policy scope and evidence base", 0, """\
- key strategic matters to be addressed e.g. overall housing *target* and *anticipated* \
distribution as this may change as plans/plan develops; strategic infrastructure priorities; \
strategic employment opportunities; other e.g. GI strategy, G&T
- Main evidence-base to be used
""", "Do we agree the strategic matters to be addressed and the evidence base?"),
    ("Housing need and distribution", 1, """\
The partner authorities will plan together for the housing need of the South West \
Hertfordshire Housing Market Area as a whole. The overall housing *target* and its \
*anticipated* distribution between the authorities will be set by the Joint Strategic Plan, \
and may change as the plan develops.

- Each authority's local plan will meet its own need as far as it can.
- Any need that cannot be met where it arises will be considered across the whole area \
through the Joint Strategic Plan, before other areas are asked to help.
""", "Do we agree how housing need and its distribution will be addressed?"),
    ("The future role of the Green Belt", 1, """\
The Metropolitan Green Belt covers most of South West Hertfordshire. The partners will take a \
*strategy-led* rather than a purely *numbers-led* approach, assessing the role of the Green \
Belt on a consistent basis across the area before any authority proposes changes to it.
""", "Do we agree a shared approach to reviewing the Green Belt?"),
    ("Strategic infrastructure priorities", 1, """\
The partners will agree the strategic infrastructure needed to support growth (transport, \
schools, health, utilities and green infrastructure), how it will be funded, and when. \
Hertfordshire County Council leads on transport and education infrastructure.

| Priority | Lead | Funding route |
|---|---|---|
| Strategic transport corridors | Hertfordshire County Council | Housing Infrastructure Fund bid |
| School places | Hertfordshire County Council | Developer contributions |
| Green infrastructure strategy | All partners | To be agreed |
""", "Do we agree the strategic infrastructure priorities and who leads on each?"),
    ("Strategic employment opportunities", 1, """\
The partners will identify strategic employment sites and sectors together, in the context of \
the area's relationship with London and the Oxford–Cambridge growth corridor.
""", "Do we agree the strategic employment opportunities?"),
    ("Part 3: Decision-making and project management", 0, """\
- What are the governance and working arrangements (resources)?
- Who are the key partners and are they signed up to the overall objective?
- How will strategic stakeholders/ Stat cons be involved?
- What are key timescales/ milestones and at what point are key decisions likely to be made?
""", "Do we agree the governance, working arrangements and milestones?"),
    ("Part 4: Risk assessment and management", 0, """\
- Need to link to HDT/ HIF.
- Highlight key risks to delivering shared objectives and how these will be managed e.g. \
infrastructure not delivered, housing not delivered at anticipated rate, changing political \
priorities - locally or nationally, changing resources.
- Others with a key role in delivery - mechanisms to ensure delivery (e.g. MoUs, deals with \
government).
- Risks in terms of resources and any skills gaps, and how these will be managed.
""", "Have we identified the key risks, and are the ways of managing them right?"),
    ("Part 5: Monitoring and review", 0, """\
- Key indicators and milestones
- Monitoring of DtC (as currently done through AMR)
- Triggers for review of SCG (as highlighted through risk assessment)
""", "Do we agree how the statement will be monitored, and what triggers its review?"),
    ("Annexes", 0, "Supporting agreements and the record of Duty to Cooperate activity.\n", ""),
    ("Details of MoUs, deals and other agreements", 1, """\
- Details of MoUs, deals, other agreements
""", "Are any agreements missing from this list?"),
    ("Duty to Cooperate activity table", 1, """\
| Date | Meeting or activity | Authorities involved | Strategic matters | Outcome |
|---|---|---|---|---|
| 28 November 2017 | Officer workshop | All six partner authorities | Joint working | \
Initial officer discussion |
| 23 January 2018 | Lead councillor and officer workshop | All six partner authorities | \
Joint strategic plan, Statement of Common Ground | Agreed to work on a more formal basis |
""", "Is the record of Duty to Cooperate activity complete?"),
]

AUDIENCE_TABLE = """\
| Audience | Groups | Participants | Convened by |
|---|---|---|---|
| Stakeholders and key businesses | 1 | 60 | JSP representative to convene |
| Youth focus group (18–25 years) | 1 | 20 | JSP representative to convene |
| Residents focus groups | 1 | 40 | JSP representative to convene |
| JSP Strategic Planning Members Group (SPMG) and Steering Group (SG) | 1 | – | \
Already convened |
| JSP Strategic Planning Officers Group (SPOG) | 1 | – | Already convened |
| Council Members | Per authority | – | Already convened; JSP representative to engage |

**Stakeholders and key businesses.** This group will be a crucial point for joint exploration \
and challenge. It will provide opportunity for a range of stakeholders and businesses from a \
variety of organisations and backgrounds to meet. Target equal representation from each \
authority area.

**Youth focus group.** South West Herts has a strong network of youth councils convened by \
HCC YCH Services for Young People. Tailored and targeted youth engagement will enable the SW \
Herts authorities to gather insight from those who will likely have the longest lived \
experience of the 2050 vision.

**Residents focus groups.** The 'South West Herts - Your Future' engagement programme has \
already identified many residents who have expressed an interest in following and supporting \
the development of the JSP. Outreach should remain targeted so as not to result in \
consultation fatigue under the statutory Reg 18 and 19 consultation periods for the plan.

**SPMG and SG.** A Member led cross-authority group that will provide overall direction for \
the JSP while scrutinising the work of the SPOG.

**SPOG.** Supports the full-time staff and consultants to deliver the JSP; defines and enables \
the delivery of all cross boundary activity.

**Council Members.** Additional outreach to engage Members not sitting on the SPMG: the wider \
group of members across each authority will become important champions and advocates for the \
vision.
"""

#: (title, depth, text, feedback sought) -- seed 000, questions verbatim.
ENGAGEMENT_SECTIONS = [
    ("JSP Vision Objectives", 0, """\
An overview of the objectives we are seeking to achieve under the JSP Vision process.

- **Create** a clear, shared, concise Vision that is a statement of the JSP's realistic and \
deliverable aspirations for our place, people and economy, which improves the lives of all our \
residents, communities and businesses.
- **Unite** stakeholders through a shared sense of direction.
- **Guide** the future strategy and policy developments of the JSP, and enable more effective \
delivery of integrated interventions that better serve the current and future needs of \
residents, communities and businesses.
- **Align** efforts and reduce duplication of the authorities and partners in order to \
anticipate change, and better plan for it.
- **Articulate** the intended character of South West Herts, based on current trends and \
trajectory of key data such as that related to population and economy.
- **Challenge** how South West Herts responds to growth and change in the future in a \
sustainable way.
- **Champion**: build momentum through champions and advocates across authorities and \
stakeholders.
""", "Do we agree with these objectives? Are there any others that should be added?"),
    ("JSP Vision Target Audience", 0,
     "An overview of the different headline stakeholder groups we expect to engage through "
     "the JSP process.\n\n" + AUDIENCE_TABLE,
     "Do we agree with the target groups identified? Are there any headline groups missing "
     "that should be engaged with the vision?"),
    ("JSP Vision Approach", 0, """\
An overview of our approach, process and key milestones that will be followed in preparing the \
vision.

- Engagement activities with stakeholders, businesses, youth and residents are led by the \
appointed vision consultant.
- Engagement with the SPMG and SG, the SPOG and council Members is led by a JSP \
representative.
""", "Do we agree the approach is appropriate for the stakeholders identified? Will this "
        "approach allow us to achieve the objectives and milestones set out?"),
    ("JSP Vision Engagement Periods", 0, """\
A summary of each engagement with further detail on who and how we will engage.
""", "Do we consider the broad structure and approach to each engagement period is "
        "appropriate?"),
    ("Approvals Requested", 0, """\
**Approval:** to commence the JSP Vision process as per the approach presented.

**Key dates**

- Approval will be sought from the JSP Steering Group on 14th June 2021.
- Approval will be sought from the JSP SPMG and SG in July 2021.
""", "Do we approve the commencement of the JSP Vision process as presented?"),
]


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
    """Create the demo partnership, its accounts and two documents. Caller commits.

    With `published_version`, the Statement of Common Ground's version 1 is agreed, signed by
    every authority with trial certificates and published, and version 2 is part-way through
    agreement; without it (quicker, for tests), version 1 is part-way through agreement.
    """
    partnership = Partnership(**PARTNERSHIP)
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

    scg = create_document(partnership, "Statement of Common Ground", "scg", admin)
    for title, depth, body, question in SCG_SECTIONS:
        section = append_section(
            scg, title, body, depth=depth, feedback_sought=question, user=admin,
            guidance=MATTER_GUIDANCE if title in STRATEGIC_MATTERS else body)
        section.strategic_matter = title in STRATEGIC_MATTERS
    plan = create_document(partnership, "JSP Vision: Engagement Plan", "engagement_plan", admin)
    for title, depth, body, question in ENGAGEMENT_SECTIONS:
        append_section(plan, title, body, depth=depth, feedback_sought=question, user=admin)
    from .engagement.demo import seed_engagement
    seed_engagement(partnership, plan, admin)
    db.session.flush()
    _seed_review(scg, plan, organisations, admin, password, published_version)
    return partnership


def _seed_review(scg, plan, organisations, admin, password, published_version):
    """A partnership part-way through agreement: positions given, one stale after an edit,
    one "Not agreed" with its reason, open comments, and the approvals the plan seeks."""
    from datetime import date, timedelta

    from .documents.editing import save_section
    from .documents.models import Section
    from .review.models import Comment, DecisionSought, Signatory, SignatoryMatter
    from .review.positions import record_position

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
    scg.status = "out_for_agreement"
    db.session.flush()

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
                 officers["watford"], summary="Added water infrastructure")

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
                       due_date=date.today() + timedelta(days=21)),
    ])



def _publish_version_1(scg, sections, organisations, members, admin, password):
    """Version 1: agreed except Green Belt (Hertsmere), signed by all six, published.

    Then version 2 starts, out for agreement, with employment as a new strategic matter.
    """
    from datetime import date

    from .export.keys import make_self_signed
    from .review import lifecycle
    from .review.positions import record_position

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
    lifecycle.mark_signed(scg, admin)
    lifecycle.publish(scg, admin)
    lifecycle.start_next_version(scg, admin)
    lifecycle.send_out(scg, admin)
    employment.strategic_matter = True
    db.session.flush()
