"""The pathway-building forms: which badges and opportunities they offer, and how they read
achievement ids of badges from elsewhere."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from learningcity.badges.tests.factories import BadgeClassFactory
from learningcity.cities.tests.factories import CityFactory
from learningcity.core import errors
from learningcity.opportunities.models import OpportunityStatus
from learningcity.opportunities.tests.factories import OpportunityFactory, TopicFactory
from learningcity.organisations.models import Organisation
from learningcity.organisations.tests.factories import OrganisationFactory
from learningcity.pathways.forms import (
    EXTERNAL_IDS_MAX,
    PathwayForm,
    StepForm,
    parse_achievement_ids,
)

from .factories import PublishedBadgeClassFactory


class TestParseAchievementIds:
    def test_one_id_a_line_blank_lines_and_repeats_dropped(self):
        text = "  https://a.example/1 \n\nhttp://b.example/2\nhttps://a.example/1\n"
        assert parse_achievement_ids(text) == ["https://a.example/1", "http://b.example/2"]

    def test_nothing_is_an_empty_list(self):
        assert parse_achievement_ids("\n  \n") == []

    @pytest.mark.parametrize(
        "bad", ["not a web address", "ftp://files.example/badge", "urn:uuid:1234", "javascript:x"]
    )
    def test_anything_but_an_http_address_is_refused_by_name(self, bad):
        with pytest.raises(ValidationError) as raised:
            parse_achievement_ids(f"https://fine.example/1\n{bad}")
        assert raised.value.messages == [errors.PATHWAY_STEP_EXTERNAL_URL_INVALID.format(value=bad)]

    def test_too_many_are_refused(self):
        text = "\n".join(f"https://a.example/{n}" for n in range(EXTERNAL_IDS_MAX + 1))
        with pytest.raises(ValidationError) as raised:
            parse_achievement_ids(text)
        assert raised.value.messages == [
            errors.PATHWAY_STEP_EXTERNAL_IDS_TOO_MANY.format(max=EXTERNAL_IDS_MAX)
        ]


@pytest.mark.django_db
class TestPathwayForm:
    def test_an_organisation_finishes_with_one_of_its_own_published_badges(self):
        organisation = OrganisationFactory()
        own = PublishedBadgeClassFactory(organisation=organisation)
        BadgeClassFactory(organisation=organisation)  # a draft
        PublishedBadgeClassFactory(organisation=OrganisationFactory(city=organisation.city))
        form = PathwayForm(city=organisation.city, organisation=organisation)
        assert list(form.fields["completion_badge"].queryset) == [own]

    def test_a_city_wide_pathway_may_finish_with_any_published_badge_in_the_city(self):
        city = CityFactory()
        one = PublishedBadgeClassFactory(organisation__city=city, organisation__name="A")
        two = PublishedBadgeClassFactory(organisation__city=city, organisation__name="B")
        PublishedBadgeClassFactory(organisation__city=CityFactory())
        PublishedBadgeClassFactory(
            organisation__city=city, organisation__status=Organisation.Status.PENDING
        )
        form = PathwayForm(city=city, organisation=None)
        assert list(form.fields["completion_badge"].queryset) == [one, two]

    def test_values_are_the_services_fields(self):
        organisation = OrganisationFactory()
        form = PathwayForm(
            {
                "name": "Into digital",
                "summary": "A route.",
                "destination_kind": "course",
                "destination_url": "example.org/course",
                "ordered": "on",
            },
            city=organisation.city,
            organisation=organisation,
        )
        assert form.is_valid(), form.errors
        assert form.values() == {
            "name": "Into digital",
            "summary": "A route.",
            "description": "",
            "destination_kind": "course",
            "destination": "",
            "destination_url": "https://example.org/course",
            "ordered": True,
            "allow_external": False,
            "completion_badge": None,
        }


@pytest.mark.django_db
class TestStepForm:
    @pytest.fixture
    def city(self):
        return CityFactory()

    def test_it_offers_the_citys_published_badges_and_opportunities_only(self, city):
        badge = PublishedBadgeClassFactory(organisation__city=city)
        BadgeClassFactory(organisation__city=city)  # a draft
        PublishedBadgeClassFactory(organisation__city=CityFactory())
        opportunity = OpportunityFactory(organisation__city=city)
        OpportunityFactory(organisation__city=city, status=OpportunityStatus.DRAFT)
        OpportunityFactory(organisation__city=CityFactory())
        topic = TopicFactory(city=city)
        TopicFactory(city=CityFactory())
        form = StepForm(city=city)
        assert list(form.fields["badge_classes"].queryset) == [badge]
        assert list(form.fields["opportunities"].queryset) == [opportunity]
        assert list(form.fields["topic"].queryset) == [topic]

    def test_badges_are_grouped_by_organisation(self, city):
        art = OrganisationFactory(city=city, name="Art club")
        code = OrganisationFactory(city=city, name="Code club")
        PublishedBadgeClassFactory(organisation=code, name="Python")
        PublishedBadgeClassFactory(organisation=art, name="Drawing")
        PublishedBadgeClassFactory(organisation=art, name="Painting")
        groups = StepForm(city=city).badge_groups()
        assert [(name, [c.choice_label for c in boxes]) for name, boxes in groups] == [
            ("Art club", ["Drawing", "Painting"]),
            ("Code club", ["Python"]),
        ]

    def test_needing_more_badges_than_the_step_has_is_refused(self, city):
        badge = PublishedBadgeClassFactory(organisation__city=city)
        form = StepForm(
            {
                "title": "Two of them",
                "required": "2",
                "badge_classes": [str(badge.pk)],
                "external_achievement_ids": "",
            },
            city=city,
        )
        assert not form.is_valid()
        assert form.errors["required"] == [errors.PATHWAY_STEP_REQUIRED_TOO_MANY.format(count=1)]

    def test_a_topic_step_may_need_several_badges(self, city):
        topic = TopicFactory(city=city)
        form = StepForm(
            {"title": "Two in a topic", "required": "2", "topic": str(topic.pk)}, city=city
        )
        assert form.is_valid(), form.errors
        assert form.values() == {
            "title": "Two in a topic",
            "description": "",
            "required": 2,
            "badge_classes": [],
            "topic": topic,
            "external_achievement_ids": [],
            "opportunities": [],
        }

    def test_external_ids_count_towards_what_a_step_can_need(self, city):
        badge = PublishedBadgeClassFactory(organisation__city=city)
        form = StepForm(
            {
                "title": "Here or elsewhere",
                "required": "2",
                "badge_classes": [str(badge.pk)],
                "external_achievement_ids": "https://other.example/achievements/1",
            },
            city=city,
        )
        assert form.is_valid(), form.errors
        assert form.values()["external_achievement_ids"] == ["https://other.example/achievements/1"]
        assert form.values()["badge_classes"] == [badge]

    def test_a_badge_of_another_city_is_not_a_valid_choice(self, city):
        elsewhere = PublishedBadgeClassFactory(organisation__city=CityFactory())
        form = StepForm(
            {"title": "Sneaky", "required": "1", "badge_classes": [str(elsewhere.pk)]}, city=city
        )
        assert not form.is_valid()
        assert "badge_classes" in form.errors
