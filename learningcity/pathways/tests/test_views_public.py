import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from learningcity.accounts.tests.factories import UserFactory
from learningcity.badges.services import award_issue
from learningcity.cities.tests.factories import CityFactory
from learningcity.opportunities.models import OpportunityStatus
from learningcity.opportunities.tests.factories import OpportunityFactory, SessionFactory
from learningcity.organisations.tests.factories import OrganisationFactory
from learningcity.pathways.models import Enrolment, PathwayStatus
from learningcity.pathways.services import (
    pathway_archive,
    pathway_create,
    pathway_publish,
    pathway_step_add,
)
from learningcity.pathways.views.public import COMPLETED_ON_JOINING, JOINED

from .factories import PathwayFactory, PublishedBadgeClassFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    return OrganisationFactory()


@pytest.fixture
def badge(organisation):
    return PublishedBadgeClassFactory(organisation=organisation, name="Code club regular")


@pytest.fixture
def pathway(organisation, badge):
    finish = PublishedBadgeClassFactory(organisation=organisation, name="Digital starter")
    pathway = pathway_create(
        city=organisation.city,
        organisation=organisation,
        by=None,
        name="Into digital",
        summary="From code club to apprenticeship.",
        destination="Level 3 Digital apprenticeship",
        completion_badge=finish,
    )
    pathway_step_add(pathway=pathway, title="Go to code club", badge_classes=[badge])
    pathway_publish(pathway=pathway, by=None)
    pathway.refresh_from_db()
    return pathway


def list_url(city):
    return reverse("pathway-list", kwargs={"city_slug": city.slug})


def join_url(pathway):
    return reverse(
        "pathway-join", kwargs={"city_slug": pathway.city.slug, "public_id": pathway.public_id}
    )


def test_the_list_shows_published_pathways_with_owner_destination_and_steps(
    client, pathway, organisation
):
    city_wide = pathway_create(
        city=organisation.city, organisation=None, by=None, name="City Explorer", summary="x"
    )
    pathway_step_add(
        pathway=city_wide,
        title="One",
        badge_classes=[PublishedBadgeClassFactory(organisation=organisation)],
    )
    pathway_publish(pathway=city_wide, by=None)
    PathwayFactory(organisation=organisation, name="Secret draft")
    response = client.get(list_url(organisation.city))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Into digital" in text
    assert "Level 3 Digital apprenticeship" in text
    assert f"By {organisation.name}" in text
    assert "1 step" in text
    assert "City Explorer" in text
    assert "City-wide" in text
    assert "Secret draft" not in text
    assert text.count("<h1") == 1


def test_the_list_of_another_city_does_not_show_this_citys_pathways(client, pathway):
    response = client.get(list_url(CityFactory()))
    assert response.status_code == 200
    assert "Into digital" not in response.content.decode()


def test_the_detail_shows_steps_badges_opportunities_and_the_completion_badge(
    client, pathway, badge, organisation
):
    opportunity = OpportunityFactory(organisation=organisation, title="Saturday code club")
    opportunity.badge_classes.add(badge)
    session = SessionFactory(opportunity=opportunity)
    OpportunityFactory(
        organisation=organisation, title="Draft club", status=OpportunityStatus.DRAFT
    ).badge_classes.add(badge)
    response = client.get(pathway.get_absolute_url())
    assert response.status_code == 200
    text = response.content.decode()
    assert "Go to code club" in text
    assert "Code club regular" in text
    assert "Saturday code club" in text
    assert timezone.localtime(session.starts_at).strftime("%a %-d %b") in text
    assert "Draft club" not in text
    assert "Digital starter" in text
    assert "Join this pathway" in text
    assert "Your progress" not in text


def test_a_draft_pathway_is_404_to_the_public(client, organisation):
    draft = PathwayFactory(organisation=organisation)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(UserFactory())
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.post(join_url(draft)).status_code == 404


