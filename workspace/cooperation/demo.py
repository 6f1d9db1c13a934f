"""The demo partnership's record of cooperation, from Annex 1 of seed 001 ("Planning
Strategically in South West Hertfordshire – Next steps"): the officer workshop of 28 November
2017, the lead councillor and officer workshop of 23 January 2018 with each authority's
initial position as stated and its ten next steps, the officer and Member groups the
recommendations set up (SPOG, SPMG: MoU signed), and the recent Member group meetings the
Statement of Common Ground's positions cite.

Attendees are named by role only, never by person. Where the seed's note names no lead for
a next step, the action says who took it on.
"""
from datetime import date, datetime, time, timedelta

from ..clock import today
from ..partnerships.matters import add_body, add_matter, matter_for_title
from .actions import add_action, close_action
from .meetings import record_meeting

JOINT_WORKING = "Joint working and a Joint Strategic Plan"

#: Role names of the 23 January 2018 workshop's attendees, by authority (Annex 1).
WORKSHOP_ROLES = {
    "dacorum": ["Leader", "Portfolio Holder – Planning & Regeneration", "Chief Executive",
                "Corporate Director – Housing & Regeneration",
                "Assistant Director – Planning, Development & Regeneration",
                "Group Manager – Strategic Planning & Regeneration",
                "Team Leader – Strategic Growth and Infrastructure",
                "Team Leader – Strategic Planning"],
    "hertsmere": ["Portfolio Holder – Planning and Localism",
                  "Head of Planning & Economic Development", "Policy & Transport Manager"],
    "stalbans": ["Leader", "Planning Portfolio Holder", "Chief Executive",
                 "Head of Planning & Building Control", "Spatial Planning Manager"],
    "threerivers": ["Leader", "Chief Executive",
                    "Director of Community & Environmental Services",
                    "Head of Planning Policy & Projects", "Senior Planning Officer"],
    "watford": ["Mayor & Portfolio Holder – Strategic Partnerships",
                "Portfolio Holder – Regeneration & Development", "Deputy Managing Director",
                "Head of Planning Policy"],
    "herts": ["Chair of Environment, Planning & Transport Cabinet Panel",
              "Head of Spatial Planning & Economy"],
}

#: Each authority's initial position at the workshop, as the note records it.
WORKSHOP_POSITIONS = {
    "watford": ("reservations", ("WBC accepted the logic of preparing a JSP, but there needed "
                "to be clearer articulation of the advantages of this.")),
    "hertsmere": ("reservations", ("HBC were in favour of a JSP as could see benefits in terms "
                  "of helping secure additional infrastructure funding etc. Some concerns "
                  "regarding Green Belt issues and how the issues of housing numbers would be "
                  "resolved were raised.")),
    "dacorum": ("reservations", ("DBC agreed that it was essential to have some form of joint "
                "planning process to help address concerns regarding infrastructure provision "
                "etc. However, there were some concerns regarding how the housing numbers "
                "issue became easier with the involvement of 5 authorities without becoming a "
                "game of 'pass the parcel.'")),
    "herts": ("no_position", ("HCC considered the decision to be in the hands of the 5 local "
              "authorities, but noted there was an emerging recognition that as a service "
              "provider they needed to work with smaller groupings of local authorities to "
              "address the challenges posed with regard to growth and infrastructure "
              "provision.")),
    "threerivers": ("agreed", ("TRDC noted that no single authority could deal with the "
                    "challenges the area faces alone. Due to the nature of the area, "
                    "development in one location directly impacted a wider area – "
                    "irrespective of administrative boundaries. A JSP also gave the "
                    "opportunity to better address issues such as infrastructure delivery and "
                    "the mix of housing across the area. There were some concerns regarding "
                    "the loss of individual political control, but these were outweighed by "
                    "the benefits a JSP would bring.")),
    "stalbans": ("agreed", ("SADC agreed with TRDC in terms of the challenges faced within the "
                 "SW Herts area. The position for SADC was however complicated by the fact "
                 "that they had to respond to the Government intervention letter. However, "
                 "they supported the principle of a JSP.")),
}

WORKSHOP_NOTES = """\
**Discussion (1): what does 'joint planning' mean for SW Herts?** Whether to continue with a
'business as usual' approach, using the new Statement of Common Ground to set the context for
five individual Local Plans, or to use it to progress a Joint Strategic Plan (JSP) with the
Local Plans sitting below.

After further discussion all agreed there were benefits of working together on a JSP:

- planning strategically for the area, but maintaining local decision-making;
- addressing common issues such as the future role of the Green Belt, infrastructure
  delivery, development viability, affordable housing and housing mix;
- improved chances of securing infrastructure funding;
- a 'strategy-led' rather than a purely 'numbers-led' plan.

**Discussion (2): what is needed to initiate work on a joint strategic plan?** Government
would expect to see prompt evidence of a commitment to a JSP. Next steps were agreed (see the
actions). Officer meeting confirmed for 21 February 2018.
"""

