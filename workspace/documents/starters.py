"""Document templates ("starters", not Jinja templates): the structures a new document can
start from, as plain Python data.

Each section carries its guidance (shown beside the editor, never printed) and the question
it puts to the partners. Bodies start empty: the completeness check counts a section that is
empty or still holds only its guidance as a gap.
"""
from dataclasses import dataclass, field

from .. import audit
from . import limits
from .editing import EditError, check_title
from .service import append_section, create_document


@dataclass(frozen=True)
class TemplateSection:
    title: str
    depth: int = 0
    guidance: str = ""
    feedback_sought: str = ""
    strategic_matter: bool = False
    #: Other titles that count as this part in the completeness check (lower case, trimmed).
    aliases: tuple = ()


@dataclass(frozen=True)
class Template:
    key: str
    name: str
    kind: str
    description: str
    sections: tuple = field(default_factory=tuple)
    #: True when the completeness check measures documents against this structure.
    expected: bool = False


MATTER_GUIDANCE = ("Say what the partners agree on this matter, where they do not, and what is "
                   "still to be resolved. Positions are recorded against this text.")

#: Annex 4 of "Planning Strategically in South West Hertfordshire - Next steps" (seed 001).
SCG_ANNEX_4 = Template(
    key="scg_annex4", name="Statement of Common Ground (Annex 4 structure)", kind="scg",
    description="The five parts and annexes of the Annex 4 template used in South West "
                "Hertfordshire.",
    expected=True,
    sections=(
        TemplateSection(
            "Part 1: Strategic context", 0,
            "- geographical extent and wider relationships;\n"
            "- overall ambitions and strategic priorities i.e. those that affect the sum of "
            "all parts;\n"
            "- key metrics e.g. housing need, past delivery, expected GVA growth;\n"
            "- main delivery mechanisms i.e. single joint plan/ single LPs.",
            "Do we agree the strategic context, the area covered and the key metrics?",
            aliases=("strategic context",)),
        TemplateSection(
            "Part 2: Policy scope and evidence base", 0,
            "- key strategic matters to be addressed e.g. overall housing target and "
            "anticipated distribution as this may change as plans/plan develops; strategic "
            "infrastructure priorities; strategic employment opportunities; other e.g. GI "
            "strategy, G&T\n- Main evidence-base to be used",
            "Do we agree the strategic matters to be addressed and the evidence base?",
            aliases=("policy scope and evidence base",)),
        TemplateSection(
            "Part 3: Decision-making and project management", 0,
            "- What are the governance and working arrangements (resources)?\n"
            "- Who are the key partners and are they signed up to the overall objective?\n"
            "- How will strategic stakeholders/ Stat cons be involved?\n"
            "- What are key timescales/ milestones and at what point are key decisions likely "
            "to be made?",
            "Do we agree the governance, working arrangements and milestones?",
            aliases=("decision-making and project management",)),
        TemplateSection(
            "Part 4: Risk assessment and management", 0,
            "- Need to link to HDT/ HIF.\n"
            "- Highlight key risks to delivering shared objectives and how these will be "
            "managed e.g. infrastructure not delivered, housing not delivered at anticipated "
            "rate, changing political priorities - locally or nationally, changing resources.\n"
            "- Others with a key role in delivery - mechanisms to ensure delivery (e.g. MoUs, "
            "deals with government).\n"
            "- Risks in terms of resources and any skills gaps, and how these will be managed.",
            "Have we identified the key risks, and are the ways of managing them right?",
            aliases=("risk assessment and management",)),
        TemplateSection(
            "Part 5: Monitoring and review", 0,
            "- Key indicators and milestones\n"
            "- Monitoring of DtC (as currently done through AMR)\n"
            "- Triggers for review of SCG (as highlighted through risk assessment)",
            "Do we agree how the statement will be monitored, and what triggers its review?",
            aliases=("monitoring and review",)),
        TemplateSection("Annexes", 0, "Supporting agreements and the record of Duty to "
                        "Cooperate activity."),
        TemplateSection("Details of MoUs, deals and other agreements", 1,
                        "- Details of MoUs, deals, other agreements",
                        "Are any agreements missing from this list?"),
        TemplateSection("Duty to Cooperate activity table", 1,
                        "A table: date, meeting or activity, authorities involved, strategic "
                        "matters, outcome.",
                        "Is the record of Duty to Cooperate activity complete?"),
    ))

