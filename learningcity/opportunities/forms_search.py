"""The discovery page's query string, parsed into a :class:`DiscoveryQuery`.

Every search is a plain GET URL people can share, so anything may arrive in it: a value that
cannot be used is left out with a message saying so, and the search still runs — never a 500,
never an empty page because one checkbox in an old link went away.

Parameters: ``q`` text; ``topic``, ``type``, ``level``, ``org``, ``skill``, ``access`` (repeated);
``age``; ``all_ages`` (do not apply a signed-in learner's own age); ``free``; ``delivery``;
``from`` and ``to`` (dates); ``weekend``; ``near`` (a postcode, its first part, or an area of the
city) with ``radius`` (km); ``sort``; ``page``.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import QueryDict
from django.utils.text import slugify

from learningcity.accounts.models import User
from learningcity.badges.models import Level
from learningcity.cities.models import FULL_POSTCODE_RE, OUTWARD_CODE_RE, Area, City
from learningcity.cities.selectors import area_for_postcode
from learningcity.core import errors
from learningcity.core.errors import ServiceError

from .models import ACCESSIBILITY_FEATURES, MAX_AGE, OpportunityType
from .selectors import DEFAULT_RADIUS_KM, SORTS, DiscoveryQuery

MAX_TEXT_LENGTH = 200
MAX_PAGE = 10_000
RADIUS_CHOICES = (1, 2, 5, 10, 20)
MAX_REPEATED_VALUES = 50


@dataclass
class DiscoveryRequest:
    """The parsed query, the messages about what was left out, and what the page needs to say
    about where and for which age it searched."""

    query: DiscoveryQuery
    messages: list[str] = field(default_factory=list)
    near_text: str = ""
    near_label: str = ""  # “BN2 (Kemptown)” when a place was found
    age_from_profile: int | None = None  # the learner's own age, when it was applied
    all_ages: bool = False
    values: dict[str, Any] = field(default_factory=dict)  # for re-filling the form


def _strings(data: QueryDict, name: str) -> list[str]:
    return [value.strip() for value in data.getlist(name)[:MAX_REPEATED_VALUES] if value.strip()]


def _flag(data: QueryDict, name: str) -> bool:
    return data.get(name, "").strip().lower() in {"1", "on", "true", "yes"}


def _date(value: str, messages: list[str]) -> datetime.date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        messages.append(errors.DISCOVERY_DATE_INVALID.format(value=value[:40]))
        return None


def _example_outward(city: City) -> str:
    district = city.postcode_districts.order_by("outward_code").first()
    return district.outward_code if district else "BN2"


def _resolve_place(
    *, city: City, text: str, messages: list[str]
) -> tuple[tuple[float, float] | None, str]:
    """(latitude, longitude) of a postcode, outward code or area of ``city``, and its label."""
    cleaned = " ".join(text.upper().split())
    if FULL_POSTCODE_RE.match(cleaned) or OUTWARD_CODE_RE.match(cleaned):
        try:
            outward, area = area_for_postcode(city=city, postcode=cleaned)
        except ServiceError:
            messages.append(
                errors.DISCOVERY_POSTCODE_UNKNOWN.format(
                    postcode=cleaned, city=city.name, example=_example_outward(city)
                )
            )
            return None, ""
        return (float(area.latitude), float(area.longitude)), f"{outward} ({area.name})"
    wanted = slugify(text)
    if wanted:
        for area in Area.objects.filter(city=city).order_by("kind", "name"):
            if slugify(area.name) == wanted or area.code.lower() == text.strip().lower():
                return (float(area.latitude), float(area.longitude)), area.name
    messages.append(
        errors.DISCOVERY_PLACE_UNKNOWN.format(
            place=text.strip()[:60], city=city.name, example=_example_outward(city)
        )
    )
    return None, ""


def discovery_request_parse(
    *,
    data: QueryDict,
    city: City,
    user: User | AnonymousUser,
    topic_slugs: set[str],
    organisation_slugs: set[str],
    skill_ids: set[int],
) -> DiscoveryRequest:
    """Turn the page's GET parameters into a query. The allowed topics, organisations and skills
    of the city are passed in (the view reads them once for the filter panel too)."""
    messages: list[str] = []
    unknown = False

    def allowed(name: str, choices: set[str]) -> tuple[str, ...]:
        nonlocal unknown
        values = _strings(data, name)
        kept = tuple(dict.fromkeys(value for value in values if value in choices))
        unknown = unknown or len(kept) < len(set(values))
        return kept

    text = data.get("q", "").strip()
    if len(text) > MAX_TEXT_LENGTH:
        text = text[:MAX_TEXT_LENGTH]
        messages.append(errors.DISCOVERY_TEXT_TOO_LONG.format(limit=MAX_TEXT_LENGTH))

    topics = allowed("topic", topic_slugs)
    types = allowed("type", {value for value, _ in OpportunityType.choices})
    levels = allowed("level", {value for value, _ in Level.choices})
    organisations = allowed("org", organisation_slugs)
    accessibility = allowed("access", {name for name, _ in ACCESSIBILITY_FEATURES})
    skill_values = allowed("skill", {str(pk) for pk in skill_ids})
    skills = tuple(int(value) for value in skill_values)

    all_ages = _flag(data, "all_ages")
    age: int | None = None
    age_text = data.get("age", "").strip()
    if age_text:
        if re.fullmatch(r"\d{1,2}", age_text) and 0 <= int(age_text) <= MAX_AGE:
            age = int(age_text)
        else:
            messages.append(errors.DISCOVERY_AGE_INVALID)
    age_from_profile = None
    if age is None and not all_ages and user.is_authenticated:
        profile = getattr(user, "learner_profile", None)
        if profile is not None:
            age = age_from_profile = profile.age

    delivery = data.get("delivery", "").strip()
    if delivery not in {"", "online", "in_person"}:
        delivery = ""
        unknown = True

    date_from = _date(data.get("from", ""), messages)
    date_to = _date(data.get("to", ""), messages)
    if date_from and date_to and date_to < date_from:
        date_from, date_to = date_to, date_from
        messages.append(errors.DISCOVERY_DATES_REVERSED)

    near_text = data.get("near", "").strip()[:60]
    near, near_label = (None, "")
    if near_text:
        near, near_label = _resolve_place(city=city, text=near_text, messages=messages)
    radius_text = data.get("radius", "").strip()
    radius = float(DEFAULT_RADIUS_KM)
    if radius_text:
        if radius_text.isdigit() and int(radius_text) in RADIUS_CHOICES:
            radius = float(radius_text)
        else:
            unknown = True

    sort = data.get("sort", "").strip() or "relevance"
    if sort not in SORTS:
        sort = "relevance"
        unknown = True
    if sort == "nearest" and near is None:
        messages.append(errors.DISCOVERY_NEAREST_NEEDS_PLACE)

    page_text = data.get("page", "").strip()
    page = int(page_text) if page_text.isdigit() and 0 < int(page_text) <= MAX_PAGE else 1

    if unknown:
        messages.append(errors.DISCOVERY_FILTER_UNKNOWN)

    query = DiscoveryQuery(
        text=text,
        topics=topics,
        types=types,
        age=age,
        free_only=_flag(data, "free"),
        delivery=delivery,
        date_from=date_from,
        date_to=date_to,
        this_weekend=_flag(data, "weekend"),
        near=near,
        radius_km=radius,
        skills=skills,
        levels=levels,
        organisations=organisations,
        accessibility=accessibility,
        sort=sort,
        page=page,
    )
    return DiscoveryRequest(
        query=query,
        messages=messages,
        near_text=near_text,
        near_label=near_label,
        age_from_profile=age_from_profile,
        all_ages=all_ages,
        values={
            "q": text,
            "age": str(age) if age is not None and age_from_profile is None else "",
            "from": date_from.isoformat() if date_from else "",
            "to": date_to.isoformat() if date_to else "",
            "near": near_text,
            "radius": int(radius),
            "sort": sort,
        },
    )
