"""What the demo learners have done beyond the first awards: full backpacks, a badge from the
other city, and pathways at every stage. Names are invented; the badges are the demo's own."""

from __future__ import annotations

from dataclasses import dataclass

# The demo learners are known by their index in ``data.LEARNER_AGES`` (their email is
# ``<first name>.<index>@<city>.learners.demo.learningcity.test``).

# Learners whose backpacks are filled: several more awards each, one withdrawn, one lapsed.
# Index 12 (aged 19) is the demo's listed learner sign-in; 14 is aged 21.
FULL_BACKPACK_LEARNERS = (12, 14)
FULL_BACKPACK_EXTRA_AWARDS = 4
REVOKED_REASON = "Awarded for the wrong session; the learner was re-awarded the right badge."
# An award made this long ago, valid for a year, so it has lapsed.
EXPIRED_ISSUED_DAYS_AGO = 500
EXPIRED_VALID_DAYS = 365

# The learner (by index) who also holds a badge from the other demo city, awarded there under an
# old school address and imported into their backpack here as a baked PNG.
IMPORTING_LEARNER = 12
# (organisation, badge) in the *other* city, by the importing learner's city.
IMPORTED_FROM: dict[str, tuple[str, str]] = {
    "brighton-and-hove": ("Ocean Futures Marine Trust", "Volunteer Starter"),
    "plymouth": ("Hove Harbour Sailing Trust", "Project Maker"),
}
# A second badge from the other city, imported while valid and withdrawn by its issuer since: the
# backpack's re-check shows the revocation.
IMPORTED_THEN_REVOKED: dict[str, tuple[str, str]] = {
    "brighton-and-hove": ("The Box Learning Team", "Museum Explorer"),
    "plymouth": ("Booth Natural History Rooms", "Museum Explorer"),
}
IMPORTED_REVOKED_REASON = "Withdrawn by the issuer: the workshop did not run as advertised."


def second_address(*, first_name: str, index: int, other_city_key: str) -> str:
    """The importing learner's old address in the other city — not on their account here."""
    return f"{first_name.lower()}.{index}.school@{other_city_key}.schools.demo.learningcity.test"


# A learner who has just joined: no badges yet, on both pathways of their city, not started.
NEWCOMER_NAME = "Sol"
NEWCOMER_AGE = 16
NEWCOMER_INTERESTS = ["music", "science", "coding"]


@dataclass(frozen=True)
class StepSpec:
    title: str
    organisation: str
    badge: str
    description: str = ""


@dataclass(frozen=True)
class OrganisationPathwaySpec:
    organisation: str
    name: str
    summary: str
    description: str
    destination_kind: str
    destination: str
    destination_url: str
    completion_badge: str
    completion_description: str
    completion_criteria: str
    steps: tuple[StepSpec, ...]


ORGANISATION_PATHWAYS: dict[str, OrganisationPathwaySpec] = {
    "brighton-and-hove": OrganisationPathwaySpec(
        organisation="Brighton Metropolitan College",
        name="Digital Creator",
        summary=(
            "From your first make to workplace-ready: four badges towards a digital apprenticeship."
        ),
        description=(
            "Make something at the library makerspace, build a project with the coding club, see "
            "how a digital agency works, then get workplace-ready with us. Finish and you are "
            "guaranteed an interview for our Level 3 Digital apprenticeship."
        ),
        destination_kind="apprenticeship",
        destination="Level 3 Digital apprenticeship at Brighton Metropolitan College",
        destination_url="https://brighton-metropolitan-college.example.org/apprenticeships/digital",
        completion_badge="Digital Creator",
        completion_description="Completed the Digital Creator pathway across four organisations.",
        completion_criteria=(
            "Earned Maker, Project Maker, Industry Insight and Workplace Ready, in that order."
        ),
        steps=(
            StepSpec("Make something", "The Jubilee Library Makerspace", "Maker"),
            StepSpec("Build a project", "Seafront Coding Club", "Project Maker"),
            StepSpec("See the industry", "Preston Park Digital Agency", "Industry Insight"),
            StepSpec("Get workplace ready", "Brighton Metropolitan College", "Workplace Ready"),
        ),
    ),
    "plymouth": OrganisationPathwaySpec(
        organisation="Devonport Dockyard Apprenticeships",
        name="Marine Engineering Starter",
        summary="Science, a real project, a look round the dockyard and a work placement.",
        description=(
            "Start with the Saturday science club, build something for the sea with Ocean "
            "Futures, then see the dockyard and spend a week with our engineers. Finish and "
            "you can apply early for our engineering apprenticeship."
        ),
        destination_kind="apprenticeship",
        destination="Engineering apprenticeship at Devonport Dockyard",
        destination_url="https://devonport-dockyard-apprenticeships.example.org/apply",
        completion_badge="Marine Engineering Starter",
        completion_description="Completed the Marine Engineering Starter pathway.",
        completion_criteria=(
            "Earned Science Club Explorer, Project Maker, Industry Insight and Work Experience, "
            "in that order."
        ),
        steps=(
            StepSpec("Explore science", "Stoke Damerel Community College", "Science Club Explorer"),
            StepSpec("Build a project", "Ocean Futures Marine Trust", "Project Maker"),
            StepSpec("See the dockyard", "Devonport Dockyard Apprenticeships", "Industry Insight"),
            StepSpec(
                "Work with engineers", "Devonport Dockyard Apprenticeships", "Work Experience"
            ),
        ),
    ),
}

# The city-wide pathway: a badge in each of six topics, in any order.
CITY_EXPLORER_NAME = "City Explorer"
CITY_EXPLORER_SUMMARY = "Earn a badge in six different topics, anywhere in the city, in any order."
CITY_EXPLORER_DESCRIPTION = (
    "Try something new: arts, digital, science, sport, the environment and health. Any badge "
    "from an opportunity in each topic counts, whoever runs it."
)
CITY_EXPLORER_TOPICS = (
    "Arts and culture",
    "Digital and tech",
    "Science and nature",
    "Sport and wellbeing",
    "Environment",
    "Health and care",
)
# The organisation that issues the City Explorer badge on the city's behalf.
CITY_EXPLORER_ISSUER: dict[str, str] = {
    "brighton-and-hove": "Brighton & Hove Youth Council",
    "plymouth": "Plymouth Youth Parliament",
}
CITY_EXPLORER_BADGE_DESCRIPTION = "Earned badges in six different topics across the city."
CITY_EXPLORER_BADGE_CRITERIA = (
    "Hold a badge from an opportunity in each of: " + ", ".join(CITY_EXPLORER_TOPICS) + "."
)

# Stages every pathway shows: (label, steps done out of n). "Completed" is awarded by the
# pathways service when the last step is satisfied.
STAGES = ("not started", "part way", "one step left", "completed")
# Learners (by index) to try first for a stage, so the listed sign-in shows the most.
PREFERRED: dict[str, tuple[int, ...]] = {
    "completed": (12,),
    "one step left": (12, 14),
    "part way": (12, 14),
}
