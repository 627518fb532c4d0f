"""The people and organisations of the demo cities. Names are invented; places are real."""

from __future__ import annotations

from learningcity.organisations.models import Organisation

T = Organisation.Type

# (name, type, description, website)
ORGANISATIONS: dict[str, list[tuple[str, str, str]]] = {
    "brighton-and-hove": [
        (
            "Whitehawk Youth Hub",
            T.YOUTH_GROUP,
            "Evening clubs, music studio and a kitchen for young people aged 11–19 in east Brighton.",
        ),
        (
            "Moulsecoomb Community School",
            T.SCHOOL,
            "An all-through school with after-school clubs open to the whole neighbourhood.",
        ),
        (
            "Seafront Coding Club",
            T.CHARITY,
            "Free coding, game design and robotics sessions for 9–18 year olds, run by volunteers.",
        ),
        (
            "Brighton Metropolitan College",
            T.FE_COLLEGE,
            "Further education college offering short courses, T Levels and apprenticeships.",
        ),
        (
            "The Jubilee Library Makerspace",
            T.LIBRARY,
            "3D printing, laser cutting and a homework club in the city's central library.",
        ),
        (
            "Booth Natural History Rooms",
            T.MUSEUM,
            "Museum workshops on nature, wildlife and conservation for families and young people.",
        ),
        (
            "Hove Harbour Sailing Trust",
            T.CHARITY,
            "Sailing, paddleboarding and marine skills with bursaries for local young people.",
        ),
        (
            "South Downs Ranger Service",
            T.COUNCIL_SERVICE,
            "Volunteer conservation days on the Downs: hedge laying, surveys and trail care.",
        ),
        (
            "Kemptown Theatre Collective",
            T.CHARITY,
            "Drama, stagecraft and backstage skills for young people, with a summer production.",
        ),
        (
            "Preston Park Digital Agency",
            T.EMPLOYER,
            "A design studio offering work experience weeks and portfolio reviews.",
        ),
        (
            "Portslade Boxing and Fitness",
            T.YOUTH_GROUP,
            "Non-contact boxing, fitness and mentoring for 11–25 year olds.",
        ),
        (
            "Brighton & Hove Youth Council",
            T.COUNCIL_SERVICE,
            "Young people's voice in the city: campaigns, debate and civic leadership.",
        ),
    ],
    "plymouth": [
        (
            "Devonport Youth Project",
            T.YOUTH_GROUP,
            "Drop-in youth club with sport, cooking and an arts studio in Devonport.",
        ),
        (
            "Stoke Damerel Community College",
            T.SCHOOL,
            "Secondary school running open Saturday clubs in science and engineering.",
        ),
        (
            "City College Plymouth",
            T.FE_COLLEGE,
            "Further education college with short courses in construction, digital and care.",
        ),
        (
            "Plymouth Central Library",
            T.LIBRARY,
            "Reading groups, code clubs and job-search help in the city centre.",
        ),
        (
            "The Box Learning Team",
            T.MUSEUM,
            "Museum and archive workshops on Plymouth's history, art and maritime past.",
        ),
        (
            "Ocean Futures Marine Trust",
            T.CHARITY,
            "Marine science and ocean conservation projects along Plymouth Sound.",
        ),
        (
            "Devonport Dockyard Apprenticeships",
            T.EMPLOYER,
            "Engineering taster days and work experience at the naval base.",
        ),
        (
            "Plymouth Argyle Community Trust",
            T.CHARITY,
            "Football, fitness and wellbeing programmes across the city.",
        ),
        (
            "Efford Community Gardens",
            T.OTHER,
            "Growing food, outdoor cooking and horticulture skills for all ages.",
        ),
        (
            "Plymouth Youth Parliament",
            T.COUNCIL_SERVICE,
            "Young people's elected voice in Plymouth: campaigns, events and debate.",
        ),
        (
            "Barbican Music Collective",
            T.CHARITY,
            "Band practice, recording and live performance for young musicians.",
        ),
    ],
}

# Organisations left waiting for approval or suspended, so the city team's queue has work in it.
PENDING = {"Portslade Boxing and Fitness", "Barbican Music Collective"}
SUSPENDED = {
    "Efford Community Gardens": "Safeguarding policy has expired; please upload the renewed policy."
}

FIRST_NAMES = [
    "Amara",
    "Ben",
    "Chloe",
    "Dev",
    "Ella",
    "Finn",
    "Grace",
    "Hassan",
    "Isla",
    "Jay",
    "Kemi",
    "Leo",
    "Maya",
    "Noah",
    "Olu",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tia",
    "Umar",
    "Vera",
    "Wes",
    "Xena",
    "Yusuf",
    "Zara",
    "Alfie",
    "Bea",
    "Cal",
    "Daisy",
]

INTERESTS = [
    "music",
    "coding",
    "football",
    "drama",
    "art",
    "sailing",
    "cooking",
    "science",
    "nature",
    "volunteering",
]

# Ages spread over every band, under-13s included. Index 0 and 1 of each city are under-13s:
# the first has a guardian's consent, the second is still waiting.
LEARNER_AGES = [
    11,
    12,
    12,
    13,
    14,
    15,
    15,
    16,
    16,
    17,
    17,
    18,
    19,
    20,
    21,
    22,
    23,
    24,
    25,
    27,
    31,
    34,
    40,
    45,
    52,
    60,
    11,
]

DEMO_PASSWORD = "learning-city-demo"  # noqa: S105 — printed for the demo, never used elsewhere