#: The contents national planning practice guidance expects of a Statement of Common Ground.
SCG_GUIDANCE = Template(
    key="scg_guidance", name="Statement of Common Ground (planning practice guidance)",
    kind="scg",
    description="The contents national planning practice guidance lists: area, matters, "
                "signatories, governance, housing, distribution, agreement and what is left.",
    expected=True,
    sections=(
        TemplateSection(
            "Strategic geography", 0,
            "A short written description and a map of the area the statement covers, and why "
            "that area was chosen (housing market area, functional economic area).",
            "Do we agree the area the statement covers and the map?",
            aliases=("area covered", "area covered and map", "geographical area")),
        TemplateSection(
            "Strategic matters", 0,
            "The key strategic matters the statement addresses. Mark each matter as a "
            "strategic matter so the partners can record their positions on it.",
            "Have we listed every strategic matter?", aliases=("key strategic matters",)),
        TemplateSection(
            "Authorities and signatories", 0,
            "The plan-making authorities responsible for joint working, the other public "
            "bodies involved, and who signs the statement for each.",
            "Are all the authorities and signatories listed?",
            aliases=("signatories", "parties", "parties involved")),
        TemplateSection(
            "Governance and keeping the statement up to date", 0,
            "The governance arrangements for the cooperation process, including how the "
            "statement will be maintained and kept up to date.",
            "Do we agree the governance arrangements and when the statement is reviewed?",
            aliases=("governance", "governance arrangements")),
        TemplateSection(
            "Housing requirements", 0,
            "The housing requirements in adopted and emerging strategic policies for each "
            "authority in the area.",
            "Are the housing requirements right for each authority?", True,
            aliases=("housing requirement", "housing need")),
        TemplateSection(
            "Distribution of needs, including unmet need", 0,
            "Distribution of needs in the area as agreed through the plan-making process, or "
            "the process for agreeing the distribution of need (including unmet need) across "
            "the area.",
            "Do we agree how needs, including unmet need, are distributed?", True,
            aliases=("distribution of needs", "unmet need", "housing need and distribution")),
        TemplateSection(
            "Record of agreement", 0,
            "A record of where agreements have, or have not, been reached on key strategic "
            "matters, including the process for reaching agreements on these. The record of "
            "positions is added to the exported statement automatically.",
            "Is the record of agreement complete and accurate?",
            aliases=("record of where agreement has and has not been reached",
                     "where agreement has and has not been reached")),
        TemplateSection(
            "Matters still to be addressed", 0,
            "Any additional strategic matters to be addressed by the statement which have "
            "not already been addressed, and how and when they will be.",
            "Are there matters still to be addressed that are not listed?",
            aliases=("matters to be addressed", "outstanding matters")),
    ))

#: The JSP Vision engagement plan (seed 000): questions verbatim.
ENGAGEMENT_PLAN = Template(
    key="engagement_plan", name="Engagement plan", kind="engagement_plan",
    description="Objectives, audience, approach, engagement periods and approvals.",
    sections=(
        TemplateSection("Objectives", 0, "An overview of the objectives we are seeking to "
                        "achieve.", "Do we agree with these objectives? Are there any others "
                        "that should be added?"),
        TemplateSection("Target audience", 0, "An overview of the different headline "
                        "stakeholder groups we expect to engage. A table: audience, groups, "
                        "participants, convened by.",
                        "Do we agree with the target groups identified? Are there any headline "
                        "groups missing that should be engaged?"),
        TemplateSection("Approach", 0, "An overview of our approach, process and key "
                        "milestones.", "Do we agree the approach is appropriate for the "
                        "stakeholders identified? Will this approach allow us to achieve the "
                        "objectives and milestones set out?"),
        TemplateSection("Engagement periods", 0, "A summary of each engagement with further "
                        "detail on who and how we will engage.",
                        "Do we consider the broad structure and approach to each engagement "
                        "period is appropriate?"),
        TemplateSection("Approvals requested", 0, "The approval sought, from whom and by "
                        "when.", "Do we approve the process as presented?"),
    ))

MOU = Template(
    key="mou", name="Memorandum of understanding", kind="mou",
    description="Parties, purpose, principles, governance, resources, review and signatures.",
    sections=(
        TemplateSection("Parties", 0, "The authorities entering into the memorandum.",
                        "Are all the parties listed correctly?"),
        TemplateSection("Purpose", 0, "What the memorandum is for and the joint work it "
                        "covers.", "Do we agree the purpose of the memorandum?"),
        TemplateSection("Principles of joint working", 0, "How the parties will work "
                        "together, share information and resolve differences.",
                        "Do we agree these principles?"),
        TemplateSection("Governance", 0, "The member and officer groups, their terms of "
                        "reference and how decisions are taken.",
                        "Do we agree the governance arrangements?"),
        TemplateSection("Resources", 0, "What each party contributes: staff, budget, evidence "
                        "commissions.", "Do we agree each party's contribution?"),
        TemplateSection("Review and termination", 0, "When the memorandum is reviewed and how "
                        "a party may withdraw.", "Do we agree the review arrangements?"),
        TemplateSection("Status of the memorandum", 0, "That the memorandum is not legally "
                        "binding and does not fetter any authority's decisions.",
                        "Do we agree the status of the memorandum?"),
    ))

BLANK = Template(key="blank", name="Blank document", kind="other",
                 description="No sections: add your own.")

TEMPLATES = {t.key: t for t in (SCG_ANNEX_4, SCG_GUIDANCE, ENGAGEMENT_PLAN, MOU, BLANK)}
#: Structures a Statement of Common Ground is measured against by the completeness check.
SCG_TEMPLATES = tuple(t for t in TEMPLATES.values() if t.expected)


def template_choices():
    """[(key, name)] for the "New document" form."""
    return [(t.key, t.name) for t in TEMPLATES.values()]


def create_from_template(partnership, key, title, user):
    """A new draft document with the template's sections, each as revision 1. Caller commits."""
    template = TEMPLATES.get(key)
    if template is None:
        raise EditError("Choose a template", field="template")
    title = check_title(title)
    if len(template.sections) > limits.max_sections():
        raise EditError(f"This template has {len(template.sections)} sections, more than the "
                        f"{limits.max_sections()} a document may have.", field="template")
    document = create_document(partnership, title, template.kind, user)
    for part in template.sections:
        section = append_section(document, part.title, "", depth=part.depth,
                                 feedback_sought=part.feedback_sought,
                                 guidance=part.guidance, user=user)
        section.strategic_matter = part.strategic_matter
    audit.record("document.from_template", document, actor=user, partnership=partnership,
                 document=document, template=template.key)
    return document

