"""The city team's pages for city-wide pathways: building a "City Explorer" pathway of topic
steps across organisations, and who may get in (only the city's admins: others get 403, as on the
city team's other pages; another city's pathway, or an organisation's, is 404 here)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from learningcity.accounts.tests.factories import UserFactory
from learningcity.cities.tests.factories import CityAdminFactory, CityFactory
from learningcity.core import errors
from learningcity.opportunities.tests.factories import OpportunityFactory, TopicFactory
from learningcity.organisations.models import Role
from learningcity.organisations.tests.factories import MembershipFactory, OrganisationFactory
from learningcity.pathways.models import Enrolment, Pathway, PathwayStatus, PathwayStep

from .factories import PathwayFactory, PathwayStepFactory, PublishedBadgeClassFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return CityFactory(name="Plymouth", slug="plymouth")


@pytest.fixture
def city_admin(city):
    return CityAdminFactory(city=city).user


@pytest.fixture
def library(city):
    return OrganisationFactory(city=city, name="Plymouth Libraries", slug="libraries")


@pytest.fixture
def museum(city):
    return OrganisationFactory(city=city, name="The Box", slug="the-box")


@pytest.fixture
def topics(city, library, museum):
    """Six topics, each with a published opportunity awarding a published badge, run by one of
    two organisations."""
    made = []
    for n, name in enumerate(["Arts", "Digital", "Nature", "Sport", "Science", "History"]):
        topic = TopicFactory(city=city, name=name, slug=name.lower())
        organisation = library if n % 2 else museum
        badge = PublishedBadgeClassFactory(organisation=organisation, name=f"{name} explorer")
        opportunity = OpportunityFactory(organisation=organisation, title=f"{name} taster")
        opportunity.topics.add(topic)
        opportunity.badge_classes.add(badge)
        made.append(topic)
    return made


@pytest.fixture
def explorer_badge(museum):
    return PublishedBadgeClassFactory(organisation=museum, name="City Explorer")


@pytest.fixture
def pathway(city):
    return PathwayFactory(organisation=None, city=city, name="City Explorer")


def list_url(city):
    return reverse("city-pathway-list", kwargs={"city_slug": city.slug})


def create_url(city):
    return reverse("city-pathway-create", kwargs={"city_slug": city.slug})


def url(name, pathway, step=None, city=None):
    kwargs = {"city_slug": (city or pathway.city).slug, "public_id": pathway.public_id}
    if step is not None:
        kwargs["step_id"] = step.pk
    return reverse(name, kwargs=kwargs)


def messages_of(response):
    return [str(message) for message in response.context["messages"]] if response.context else []


class TestCityExplorer:
    def test_the_city_team_builds_and_publishes_a_pathway_of_topic_steps(
        self, client, city, city_admin, topics, explorer_badge
    ):
        client.force_login(city_admin)
        assert client.get(create_url(city)).status_code == 200
        response = client.post(
            create_url(city),
            {
                "name": "City Explorer",
                "summary": "Earn badges in six different topics.",
                "description": "",
                "destination_kind": "other",
                "destination": "",
                "destination_url": "",
                # Any published badge in the city may finish a city-wide pathway.
                "completion_badge": str(explorer_badge.pk),
            },
        )
        pathway = Pathway.objects.get()
        assert response.status_code == 302
        assert response["Location"] == url("city-pathway-detail", pathway)
        assert pathway.organisation is None
        assert pathway.city == city
        assert pathway.completion_badge == explorer_badge

        for topic in topics:
            response = client.post(
                url("city-pathway-step-add", pathway),
                {
                    "title": f"A badge in {topic.name}",
                    "description": "",
                    "required": "1",
                    "topic": str(topic.pk),
                    "external_achievement_ids": "",
                },
            )
            assert response.status_code == 302, response.context["form"].errors

        steps = list(PathwayStep.objects.filter(pathway=pathway).order_by("position"))
        assert [(s.position, s.topic) for s in steps] == list(enumerate(topics, start=1))
        assert all(not s.badge_classes.exists() for s in steps)

        page = client.get(url("city-pathway-detail", pathway)).content.decode()
        assert "any badge in the topic <strong>Arts</strong>" in page

        response = client.post(url("city-pathway-publish", pathway), follow=True)
        pathway.refresh_from_db()
        assert pathway.status == PathwayStatus.PUBLISHED, messages_of(response)

    def test_a_topic_with_no_badges_yet_cannot_be_published(
        self, client, city, city_admin, pathway
    ):
        empty = TopicFactory(city=city, name="Cooking", slug="cooking")
        PathwayStepFactory(pathway=pathway, position=1, title="A cooking badge", topic=empty)
        client.force_login(city_admin)
        response = client.post(url("city-pathway-publish", pathway), follow=True)
        assert errors.PATHWAY_STEP_NO_BADGES.format(
            position=1, title="A cooking badge"
        ) in messages_of(response)
        pathway.refresh_from_db()
        assert pathway.status == PathwayStatus.DRAFT

    def test_the_list_shows_only_the_city_wide_pathways(
        self, client, city, city_admin, pathway, library
    ):
        PathwayFactory(organisation=library, name="Libraries only")
        PathwayFactory(organisation=None, city=CityFactory(), name="Another city's")
        Enrolment.objects.create(pathway=pathway, learner=UserFactory(), joined_at=timezone.now())
        client.force_login(city_admin)
        response = client.get(list_url(city))
        assert response.status_code == 200
        page = response.content.decode()
        assert "City Explorer" in page
        assert "Libraries only" not in page
        assert "Another city&#x27;s" not in page
        assert "1 learner enrolled · 0 completed" in page

    def test_steps_can_be_edited_moved_and_removed(self, client, city_admin, pathway, topics):
        first = PathwayStepFactory(pathway=pathway, position=1, title="One", topic=topics[0])
        second = PathwayStepFactory(pathway=pathway, position=2, title="Two", topic=topics[1])
        client.force_login(city_admin)
        assert client.get(url("city-pathway-step-edit", pathway, first)).status_code == 200
        client.post(url("city-pathway-step-move", pathway, second), {"direction": "up"})
        assert list(pathway.steps.order_by("position").values_list("title", flat=True)) == [
            "Two",
            "One",
        ]
        client.post(url("city-pathway-step-remove", pathway, second))
        assert list(pathway.steps.values_list("position", "title")) == [(1, "One")]

    def test_the_report_page_counts_learners(self, client, city_admin, pathway, topics):
        PathwayStepFactory(pathway=pathway, position=1, title="One", topic=topics[0])
        now = timezone.now()
        Enrolment.objects.create(pathway=pathway, learner=UserFactory(), joined_at=now)
        Enrolment.objects.create(
            pathway=pathway, learner=UserFactory(), joined_at=now, completed_at=now
        )
        client.force_login(city_admin)
        response = client.get(url("city-pathway-report", pathway))
        assert response.status_code == 200
        report = response.context["report"]
        assert (report.enrolled, report.in_progress, report.completed) == (2, 1, 1)
        assert [s.satisfied_count for s in report.steps] == [1]


class TestAccess:
    def pages(self, city, pathway, step):
        return [
            ("GET", list_url(city)),
            ("GET", create_url(city)),
            ("POST", create_url(city)),
            ("GET", url("city-pathway-detail", pathway)),
            ("GET", url("city-pathway-edit", pathway)),
            ("POST", url("city-pathway-publish", pathway)),
            ("POST", url("city-pathway-archive", pathway)),
            ("GET", url("city-pathway-report", pathway)),
            ("GET", url("city-pathway-step-add", pathway)),
            ("POST", url("city-pathway-step-edit", pathway, step)),
            ("POST", url("city-pathway-step-remove", pathway, step)),
            ("POST", url("city-pathway-step-move", pathway, step)),
        ]

    def request(self, client, method, page):
        return client.get(page) if method == "GET" else client.post(page, {"direction": "up"})

    def test_anonymous_visitors_are_sent_to_sign_in(self, client, city, pathway):
        step = PathwayStepFactory(pathway=pathway, position=1)
        for method, page in self.pages(city, pathway, step):
            response = self.request(client, method, page)
            assert response.status_code == 302, page
            assert reverse("account_login") in response["Location"]

    @pytest.mark.parametrize("who", ["learner", "organisation owner", "other city's admin"])
    def test_only_the_citys_admins_get_in(self, client, city, pathway, library, who):
        step = PathwayStepFactory(pathway=pathway, position=1, title="Kept")
        if who == "learner":
            user = UserFactory()
        elif who == "organisation owner":
            user = MembershipFactory(organisation=library, role=Role.OWNER).user
        else:
            user = CityAdminFactory(city=CityFactory()).user
        client.force_login(user)
        for method, page in self.pages(city, pathway, step):
            assert self.request(client, method, page).status_code == 403, page
        pathway.refresh_from_db()
        assert pathway.status == PathwayStatus.DRAFT
        assert PathwayStep.objects.get(pk=step.pk).title == "Kept"

    def test_another_citys_pathway_is_not_found_through_ours(self, client, city, city_admin):
        theirs = PathwayFactory(organisation=None, city=CityFactory(), name="Elsewhere")
        step = PathwayStepFactory(pathway=theirs, position=1)
        client.force_login(city_admin)
        for name in ("city-pathway-detail", "city-pathway-report", "city-pathway-edit"):
            assert client.get(url(name, theirs, city=city)).status_code == 404, name
        assert client.post(url("city-pathway-publish", theirs, city=city)).status_code == 404
        response = client.post(url("city-pathway-step-remove", theirs, step, city=city))
        assert response.status_code == 404
        assert PathwayStep.objects.filter(pk=step.pk).exists()

    def test_an_organisations_pathway_is_not_the_city_teams(
        self, client, city, city_admin, library
    ):
        theirs = PathwayFactory(organisation=library)
        client.force_login(city_admin)
        assert client.get(url("city-pathway-detail", theirs)).status_code == 404
        assert client.post(url("city-pathway-archive", theirs)).status_code == 404
        theirs.refresh_from_db()
        assert theirs.status == PathwayStatus.DRAFT
