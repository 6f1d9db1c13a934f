"""Demo engagement data: the JSP Vision objectives and the plan's audiences as activities
(seed 000), and a stakeholder register drawn from the Herts Sports Partnership tracker
(seed 002), with role names only."""
from datetime import date

from ..documents.service import append_section
from ..extensions import db
from .models import EngagementActivity, Objective, Stakeholder

#: The JSP Vision objectives (seed 000, "JSP Vision Objectives"), in the plan's order.
OBJECTIVES = [
    ("Create", ("Create a clear, shared, concise Vision that is a statement of the JSP's "
                "realistic and deliverable aspirations for our place, people and economy, "
                "which improves the lives of all our residents, communities and businesses.")),
    ("Unite", "Unite stakeholders through a shared sense of direction."),
    ("Guide", ("Guide the future strategy and policy developments of the JSP, and enable more "
               "effective delivery of integrated interventions that better serve the current "
               "and future needs of residents, communities and businesses.")),
    ("Align", ("Align efforts and reduce duplication of the authorities and partners in order "
               "to anticipate change, and better plan for it.")),
    ("Articulate", ("Articulate the intended character of South West Herts, based on current "
                    "trends and trajectory of key data such as that related to population and "
                    "economy.")),
    ("Challenge", ("Challenge how South West Herts responds to growth and change in the "
                   "future in a sustainable way.")),
    ("Champion", ("Build momentum through champions and advocates across authorities and "
                  "stakeholders.")),
]

HCC = "Hertfordshire County Council"
#: (name, category, contact, lead partner, lead person, now, target, influence, quality,
#:  priority, actions, objectives)
STAKEHOLDERS = [
    ("HCC Environment and Planning Services", "local_authority", "Head of Spatial Planning",
     HCC, "Director", "cooperate", "collaborate", 5, 4, "high",
     "Consult on new facility developments and planning for active environments.",
     "Guide, Align"),
    ("HCC Children's Services", "local_authority", "Strategic Lead", HCC, "Strategic Lead",
     "cooperate", "collaborate", 4, 3, "medium",
     "Identify where support can be provided for mutually beneficial outcomes.", "Guide"),
    ("HCC Services for Young People (youth councils)", "youth", "Youth Participation Lead",
     HCC, "Strategic Lead", "cooperate", "collaborate", 4, 4, "high",
     "Convene the youth focus group (18-25) with equal representation from each area.",
     "Unite, Articulate"),
    ("Hertfordshire Fire and Rescue", "statutory", "Strategic Lead", HCC, "Strategic Lead",
     "cooperate", "collaborate", 3, 3, "low",
     "Explore future collaboration, using resources efficiently and effectively.", "Align"),
    ("Public Health Hertfordshire", "health", "Director of Public Health", HCC,
     "Director", "cooperate", "collaborate", 5, 5, "high",
     ("Keep a lead role in the Physical Inactivity Strategy Group; link health outcomes "
      "to the vision."), "Create, Challenge"),
    ("NHS Herts Valleys CCG", "health", "Strategic Lead", "Watford Borough Council",
     "Strategic Lead", "coexist", "cooperate", 5, 3, "high",
     "Maintain the relationship through joint delivery projects.", "Guide, Align"),
    ("Lifestyle and Legacy Partnership", "health", "Partnership Chair", HCC, "Director",
     "coexist", "collaborate", 4, 4, "medium",
     "Continue as a lead member, linking partners for collaborative working.", "Unite"),
    ("Herts Community Solutions (CVS umbrella)", "voluntary", "Chief Executive",
     "Dacorum Borough Council", "Strategic Lead", "cooperate", "collaborate", 5, 3,
     "high", "Retain membership to link the partnership with infrastructure organisations.",
     "Unite, Champion"),
    ("Volunteer Centres", "voluntary", "Centre Managers", "Hertsmere Borough Council",
     "Community Development Officer", "cooperate", "collaborate", 3, 3, "medium",
     "Attend Volunteering Herts meetings; collaborate on funded projects.", "Champion"),
    ("Charities and community groups", "voluntary", "Herts Charities CEO Group",
     "St Albans City and District Council", "Community Development Officer", "coexist",
     "collaborate", 3, 2, "medium",
     "Use local insight to find opportunities for collaboration.", "Unite"),
    ("Community Sport Networks", "voluntary", "Network Liaison Officers",
     "Three Rivers District Council", "Leisure Officer", "coexist", "collaborate", 4, 3,
     "medium", "Support the networks to link the plan with local delivery.", "Champion"),
    ("Parish and Town Councils", "local_authority", "Clerks", "Dacorum Borough Council",
     "Planning Policy Officer", "coexist", "cooperate", 3, 3, "medium",
     "Annual networking meeting; keep informed ahead of Regulation 18 consultation.",
     "Unite, Articulate"),
    ("Hertfordshire LEP", "business", "Chief Executive", "Watford Borough Council",
     "Head of Regeneration", "coexist", "collaborate", 5, 3, "high",
     "Invite to the stakeholders and key businesses group; align economic evidence.",
     "Articulate, Align"),
    ("Key employers and business groups", "business", "Chamber of Commerce", HCC,
     "JSP Programme Manager", "compete", "cooperate", 4, 2, "high",
     "Target equal representation from each area in the stakeholders and businesses group.",
     "Challenge, Champion"),
    ("University of Hertfordshire", "other", "Research and Enterprise", HCC,
     "JSP Programme Manager", "cooperate", "collaborate", 3, 5, "medium",
     "Share evidence and research opportunities.", "Articulate"),
    ("Leisure and community facility operators", "business", "Operations Managers",
     "Three Rivers District Council", "Leisure Officer", "cooperate", "cooperate", 3, 3,
     "low", "Work with operators on delivery opportunities.", "Guide"),
    ("Housing associations", "other", "Development Directors", "Watford Borough Council",
     "Head of Housing", "coexist", "cooperate", 3, 2, "medium",
     "Engage on housing need and delivery through the stakeholders group.", "Challenge"),
    ("Police and Crime Commissioner", "statutory", "Office of the PCC", HCC,
     "Strategic Lead", "coexist", "cooperate", 3, 2, "low",
     "Keep informed; invite to the stakeholders and key businesses group.", "Align"),
    ("Residents (South West Herts - Your Future)", "residents", "Registered participants",
     "St Albans City and District Council", "Engagement Officer", "coexist", "cooperate",
     2, 3, "high", "Targeted residents focus groups; avoid consultation fatigue.",
     "Unite, Articulate"),
    ("Council Members not on the SPMG", "members", "Group Leaders",
     "Hertsmere Borough Council", "JSP representative", "cooperate", "collaborate", 5, 4,
     "high", "Briefings per authority so Members become champions of the vision.",
     "Champion"),
]