#: The ten next steps: (what, lead authority, due date or None, (status, outcome)).
NEXT_STEPS = [
    ("Set up a meeting with Government as soon as possible, at the appropriate level.",
     "watford", date(2018, 2, 28), ("done", "Meeting held with MHCLG officials, March 2018."),
     ),
    (("Discuss with the EELGA what they may be able to offer in terms of supporting the JSP "
     "process going forwards."), "dacorum", date(2018, 3, 31),
     ("done", "EELGA offered facilitation support for the Member group."),),
    (("Draft a MoU to establish a clear commitment to moving forwards and how this would be "
     "resourced in terms of both finances and staff."), "stalbans", date(2018, 3, 31),
     ("done", "MoU drafted, agreed at SPMG and signed by all six authorities."),),
    (("Report the MoU to the relevant committees for their endorsement of the process; "
     "agreement to be confirmed by all parties by the end of February/March 2018. (No lead "
     "named in the note: St Albans, drafting the MoU, took it on.)"), "stalbans",
     date(2018, 3, 31), ("done", "Endorsed by every authority's cabinet or committee."),),
    (("If one authority proves unable to commit to the MoU at this time, the other authorities "
     "will proceed with the JSP process. (No lead named in the note: the County Council, "
     "convening, took it on.)"), "herts", None,
     ("dropped", "Not needed: all six authorities committed to the MoU."),),
    (("Set up a meeting with local MPs to ensure they are fully briefed and ideally on board "
     "with the SW Herts process. (No lead named in the note: Watford, leading on Government, "
     "took it on.)"), "watford", date(2018, 6, 30),
     ("done", "MPs briefed together, June 2018."),),
    (("Carry out an initial audit of skills and resources to see where there are gaps that "
     "need to be filled on a SW Herts basis. (No lead named in the note: the County Council "
     "took it on.)"), "herts", date(2018, 4, 30),
     ("done", "Audit reported to SPOG; a project manager post was created."),),
    (("Provide examples of MoUs and JSP timetables for consideration (the facilitator, "
     "through the County Council)."), "herts", date(2018, 2, 21),
     ("done", "Examples circulated before the officer meeting."),),
    (("Agree a Communications Strategy, with a draft press release for circulation as soon as "
     "possible, so all authorities take a consistent approach to announcing decisions on the "
     "JSP."), "dacorum", date(2018, 3, 31),
     ("done", "Joint press release issued on the MoU's signing."),),
    (("Establish formal Member and Officer groups to take discussions forward, with Member "
     "representation at leader or Portfolio Holder level. (No lead named in the note: the "
     "County Council took it on.)"), "herts", date(2018, 2, 21),
     ("done", "SPOG formed on 21 February 2018; SPMG followed with the MoU."),),
]

HEADS_OF_PLANNING = {"dacorum": "Group Manager – Strategic Planning & Regeneration",
                     "hertsmere": "Head of Planning & Economic Development",
                     "stalbans": "Spatial Planning Manager",
                     "threerivers": "Head of Planning Policy & Projects",
                     "watford": "Head of Planning Policy",
                     "herts": "Head of Spatial Planning & Economy"}
PORTFOLIO_HOLDERS = dict.fromkeys(HEADS_OF_PLANNING, "Portfolio Holder for Planning")


def seed_matters_and_bodies(partnership, admin):
    """The matter of joint working (SM1, before the Statement's own), and the partnership's
    bodies. Returns the bodies by short name."""
    add_matter(partnership, JOINT_WORKING, admin,
               description="Whether and how the authorities plan together: a Joint Strategic "
                           "Plan, its governance (SPMG, SPOG), the MoU and its resourcing.")
    return {b.short_name: b for b in (
        add_body(partnership, "Strategic Planning Officers Group", admin, "SPOG",
                 "officer_group"),
        add_body(partnership, "Strategic Planning Members Group", admin, "SPMG",
                 "member_group"),
        add_body(partnership, "Hertfordshire Infrastructure and Planning Partnership", admin,
                 "HIPP", "other"))}


def _attending(organisations, roles):
    return [(organisations[code].id, role, "") for code, names in roles.items()
            for role in (names if isinstance(names, list) else [names])]


