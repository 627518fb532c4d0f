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

# The Skills Builder Universal Framework's eight essential skills (skillsbuilder.org).
SKILLS_BUILDER = [
    "Listening",
    "Speaking",
    "Problem Solving",
    "Creativity",
    "Staying Positive",
    "Aiming High",
    "Leadership",
    "Teamwork",
]

# (name, level, description, criteria, skills) — two badges per active organisation, by type.
BADGES_BY_TYPE: dict[str, list[tuple[str, str, str, str, list[str]]]] = {
    "youth_group": [
        (
            "Youth Voice",
            "Participate",
            "Took part in planning and running youth club sessions.",
            "Helped plan at least three club sessions and led one activity.",
            ["Speaking", "Teamwork"],
        ),
        (
            "Kitchen Skills",
            "Engage",
            "Cooked a healthy meal with others at the club kitchen.",
            "Cooked and served a meal for the group, following food-safety rules.",
            ["Teamwork", "Staying Positive"],
        ),
    ],
    "school": [
        (
            "Science Club Explorer",
            "Engage",
            "Explored experiments at the after-school science club.",
            "Attended four science club sessions and recorded one experiment.",
            ["Problem Solving", "Creativity"],
        ),
        (
            "Peer Mentor",
            "Lead",
            "Mentored younger pupils through a term.",
            "Met a younger pupil weekly for a term and reflected on progress with a teacher.",
            ["Leadership", "Listening"],
        ),
    ],
    "charity": [
        (
            "Volunteer Starter",
            "Engage",
            "Gave time to a local cause.",
            "Volunteered for at least six hours with the charity.",
            ["Teamwork", "Aiming High"],
        ),
        (
            "Project Maker",
            "Demonstrate",
            "Planned and delivered a small project with the charity.",
            "Planned a project, delivered it and presented what happened to staff.",
            ["Problem Solving", "Leadership"],
        ),
    ],
    "fe_college": [
        (
            "Taster Day",
            "Engage",
            "Tried a vocational course for a day.",
            "Took part in a full college taster day.",
            ["Aiming High"],
        ),
        (
            "Workplace Ready",
            "Demonstrate",
            "Showed the skills employers look for.",
            "Completed the employability short course and a mock interview.",
            ["Speaking", "Staying Positive"],
        ),
    ],
    "library": [
        (
            "Maker",
            "Participate",
            "Designed and made something in the makerspace.",
            "Completed a design-and-make project using the makerspace tools.",
            ["Creativity", "Problem Solving"],
        ),
        (
            "Reading Champion",
            "Engage",
            "Read six books over the summer.",
            "Read six books and talked about one with library staff.",
            ["Listening", "Aiming High"],
        ),
    ],
    "museum": [
        (
            "Young Curator",
            "Demonstrate",
            "Curated a small display for the public.",
            "Researched objects and wrote the labels for a public display.",
            ["Creativity", "Speaking"],
        ),
        (
            "Museum Explorer",
            "Engage",
            "Took part in a museum workshop.",
            "Attended a museum workshop and completed its activity trail.",
            ["Listening"],
        ),
    ],
    "employer": [
        (
            "Work Experience",
            "Participate",
            "Completed a week of work experience.",
            "Attended a full work-experience week and kept a daily log.",
            ["Teamwork", "Aiming High"],
        ),
        (
            "Industry Insight",
            "Engage",
            "Met professionals and learned about their work.",
            "Attended an insight day and asked a question of a professional.",
            ["Listening", "Speaking"],
        ),
    ],
    "council_service": [
        (
            "Civic Voice",
            "Participate",
            "Spoke up for young people in the city.",
            "Took part in a youth council debate or consultation.",
            ["Speaking", "Leadership"],
        ),
        (
            "Green Volunteer",
            "Engage",
            "Helped care for the city's green spaces.",
            "Volunteered on two conservation days.",
            ["Teamwork", "Staying Positive"],
        ),
    ],
    "other": [
        (
            "Grower",
            "Engage",
            "Grew food from seed to plate.",
            "Planted, cared for and harvested a crop with the garden team.",
            ["Staying Positive", "Teamwork"],
        ),
        (
            "Garden Leader",
            "Lead",
            "Led a team of volunteer growers.",
            "Led a volunteer session for others, planning tasks and safety.",
            ["Leadership", "Problem Solving"],
        ),
    ],
}