JSP_REP = "JSP representative"
CONSULTANT = "Appointed vision consultant"
#: (audience, groups, participants, convened by, led by, period, start, end, level, status)
ACTIVITIES = [
    ("Stakeholders and key businesses", 1, 60, JSP_REP, CONSULTANT,
     "Engagement period 1", date(2021, 9, 6), date(2021, 10, 15), "involve", "done"),
    ("Youth focus group (18-25)", 1, 20, JSP_REP, CONSULTANT, "Engagement period 1",
     date(2021, 9, 13), date(2021, 10, 8), "consult", "done"),
    ("Residents focus groups", 1, 40, JSP_REP, CONSULTANT, "Engagement period 1",
     date(2021, 9, 20), date(2021, 10, 22), "consult", "done"),
    ("JSP SPMG and Steering Group", 1, None, "Already convened", JSP_REP,
     "Engagement period 2", date(2021, 11, 1), date(2021, 12, 10), "collaborate", "done"),
    ("JSP Strategic Planning Officers Group (SPOG)", 1, None, "Already convened", JSP_REP,
     "Engagement periods 1 and 2", date(2021, 7, 5), date(2021, 12, 17), "collaborate",
     "done"),
    ("Council Members (per authority)", None, None, "Already convened", JSP_REP,
     "Engagement period 2", date(2021, 11, 15), date(2022, 1, 28), "inform", "done"),
]

BLOCKS_SECTION = """\
The register, the map of influence and relationship quality, the relationship ladder and the \
timeline below are drawn from the engagement data each time this plan is shown or printed.

{{register}}

{{map}}

{{ladder}}

{{timeline}}
"""


def seed_engagement(partnership, plan, user):
    """The demo objectives, register and activities, and a section of the plan showing them
    live."""
    objectives = {}
    for order, (name, description) in enumerate(OBJECTIVES, start=1):
        objectives[name] = Objective(partnership_id=partnership.id, name=name,
                                     description=description, order=order)
        db.session.add(objectives[name])
    for values in STAKEHOLDERS:
        (name, category, contact, lead_partner, lead_person, now, target, influence,
         quality, priority, actions, supports) = values
        db.session.add(Stakeholder(
            partnership_id=partnership.id, name=name, category=category, contact=contact,
            lead_partner=lead_partner, lead_person=lead_person, relationship_now=now,
            relationship_target=target, influence=influence, quality=quality,
            priority=priority, actions=actions,
            objectives=[objectives[n.strip()] for n in supports.split(",")]))
    for values in ACTIVITIES:
        (audience, groups, participants, convened_by, led_by, period, start, end, level,
         status) = values
        db.session.add(EngagementActivity(
            partnership_id=partnership.id, audience=audience, groups=groups,
            participants=participants, convened_by=convened_by, led_by=led_by, period=period,
            start_date=start, end_date=end, level=level, status=status))
    append_section(plan, "Stakeholders and engagement timeline", BLOCKS_SECTION, user=user,
                   feedback_sought="Is the register complete, and are the target "
                                   "relationships right?")
    db.session.flush()