def seed_history(partnership, organisations, admin, bodies):
    """2017-2018: the workshops, their positions and next steps, SPOG and SPMG formed; and
    the Member group meeting of 16 June 2026 that agreed version 1 of the Statement."""
    joint = matter_for_title(partnership, JOINT_WORKING, admin)
    record_meeting(
        partnership, admin, held_on=date(2017, 11, 28), kind="workshop",
        title="Initial officer workshop on joint strategic planning",
        attendees=_attending(organisations, HEADS_OF_PLANNING), matter_ids=[joint.id],
        outcome="Officers agreed to put options for joint planning to a workshop of lead "
                "councillors and officers.")
    workshop = record_meeting(
        partnership, admin, held_on=date(2018, 1, 23), kind="workshop",
        title="Lead councillor and officer workshop: joint planning for SW Herts",
        attendees=_attending(organisations, WORKSHOP_ROLES), matter_ids=[joint.id],
        notes=WORKSHOP_NOTES,
        positions=[(organisations[code].id, joint.id, text, stance)
                   for code, (stance, text) in WORKSHOP_POSITIONS.items()],
        outcome="All six authorities agreed the principle of progressing a JSP; an initial "
                "Statement of Common Ground to be in place by June 2018. Ten next steps "
                "agreed.")
    for number, (what, lead, due, closing) in enumerate(NEXT_STEPS, start=1):
        action = add_action(partnership, admin, what=what,
                            lead_organisation_id=organisations[lead].id, due_on=due,
                            meeting=workshop, number=number, matter_ids=[joint.id])
        status, outcome = closing
        close_action(action, admin, expected_version=action.version, status=status,
                     outcome=outcome)
        # Recorded now, closed then: the day it was due (or the MoU's signing).
        action.closed_at = datetime.combine(due or date(2018, 3, 27), time(12))
    record_meeting(
        partnership, admin, held_on=date(2018, 2, 21), kind="officer_group",
        body_id=bodies["SPOG"].id, title="Strategic Planning Officers Group: first meeting",
        attendees=_attending(organisations, HEADS_OF_PLANNING), matter_ids=[joint.id],
        outcome="SPOG formed; terms of reference agreed; the MoU's draft discussed.")
    record_meeting(
        partnership, admin, held_on=date(2018, 3, 27), kind="member_group",
        body_id=bodies["SPMG"].id, title="Strategic Planning Members Group: the MoU",
        attendees=_attending(organisations, PORTFOLIO_HOLDERS), matter_ids=[joint.id],
        positions=[(organisations[code].id, joint.id, "Signed the MoU.", "agreed")
                   for code in organisations],
        outcome="MoU signed by all six authorities; SPMG formed to lead the JSP.")
    housing, green_belt, infrastructure = (
        matter_for_title(partnership, title, admin) for title in (
            "Housing need and distribution", "The future role of the Green Belt",
            "Strategic infrastructure priorities"))
    record_meeting(
        partnership, admin, held_on=date(2026, 6, 16), kind="member_group",
        body_id=bodies["SPMG"].id, title="SPMG: Statement of Common Ground, version 1",
        attendees=_attending(organisations, PORTFOLIO_HOLDERS),
        matter_ids=[housing.id, green_belt.id, infrastructure.id],
        positions=[(organisations["hertsmere"].id, green_belt.id,
                    ("A shared Green Belt review must not be used to set each authority's "
                    "housing numbers."), "not_agreed"),
                   (organisations["hertsmere"].id, housing.id,
                    "Unmet need must be distributed only after the joint Green Belt review.",
                    "reservations")],
        outcome="Version 1 agreed for signature, with Hertsmere's exceptions recorded (SPMG "
                "06/26 item 5).")


def seed_recent(partnership, organisations, admin, bodies):
    """After version 1 was published: the Member group meeting of 3 November 2026 the
    Statement's Green Belt position cites, and its actions, still open (one overdue, one due
    within the week)."""
    housing, green_belt = (matter_for_title(partnership, title, admin) for title in (
        "Housing need and distribution", "The future role of the Green Belt"))
    meeting = record_meeting(
        partnership, admin, held_on=date(2026, 11, 3), kind="member_group",
        body_id=bodies["SPMG"].id, title="SPMG: the Green Belt review",
        attendees=_attending(organisations, PORTFOLIO_HOLDERS),
        matter_ids=[green_belt.id, housing.id],
        positions=[(organisations["hertsmere"].id, green_belt.id,
                    ("Hertsmere cannot agree to a shared Green Belt review until the housing "
                    "numbers for each authority are settled."), "not_agreed"),
                   (organisations["threerivers"].id, green_belt.id,
                    ("The review methodology should be agreed at SPOG before Members are "
                    "asked for a position."), "reservations")],
        outcome="The review's methodology goes to SPOG; Hertsmere and St Albans to propose "
                "wording on the review's scope.")
    add_action(partnership, admin,
               what="Propose wording on the scope of the joint Green Belt review for the "
                    "Statement.", lead_organisation_id=organisations["hertsmere"].id,
               supporter_ids=[organisations["stalbans"].id], meeting=meeting, number=1,
               due_on=today() - timedelta(days=5), matter_ids=[green_belt.id])
    add_action(partnership, admin,
               what="Circulate the standard method figures for each authority as a table.",
               lead_organisation_id=organisations["watford"].id, meeting=meeting, number=2,
               due_on=today() + timedelta(days=4), matter_ids=[housing.id])
