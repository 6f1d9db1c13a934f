"""The text of the demo documents: the Annex 4 Statement of Common Ground template of seed 001
and the "JSP Vision: Engagement Plan" of seed 000, as (title, depth, text, feedback sought).
Kept in the package, so a deployment needs no other file; used by demo.py."""

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
- Memorandum of Understanding on joint strategic planning, signed by all six authorities
  (March 2018), setting up the Strategic Planning Members Group (SPMG) and the Strategic
  Planning Officers Group (SPOG)
- Details of other MoUs, deals and agreements
""", "Are any agreements missing from this list?"),
    ("Duty to Cooperate activity table", 1, """\
The meetings and activities through which the partners have cooperated, drawn from the
partnership's record of meetings (live while the Statement is drafted, fixed in each agreed
version):

{{cooperation}}
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
     ("Do we agree with the target groups identified? Are there any headline groups missing "
      "that should be engaged with the vision?")),
    ("JSP Vision Approach", 0, """\
An overview of our approach, process and key milestones that will be followed in preparing the \
vision.

- Engagement activities with stakeholders, businesses, youth and residents are led by the \
appointed vision consultant.
- Engagement with the SPMG and SG, the SPOG and council Members is led by a JSP \
representative.
""", ("Do we agree the approach is appropriate for the stakeholders identified? Will this "
         "approach allow us to achieve the objectives and milestones set out?")),
    ("JSP Vision Engagement Periods", 0, """\
A summary of each engagement with further detail on who and how we will engage.
""", ("Do we consider the broad structure and approach to each engagement period is "
         "appropriate?")),
    ("Approvals Requested", 0, """\
**Approval:** to commence the JSP Vision process as per the approach presented.

**Key dates**

- Approval will be sought from the JSP Steering Group on 14th June 2021.
- Approval will be sought from the JSP SPMG and SG in July 2021.
""", "Do we approve the commencement of the JSP Vision process as presented?"),
]