def test_a_pathway_is_404_under_another_city(client, pathway):
    other = CityFactory()
    url = reverse(
        "pathway-detail", kwargs={"city_slug": other.slug, "public_id": pathway.public_id}
    )
    assert client.get(url).status_code == 404


def test_an_archived_pathway_is_visible_only_to_its_learners(client, pathway):
    learner = UserFactory()
    client.force_login(learner)
    client.post(join_url(pathway))
    pathway_archive(pathway=pathway, by=None)
    response = client.get(pathway.get_absolute_url())
    assert response.status_code == 200
    assert "Closed" in response.content.decode()
    client.force_login(UserFactory())
    assert client.get(pathway.get_absolute_url()).status_code == 404


def test_joining_needs_signing_in(client, pathway):
    response = client.post(join_url(pathway))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Enrolment.objects.exists()


def test_joining_is_a_post(client, pathway):
    client.force_login(UserFactory())
    assert client.get(join_url(pathway)).status_code == 405


def test_joining_enrols_and_shows_progress(client, pathway):
    learner = UserFactory()
    client.force_login(learner)
    response = client.post(join_url(pathway), follow=True)
    assert Enrolment.objects.filter(pathway=pathway, learner=learner).exists()
    text = response.content.decode()
    assert escape(JOINED.format(name=pathway.name)) in text
    assert "Your progress" in text
    assert "0 of 1 step done" in text
    assert "<progress" in text
    assert "Join this pathway" not in text
    # Joining again changes nothing.
    client.post(join_url(pathway))
    assert Enrolment.objects.filter(learner=learner).count() == 1


def test_joining_with_the_badges_already_held_completes_it(client, pathway, badge):
    learner = UserFactory()
    award_issue(
        badge_class=badge,
        recipient_email=learner.email,
        issued_by=None,
        notify=False,
        issued_at=timezone.now() - datetime.timedelta(days=2),
    )
    client.force_login(learner)
    response = client.post(join_url(pathway), follow=True)
    text = response.content.decode()
    assert "You completed this pathway" in text
    assert "See your badge" in text
    assert "You have this" in text
    assert escape(COMPLETED_ON_JOINING.format(name=pathway.name)) in text
    enrolment = Enrolment.objects.get(learner=learner)
    assert enrolment.completion_award.badge_class.name == "Digital starter"


def test_another_learners_progress_is_not_shown(client, pathway, badge):
    learner = UserFactory()
    award_issue(badge_class=badge, recipient_email=learner.email, issued_by=None, notify=False)
    client.force_login(learner)
    client.post(join_url(pathway))
    client.force_login(UserFactory())
    text = client.get(pathway.get_absolute_url()).content.decode()
    assert "Your progress" not in text
    assert "You have this" not in text
    assert "Join this pathway" in text


def test_joining_an_archived_pathway_is_404(client, pathway):
    pathway_archive(pathway=pathway, by=None)
    client.force_login(UserFactory())
    assert client.post(join_url(pathway)).status_code == 404
    assert pathway.__class__.objects.get(pk=pathway.pk).status == PathwayStatus.ARCHIVED


def test_a_step_names_another_citys_badge_from_this_installation_to_everyone(client, organisation):
    from learningcity.badges import publishing

    elsewhere = PublishedBadgeClassFactory(
        organisation=OrganisationFactory(name="Plymouth Sailing Trust"), name="Sailing Basics"
    )
    pathway = pathway_create(
        city=organisation.city,
        organisation=organisation,
        by=None,
        name="On the water",
        summary="From sailing to the harbour.",
        allow_external=True,
    )
    pathway_step_add(
        pathway=pathway,
        title="Learn to sail",
        external_achievement_ids=[publishing.badge_class_url(elsewhere)],
    )
    pathway_publish(pathway=pathway, by=None)
    page = client.get(pathway.get_absolute_url()).content.decode()
    assert "Sailing Basics" in page
    assert "Plymouth Sailing Trust" in page
    assert "A badge from another issuer" not in page
