import pytest
from django.urls import reverse
from django.utils.html import escape

from learningcity.accounts.tests.factories import UserFactory
from learningcity.badges.models import Award
from learningcity.badges.services import award_issue
from learningcity.opportunities.tests.factories import OpportunityFactory, SessionFactory
from learningcity.organisations.tests.factories import OrganisationFactory
from learningcity.pathways.models import Enrolment
from learningcity.pathways.services import (
    enrolment_join,
    pathway_create,
    pathway_publish,
    pathway_step_add,
)
from learningcity.pathways.views.learner import LEFT

from .factories import PublishedBadgeClassFactory

pytestmark = pytest.mark.django_db

MY_PATHWAYS = reverse("my-pathways")


def leave_url(pathway):
    return reverse("my-pathway-leave", kwargs={"public_id": pathway.public_id})


@pytest.fixture
def organisation():
    return OrganisationFactory()


@pytest.fixture
def badges(organisation):
    return PublishedBadgeClassFactory.create_batch(3, organisation=organisation)


@pytest.fixture
def pathway(organisation, badges):
    """Three ordered steps, one badge each, with a completion badge."""
    pathway = pathway_create(
        city=organisation.city,
        organisation=organisation,
        by=None,
        name="Into digital",
        summary="One line.",
        ordered=True,
        completion_badge=PublishedBadgeClassFactory(
            organisation=organisation, name="Digital starter"
        ),
    )
    for number, badge in enumerate(badges, start=1):
        pathway_step_add(pathway=pathway, title=f"Step number {number}", badge_classes=[badge])
    pathway_publish(pathway=pathway, by=None)
    pathway.refresh_from_db()
    return pathway


def give(user, badge_class):
    return award_issue(
        badge_class=badge_class, recipient_email=user.email, issued_by=None, notify=False
    )


def test_my_pathways_needs_signing_in(client):
    response = client.get(MY_PATHWAYS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_my_pathways_shows_progress_and_what_to_do_next(client, pathway, badges, organisation):
    learner = UserFactory()
    give(learner, badges[0])
    enrolment_join(pathway=pathway, learner=learner)
    opportunity = OpportunityFactory(organisation=organisation, title="Web design workshop")
    opportunity.badge_classes.add(badges[1])
    SessionFactory(opportunity=opportunity)
    far_off = OpportunityFactory(organisation=organisation, title="Robotics weekend")
    far_off.badge_classes.add(badges[2])  # a later step's: not "next" in an ordered pathway
    client.force_login(learner)
    response = client.get(MY_PATHWAYS)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Into digital" in text
    assert "1 of 3 steps done" in text
    assert '<progress id="progress-' in text and 'max="3" value="1"' in text
    assert "What to do next" in text
    assert "Step number 2" in text
    assert "Web design workshop" in text
    assert "Robotics weekend" not in text
    assert text.count("<h1") == 1


def test_an_unordered_pathway_lists_every_missing_step_as_next(client, organisation, badges):
    pathway = pathway_create(
        city=organisation.city, organisation=organisation, by=None, name="Any order", summary="x"
    )
    for number, badge in enumerate(badges, start=1):
        pathway_step_add(pathway=pathway, title=f"Unordered {number}", badge_classes=[badge])
    pathway_publish(pathway=pathway, by=None)
    pathway.refresh_from_db()
    learner = UserFactory()
    give(learner, badges[1])
    enrolment_join(pathway=pathway, learner=learner)
    client.force_login(learner)
    text = client.get(MY_PATHWAYS).content.decode()
    next_part = text.split("What to do next", 1)[1]
    assert "Unordered 1" in next_part and "Unordered 3" in next_part
    assert "Unordered 2" not in next_part


def test_a_completed_pathway_links_to_the_completion_badge(client, pathway, badges):
    learner = UserFactory()
    for badge in badges:
        give(learner, badge)
    enrolment = enrolment_join(pathway=pathway, learner=learner)
    award = Award.objects.get(badge_class__name="Digital starter")
    assert enrolment.completion_award == award
    client.force_login(learner)
    text = client.get(MY_PATHWAYS).content.decode()
    assert "Completed on" in text
    assert award.get_absolute_url() in text
    assert "You aren't on a pathway yet" in text  # nothing still in progress


def test_another_learners_pathways_are_not_shown(client, pathway):
    enrolment_join(pathway=pathway, learner=UserFactory())
    client.force_login(UserFactory())
    text = client.get(MY_PATHWAYS).content.decode()
    assert "Into digital" not in text
    assert "You aren't on a pathway yet" in text


def test_leaving_asks_first_then_removes_the_enrolment(client, pathway):
    learner = UserFactory()
    enrolment_join(pathway=pathway, learner=learner)
    client.force_login(learner)
    confirm = client.get(leave_url(pathway))
    assert confirm.status_code == 200
    assert "Leave the pathway" in confirm.content.decode()
    assert Enrolment.objects.filter(learner=learner).exists()
    response = client.post(leave_url(pathway), follow=True)
    assert response.redirect_chain[-1][0] == MY_PATHWAYS
    assert escape(LEFT.format(name=pathway.name)) in response.content.decode()
    assert not Enrolment.objects.filter(learner=learner).exists()


def test_leaving_keeps_the_completion_badge(client, pathway, badges):
    learner = UserFactory()
    for badge in badges:
        give(learner, badge)
    enrolment_join(pathway=pathway, learner=learner)
    client.force_login(learner)
    client.post(leave_url(pathway))
    assert not Enrolment.objects.exists()
    assert Award.objects.filter(badge_class__name="Digital starter", recipient=learner).exists()


def test_another_learners_enrolment_cannot_be_left_or_seen(client, pathway):
    owner = UserFactory()
    enrolment_join(pathway=pathway, learner=owner)
    client.force_login(UserFactory())
    assert client.get(leave_url(pathway)).status_code == 404
    assert client.post(leave_url(pathway)).status_code == 404
    assert Enrolment.objects.filter(learner=owner).exists()


def test_leaving_needs_signing_in(client, pathway):
    enrolment_join(pathway=pathway, learner=UserFactory())
    response = client.post(leave_url(pathway))
    assert response.status_code == 302
    assert Enrolment.objects.count() == 1
