"""An organisation's staff building pathways: what each page does, and an access test for every
URL (anonymous → sign in, a learner or another organisation's staff → 404, a viewer → 403 on
every page that changes something)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from learningcity.accounts.tests.factories import UserFactory
from learningcity.badges.services import award_issue
from learningcity.badges.tests.factories import BadgeClassFactory
from learningcity.cities.tests.factories import CityFactory
from learningcity.core import errors
from learningcity.opportunities.tests.factories import OpportunityFactory
from learningcity.organisations.models import Role
from learningcity.organisations.tests.factories import MembershipFactory, OrganisationFactory
from learningcity.pathways.models import Enrolment, Pathway, PathwayStatus, PathwayStep

from .factories import PathwayFactory, PathwayStepFactory, PublishedBadgeClassFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return CityFactory(name="Brighton & Hove", slug="brighton-hove")


@pytest.fixture
def organisation(city):
    return OrganisationFactory(city=city, name="Hove Youth Club", slug="hove-youth-club")


@pytest.fixture
def partner(city):
    return OrganisationFactory(city=city, name="Digital Brighton", slug="digital-brighton")


def staff(organisation, role):
    return MembershipFactory(organisation=organisation, role=role).user


@pytest.fixture
def editor(organisation):
    return staff(organisation, Role.EDITOR)


@pytest.fixture
def viewer(organisation):
    return staff(organisation, Role.VIEWER)


@pytest.fixture
def coding(organisation):
    return PublishedBadgeClassFactory(organisation=organisation, name="Coding club")


@pytest.fixture
def web(partner):
    """A badge of another organisation in the city: pathways may span organisations."""
    return PublishedBadgeClassFactory(organisation=partner, name="Web basics")


@pytest.fixture
def finished(organisation):
    return PublishedBadgeClassFactory(organisation=organisation, name="Digital pathfinder")


@pytest.fixture
def pathway(organisation):
    return PathwayFactory(organisation=organisation, name="Into digital")


def org_kwargs(organisation):
    return {"city_slug": organisation.city.slug, "org_slug": organisation.slug}


def list_url(organisation):
    return reverse("staff-pathway-list", kwargs=org_kwargs(organisation))


def create_url(organisation):
    return reverse("staff-pathway-create", kwargs=org_kwargs(organisation))


def url(name, pathway, step=None):
    kwargs = {**org_kwargs(pathway.organisation), "public_id": pathway.public_id}
    if step is not None:
        kwargs["step_id"] = step.pk
    return reverse(name, kwargs=kwargs)


def pathway_data(**overrides):
    values = {
        "name": "Into digital",
        "summary": "From your first coding club to an apprenticeship.",
        "description": "",
        "destination_kind": "apprenticeship",
        "destination": "Level 3 Digital apprenticeship",
        "destination_url": "https://example.org/apprenticeships",
        "completion_badge": "",
    }
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


def step_data(**overrides):
    values = {
        "title": "Try a coding club",
        "description": "",
        "required": "1",
        "topic": "",
        "external_achievement_ids": "",
    }
    values.update(overrides)
    return values


def messages_of(response):
    return [str(message) for message in response.context["messages"]] if response.context else []


class TestBuildingAPathway:
    def test_an_editor_creates_a_pathway_adds_steps_and_publishes_it(
        self, client, organisation, editor, coding, web, finished
    ):
        client.force_login(editor)
        opportunity = OpportunityFactory(organisation=organisation, title="Saturday coding")

        response = client.post(
            create_url(organisation),
            pathway_data(ordered="on", completion_badge=str(finished.pk)),
        )
        pathway = Pathway.objects.get()
        assert response.status_code == 302
        assert response["Location"] == url("staff-pathway-detail", pathway)
        assert pathway.organisation == organisation
        assert pathway.city == organisation.city
        assert pathway.status == PathwayStatus.DRAFT
        assert pathway.ordered is True
        assert pathway.allow_external is False
        assert pathway.completion_badge == finished
        assert pathway.created_by == editor
        assert pathway.destination_url == "https://example.org/apprenticeships"

        response = client.post(
            url("staff-pathway-step-add", pathway),
            step_data(badge_classes=[str(coding.pk)], opportunities=[str(opportunity.pk)]),
        )
        assert response.status_code == 302
        response = client.post(
            url("staff-pathway-step-add", pathway),
            step_data(
                title="Build a website",
                required="2",
                badge_classes=[str(coding.pk), str(web.pk)],
                external_achievement_ids=(
                    "https://badges.example.com/achievements/html\n\n"
                    "https://badges.example.com/achievements/html\n"
                ),
            ),
        )
        assert response.status_code == 302

        first, second = PathwayStep.objects.filter(pathway=pathway).order_by("position")
        assert (first.position, first.title, first.required) == (1, "Try a coding club", 1)
        assert list(first.badge_classes.all()) == [coding]
        assert list(first.opportunities.all()) == [opportunity]
        assert (second.position, second.title, second.required) == (2, "Build a website", 2)
        assert set(second.badge_classes.all()) == {coding, web}
        assert second.external_achievement_ids == ["https://badges.example.com/achievements/html"]

        response = client.post(url("staff-pathway-publish", pathway), follow=True)
        pathway.refresh_from_db()
        assert pathway.status == PathwayStatus.PUBLISHED
        assert any("is published" in message for message in messages_of(response))

    def test_the_detail_page_shows_the_steps_and_their_badges(
        self, client, viewer, pathway, coding, web
    ):
        PathwayStepFactory(pathway=pathway, position=1, title="Try coding", badge_classes=[coding])
        PathwayStepFactory(pathway=pathway, position=2, title="Make a site", badge_classes=[web])
        client.force_login(viewer)
        response = client.get(url("staff-pathway-detail", pathway))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Step 1: Try coding" in page
        assert "Step 2: Make a site" in page
        assert "Web basics" in page and "Digital Brighton" in page
        # A viewer sees no buttons that change things.
        assert url("staff-pathway-publish", pathway) not in page
        assert url("staff-pathway-step-add", pathway) not in page

    def test_missing_fields_are_shown_next_to_them(self, client, organisation, editor):
        client.force_login(editor)
        response = client.post(create_url(organisation), pathway_data(name="", summary=""))
        assert response.status_code == 400
        assert response.context["form"].errors["name"]
        assert 'id="id_name_error"' in response.content.decode()
        assert not Pathway.objects.exists()

    def test_the_completion_badge_must_be_one_of_the_organisations_own(
        self, client, organisation, editor, web
    ):
        client.force_login(editor)
        response = client.post(create_url(organisation), pathway_data(completion_badge=str(web.pk)))
        assert response.status_code == 400
        assert "completion_badge" in response.context["form"].errors
        assert not Pathway.objects.exists()

    def test_editing_changes_the_pathway(self, client, editor, pathway):
        client.force_login(editor)
        assert client.get(url("staff-pathway-edit", pathway)).status_code == 200
        response = client.post(
            url("staff-pathway-edit", pathway),
            pathway_data(name="Into digital careers", allow_external="on"),
        )
        assert response.status_code == 302
        pathway.refresh_from_db()
        assert pathway.name == "Into digital careers"
        assert pathway.allow_external is True


class TestSteps:
    def test_a_bad_external_achievement_id_is_refused_next_to_its_field(
        self, client, editor, pathway, coding
    ):
        client.force_login(editor)
        response = client.post(
            url("staff-pathway-step-add", pathway),
            step_data(
                badge_classes=[str(coding.pk)],
                external_achievement_ids="https://ok.example/a\nftp://files.example/badge\n",
            ),
        )
        assert response.status_code == 400
        expected = errors.PATHWAY_STEP_EXTERNAL_URL_INVALID.format(
            value="ftp://files.example/badge"
        )
        assert response.context["form"].errors["external_achievement_ids"] == [expected]
        assert escape(expected) in response.content.decode()
        assert not PathwayStep.objects.exists()

    def test_asking_for_more_badges_than_the_step_has_is_refused(
        self, client, editor, pathway, coding
    ):
        client.force_login(editor)
        response = client.post(
            url("staff-pathway-step-add", pathway),
            step_data(badge_classes=[str(coding.pk)], required="3"),
        )
        assert response.status_code == 400
        assert response.context["form"].errors["required"] == [
            errors.PATHWAY_STEP_REQUIRED_TOO_MANY.format(count=1)
        ]

    def test_the_step_form_lists_badges_of_every_organisation_grouped(
        self, client, editor, pathway, coding, web, city
    ):
        BadgeClassFactory(organisation=pathway.organisation, name="Unfinished draft")
        PublishedBadgeClassFactory(organisation__city=CityFactory(), name="Elsewhere badge")
        client.force_login(editor)
        page = client.get(url("staff-pathway-step-add", pathway)).content.decode()
        assert "<legend>Hove Youth Club</legend>" in page
        assert "<legend>Digital Brighton</legend>" in page
        assert "Coding club" in page and "Web basics" in page
        assert "Unfinished draft" not in page
        assert "Elsewhere badge" not in page

    def test_editing_a_step_shows_its_values_and_saves_changes(
        self, client, editor, pathway, coding, web
    ):
        step = PathwayStepFactory(
            pathway=pathway, position=1, title="Try coding", badge_classes=[coding]
        )
        client.force_login(editor)
        response = client.get(url("staff-pathway-step-edit", pathway, step))
        assert response.status_code == 200
        assert response.context["form"].initial["badge_classes"] == [coding.pk]
        response = client.post(
            url("staff-pathway-step-edit", pathway, step),
            step_data(title="Try web or coding", badge_classes=[str(coding.pk), str(web.pk)]),
        )
        assert response.status_code == 302
        step.refresh_from_db()
        assert step.title == "Try web or coding"
        assert set(step.badge_classes.all()) == {coding, web}

    def test_steps_move_up_and_down(self, client, editor, pathway, coding):
        first = PathwayStepFactory(pathway=pathway, position=1, title="A", badge_classes=[coding])
        second = PathwayStepFactory(pathway=pathway, position=2, title="B", badge_classes=[coding])
        third = PathwayStepFactory(pathway=pathway, position=3, title="C", badge_classes=[coding])
        client.force_login(editor)

        response = client.post(url("staff-pathway-step-move", pathway, third), {"direction": "up"})
        assert response.status_code == 302
        titles = list(pathway.steps.order_by("position").values_list("title", flat=True))
        assert titles == ["A", "C", "B"]

        client.post(url("staff-pathway-step-move", pathway, first), {"direction": "down"})
        titles = list(pathway.steps.order_by("position").values_list("title", flat=True))
        assert titles == ["C", "A", "B"]

        # Off either end, or a direction that isn't one, nothing changes.
        client.post(url("staff-pathway-step-move", pathway, third), {"direction": "up"})
        client.post(url("staff-pathway-step-move", pathway, second), {"direction": "down"})
        client.post(url("staff-pathway-step-move", pathway, first), {"direction": "sideways"})
        titles = list(pathway.steps.order_by("position").values_list("title", flat=True))
        assert titles == ["C", "A", "B"]

    def test_removing_a_step_closes_the_gap(self, client, editor, pathway, coding):
        PathwayStepFactory(pathway=pathway, position=1, title="A", badge_classes=[coding])
        middle = PathwayStepFactory(pathway=pathway, position=2, title="B", badge_classes=[coding])
        PathwayStepFactory(pathway=pathway, position=3, title="C", badge_classes=[coding])
        client.force_login(editor)
        response = client.post(url("staff-pathway-step-remove", pathway, middle))
        assert response.status_code == 302
        assert list(pathway.steps.order_by("position").values_list("position", "title")) == [
            (1, "A"),
            (2, "C"),
        ]

    def test_a_step_of_another_pathway_is_not_found(self, client, editor, pathway, organisation):
        other = PathwayStepFactory(pathway=PathwayFactory(organisation=organisation), position=1)
        client.force_login(editor)
        response = client.post(
            reverse(
                "staff-pathway-step-remove",
                kwargs={
                    **org_kwargs(organisation),
                    "public_id": pathway.public_id,
                    "step_id": other.pk,
                },
            )
        )
        assert response.status_code == 404
        assert PathwayStep.objects.filter(pk=other.pk).exists()


class TestPublishingAndArchiving:
    def test_publishing_with_a_step_without_badges_shows_why(self, client, editor, pathway, coding):
        PathwayStepFactory(pathway=pathway, position=1, title="Try coding", badge_classes=[coding])
        PathwayStepFactory(pathway=pathway, position=2, title="Something else")
        client.force_login(editor)
        response = client.post(url("staff-pathway-publish", pathway), follow=True)
        assert errors.PATHWAY_STEP_NO_BADGES.format(
            position=2, title="Something else"
        ) in messages_of(response)
        pathway.refresh_from_db()
        assert pathway.status == PathwayStatus.DRAFT

    def test_publishing_without_steps_shows_why(self, client, editor, pathway):
        client.force_login(editor)
        response = client.post(url("staff-pathway-publish", pathway), follow=True)
        assert errors.PATHWAY_NEEDS_STEPS in messages_of(response)
        pathway.refresh_from_db()
        assert pathway.status == PathwayStatus.DRAFT

    def test_archiving_closes_the_pathway_to_changes(self, client, editor, pathway, coding):
        step = PathwayStepFactory(pathway=pathway, position=1, badge_classes=[coding])
        client.force_login(editor)
        response = client.post(url("staff-pathway-archive", pathway))
        assert response.status_code == 302
        pathway.refresh_from_db()
        assert pathway.status == PathwayStatus.ARCHIVED

        response = client.get(url("staff-pathway-edit", pathway), follow=True)
        assert errors.PATHWAY_ARCHIVED in messages_of(response)
        response = client.post(
            url("staff-pathway-step-edit", pathway, step), step_data(title="Changed"), follow=True
        )
        assert errors.PATHWAY_ARCHIVED in messages_of(response)
        step.refresh_from_db()
        assert step.title != "Changed"


class TestTheList:
    def test_it_groups_the_organisations_pathways_with_their_counts(
        self, client, viewer, organisation, coding
    ):
        published = PathwayFactory(
            organisation=organisation, name="Published one", status=PathwayStatus.PUBLISHED
        )
        PathwayFactory(organisation=organisation, name="A draft one")
        PathwayFactory(organisation=OrganisationFactory(city=organisation.city), name="Not ours")
        now = timezone.now()
        for completed_at in (None, None, now):
            Enrolment.objects.create(
                pathway=published, learner=UserFactory(), joined_at=now, completed_at=completed_at
            )
        client.force_login(viewer)
        response = client.get(list_url(organisation))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Published one" in page and "A draft one" in page
        assert "Not ours" not in page
        assert "3 learners enrolled · 1 completed" in page
        assert [label for label, _, _ in response.context["groups"]] == ["Draft", "Published"]
        # A viewer is not offered the button to add one.
        assert create_url(organisation) not in page


class TestTheReport:
    def test_it_counts_enrolled_completed_and_each_step(self, client, viewer, pathway, coding, web):
        first = PathwayStepFactory(
            pathway=pathway, position=1, title="Try coding", badge_classes=[coding]
        )
        PathwayStepFactory(pathway=pathway, position=2, title="Make a site", badge_classes=[web])
        pathway.status = PathwayStatus.PUBLISHED
        pathway.save()
        now = timezone.now()
        day = datetime.timedelta(days=1)
        # Two learners completed, after 10 and 4 days: the median is 7.
        for joined_days_ago in (10, 4):
            Enrolment.objects.create(
                pathway=pathway,
                learner=UserFactory(),
                joined_at=now - joined_days_ago * day,
                completed_at=now,
                steps_done=2,
            )
        # One holds the first step's badge; one holds nothing yet.
        halfway = UserFactory(email="halfway@example.org")
        award_issue(
            badge_class=coding, recipient_email="halfway@example.org", issued_by=None, notify=False
        )
        Enrolment.objects.create(pathway=pathway, learner=halfway, joined_at=now, steps_done=1)
        Enrolment.objects.create(pathway=pathway, learner=UserFactory(), joined_at=now)

        client.force_login(viewer)
        response = client.get(url("staff-pathway-report", pathway))
        assert response.status_code == 200
        report = response.context["report"]
        assert (report.enrolled, report.in_progress, report.completed) == (4, 2, 2)
        assert report.median_days_to_complete == 7.0
        assert [(s.title, s.satisfied_count) for s in report.steps] == [
            ("Try coding", 3),
            ("Make a site", 2),
        ]
        assert [percent for _, percent in response.context["steps"]] == [75, 50]
        page = response.content.decode()
        assert '<dd id="report-enrolled">4</dd>' in page
        assert '<dd id="report-completed">2</dd>' in page
        assert '<dd id="report-in-progress">2</dd>' in page
        assert "7.0 days" in page
        assert f'<th scope="row">{first.position}. Try coding</th><td>3</td><td>75%</td>' in page

    def test_a_pathway_nobody_has_joined_says_so(self, client, viewer, pathway):
        client.force_login(viewer)
        response = client.get(url("staff-pathway-report", pathway))
        assert response.status_code == 200
        assert "Nobody has completed it yet" in response.content.decode()


class TestAccess:
    def pages(self, organisation, pathway, step):
        return [
            ("GET", list_url(organisation)),
            ("GET", create_url(organisation)),
            ("POST", create_url(organisation)),
            ("GET", url("staff-pathway-detail", pathway)),
            ("GET", url("staff-pathway-edit", pathway)),
            ("POST", url("staff-pathway-edit", pathway)),
            ("POST", url("staff-pathway-publish", pathway)),
            ("POST", url("staff-pathway-archive", pathway)),
            ("GET", url("staff-pathway-report", pathway)),
            ("GET", url("staff-pathway-step-add", pathway)),
            ("POST", url("staff-pathway-step-add", pathway)),
            ("GET", url("staff-pathway-step-edit", pathway, step)),
            ("POST", url("staff-pathway-step-edit", pathway, step)),
            ("POST", url("staff-pathway-step-remove", pathway, step)),
            ("POST", url("staff-pathway-step-move", pathway, step)),
        ]

    def request(self, client, method, page):
        return client.get(page) if method == "GET" else client.post(page, {"direction": "up"})

    def test_anonymous_visitors_are_sent_to_sign_in(self, client, organisation, pathway):
        step = PathwayStepFactory(pathway=pathway, position=1)
        for method, page in self.pages(organisation, pathway, step):
            response = self.request(client, method, page)
            assert response.status_code == 302, page
            assert reverse("account_login") in response["Location"]

    @pytest.mark.parametrize("who", ["learner", "other staff", "city admin"])
    def test_anyone_not_on_the_staff_gets_404(self, client, organisation, pathway, who):
        step = PathwayStepFactory(pathway=pathway, position=1)
        if who == "learner":
            user = UserFactory()
        elif who == "other staff":
            user = staff(OrganisationFactory(city=organisation.city), Role.OWNER)
        else:
            from learningcity.cities.tests.factories import CityAdminFactory

            user = CityAdminFactory(city=organisation.city).user
        client.force_login(user)
        for method, page in self.pages(organisation, pathway, step):
            assert self.request(client, method, page).status_code == 404, page
        pathway.refresh_from_db()
        assert pathway.status == PathwayStatus.DRAFT

    def test_a_viewer_sees_but_cannot_change(self, client, organisation, pathway, viewer):
        step = PathwayStepFactory(pathway=pathway, position=1, title="Kept")
        client.force_login(viewer)
        for method, page in self.pages(organisation, pathway, step):
            status = self.request(client, method, page).status_code
            if page in (
                list_url(organisation),
                url("staff-pathway-detail", pathway),
                url("staff-pathway-report", pathway),
            ):
                assert status == 200, page
            else:
                assert status == 403, page
        assert PathwayStep.objects.get(pk=step.pk).title == "Kept"
        assert Pathway.objects.count() == 1

    def test_another_organisations_pathway_is_not_found_through_ours(
        self, client, organisation, editor
    ):
        theirs = PathwayFactory(organisation=OrganisationFactory(city=organisation.city))
        step = PathwayStepFactory(pathway=theirs, position=1)
        client.force_login(editor)
        kwargs = {**org_kwargs(organisation), "public_id": theirs.public_id}
        assert client.get(reverse("staff-pathway-detail", kwargs=kwargs)).status_code == 404
        assert client.get(reverse("staff-pathway-report", kwargs=kwargs)).status_code == 404
        assert client.post(reverse("staff-pathway-publish", kwargs=kwargs)).status_code == 404
        step_kwargs = {**kwargs, "step_id": step.pk}
        response = client.post(reverse("staff-pathway-step-remove", kwargs=step_kwargs))
        assert response.status_code == 404
        assert PathwayStep.objects.filter(pk=step.pk).exists()

    def test_a_city_wide_pathway_is_not_found_through_an_organisation(
        self, client, organisation, editor
    ):
        city_wide = PathwayFactory(organisation=None, city=organisation.city)
        client.force_login(editor)
        kwargs = {**org_kwargs(organisation), "public_id": city_wide.public_id}
        assert client.get(reverse("staff-pathway-detail", kwargs=kwargs)).status_code == 404
