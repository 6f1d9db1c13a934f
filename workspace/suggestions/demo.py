"""The demo's suggestions (issue 17): two open on the Statement being agreed, one from
Hertsmere on the Green Belt wording and one from the County Council on infrastructure (a
change in a table cell), and one from St Albans rejected with a reason."""
from .service import reject, suggest

GREEN_BELT_FROM = "before any authority proposes changes to it."
GREEN_BELT_TO = ("before any authority proposes changes to it. The review will not be used to "
                 "set each authority's housing numbers.")
INFRASTRUCTURE_FROM = "| Green infrastructure strategy | All partners | To be agreed |"
INFRASTRUCTURE_TO = ("| Green infrastructure strategy | Hertfordshire County Council with all "
                     "partners | Nature recovery funding, to be agreed |")
HOUSING_FROM = "Each authority's local plan will meet its own need as far as it can."
HOUSING_TO = ("Each authority's local plan will meet its own need as far as it can, on Green "
              "Belt land where that is needed.")


def seed_suggestions(sections, officers, admin):
    """`sections` by title, `officers` by authority code; the admin rejects one."""
    green_belt = sections["The future role of the Green Belt"]
    suggest(green_belt, green_belt.body.replace(GREEN_BELT_FROM, GREEN_BELT_TO),
            green_belt.version, officers["hertsmere"],
            reason="Hertsmere's position depends on this: the review must not set the numbers.")
    infrastructure = sections["Strategic infrastructure priorities"]
    suggest(infrastructure, infrastructure.body.replace(INFRASTRUCTURE_FROM, INFRASTRUCTURE_TO),
            infrastructure.version, officers["herts"],
            reason="The County Council will coordinate the green infrastructure strategy.")
    housing = sections["Housing need and distribution"]
    rejected = suggest(housing, housing.body.replace(HOUSING_FROM, HOUSING_TO), housing.version,
                       officers["stalbans"], reason="To be clear about the Green Belt.")
    reject(rejected, admin, "Whether Green Belt land is used is for each local plan and the "
                            "joint Green Belt review; the Statement should not pre-empt them.")
