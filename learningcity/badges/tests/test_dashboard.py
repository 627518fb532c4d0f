"""The organisation dashboard's badge work: counts by status, applications waiting, and the
recent-activity feed built from a few small queries."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from learningcity.accounts.tests.factories import UserFactory
from learningcity.badges import claims, selectors
from learningcity.badges.models import (
    Application,
    ApplicationStatus,
    Award,
    BadgeStatus,
    BulkIssue,
    BulkIssueRow,
    EndorsementRequest,
)
from learningcity.badges.services import award_issue, award_revoke
from learningcity.cities.tests.factories import CityFactory
from learningcity.organisations.models import Role
from learningcity.organisations.tests.factories import MembershipFactory, OrganisationFactory

from .factories import BadgeClassFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def ago(minutes: int) -> datetime.datetime:
    return NOW - datetime.timedelta(minutes=minutes)


def at(obj, when: datetime.datetime, **fields) -> None:
    """Move a row's times by hand, so the feed's order is the test's to decide."""
    type(obj).objects.filter(pk=obj.pk).update(created_at=when, **fields)


@pytest.fixture
def organisation():
    return OrganisationFactory(
        city=CityFactory(slug="brighton", name="Brighton & Hove"),
        slug="hove-youth-club",
        name="Hove Youth Club",
    )


@pytest.fixture
def badge_class(organisation):
    return BadgeClassFactory(
        organisation=organisation, name="First Aid", status=BadgeStatus.PUBLISHED
    )


def member(organisation, role):
    return MembershipFactory(organisation=organisation, role=role, user=UserFactory()).user


def dashboard_url(organisation) -> str:
    return reverse(
        "organisation-dashboard",
        kwargs={"city_slug": organisation.city.slug, "org_slug": organisation.slug},
    )


def apply(badge_class, *, name: str, when, status=ApplicationStatus.PENDING, decided=None, by=None):
    application = Application.objects.create(
        badge_class=badge_class,
        applicant=UserFactory(display_name=name),
        text="I ran the first aid station at the festival.",
        status=status,
        decided_by=by,
        decided_at=decided,
    )
    at(application, when)
    return application


def bulk_issue_done(organisation, badge_class, *, emails, finished):
    bulk = BulkIssue.objects.create(
        organisation=organisation,
        badge_class=badge_class,
        file_name="festival.csv",
        status=BulkIssue.Status.DONE,
        finished_at=finished,
    )
    for line, email in enumerate(emails, start=2):
        award = award_issue(badge_class=badge_class, recipient_email=email, issued_by=None)
        BulkIssueRow.objects.create(bulk_issue=bulk, line=line, email=email, award=award)
    BulkIssueRow.objects.create(bulk_issue=bulk, line=99, email="bad", error="Not an email.")
    return bulk


class TestSummary:
    def test_it_counts_badges_awards_and_applications_by_status(self, organisation, badge_class):
        BadgeClassFactory(organisation=organisation, status=BadgeStatus.DRAFT)
        BadgeClassFactory(organisation=organisation, status=BadgeStatus.ARCHIVED)
        BadgeClassFactory(status=BadgeStatus.PUBLISHED)  # another organisation's
        award_issue(badge_class=badge_class, recipient_email="a@example.org", issued_by=None)
        award_issue(
            badge_class=badge_class,
            recipient_email="b@example.org",
            issued_by=None,
            issued_at=ago(60 * 24 * 400),
            expires_at=ago(60 * 24 * 30),
        )
        revoked = award_issue(
            badge_class=badge_class, recipient_email="c@example.org", issued_by=None
        )
        award_revoke(award=revoked, by=None, reason="Wrong person.")
        apply(badge_class, name="Amara", when=ago(5))
        apply(badge_class, name="Kai", when=ago(4))
        apply(badge_class, name="Jo", when=ago(3), status=ApplicationStatus.REJECTED)

        summary = selectors.organisation_badge_summary(organisation=organisation)

        assert summary == {
            "badges": {"draft": 1, "published": 1, "archived": 1},
            "awards": {"live": 1, "expired": 1, "revoked": 1},
            "applications_waiting": 2,
        }

    def test_it_takes_three_queries(self, organisation, django_assert_num_queries):
        with django_assert_num_queries(3):
            selectors.organisation_badge_summary(organisation=organisation)


class TestActivity:
    def test_it_lists_every_kind_of_event_newest_first(self, organisation, badge_class):
        issuer = member(organisation, Role.ISSUER)
        decider = UserFactory(display_name="Priya")
        by_hand = award_issue(
            badge_class=badge_class, recipient_email="hand@example.org", issued_by=issuer
        )
        at(by_hand, ago(100))
        code = claims.claim_code_create(badge_class=badge_class, created_by=None)
        claimer = UserFactory(email="claimer@example.org")
        claimed = claims.claim_code_redeem(code=code.code, user=claimer)
        at(claimed, ago(90))
        automatic = award_issue(
            badge_class=badge_class, recipient_email="auto@example.org", issued_by=None
        )
        at(automatic, ago(80))
        revoked = award_issue(
            badge_class=badge_class, recipient_email="gone@example.org", issued_by=issuer
        )
        at(revoked, ago(75))
        award_revoke(award=revoked, by=None, reason="Given by mistake.")
        Award.objects.filter(pk=revoked.pk).update(revoked_at=ago(10))
        bulk = bulk_issue_done(
            organisation, badge_class, emails=["b1@example.org", "b2@example.org"], finished=ago(70)
        )
        received = apply(badge_class, name="Amara", when=ago(60))
        approved = apply(
            badge_class,
            name="Kai",
            when=ago(200),
            status=ApplicationStatus.APPROVED,
            decided=ago(50),
            by=decider,
        )
        approved_award = award_issue(
            badge_class=badge_class, recipient_email="kai@example.org", issued_by=decider
        )
        Application.objects.filter(pk=approved.pk).update(award=approved_award)
        rejected = apply(
            badge_class,
            name="Jo",
            when=ago(210),
            status=ApplicationStatus.REJECTED,
            decided=ago(40),
            by=decider,
        )
        asked = EndorsementRequest.objects.create(badge_class=badge_class)
        at(asked, ago(30))
        other_badge = BadgeClassFactory(organisation=organisation, name="Lead a Session")
        declined = EndorsementRequest.objects.create(
            badge_class=other_badge,
            status=EndorsementRequest.Status.DECLINED,
            decided_at=ago(20),
            decline_reason="Say more about the criteria.",
        )
        at(declined, ago(300))

        events = [
            (event.kind, event.subject.pk, event.route)
            for event in selectors.activity_list_for_organisation(organisation=organisation)
        ]

        assert events[:11] == [
            ("award_revoked", revoked.pk, ""),
            ("endorsement_declined", declined.pk, ""),
            ("endorsement_requested", asked.pk, ""),
            ("application_rejected", rejected.pk, ""),
            ("application_approved", approved.pk, ""),
            ("application_received", received.pk, ""),
            ("bulk_issue_done", bulk.pk, ""),
            ("award_issued", revoked.pk, "by hand"),
            ("award_issued", automatic.pk, "automatic"),
            ("award_issued", claimed.pk, "claim code"),
            ("award_issued", by_hand.pk, "by hand"),
        ]
        # Older than everything above: the two applications' arrival and the old request.
        assert events[11:] == [
            ("application_received", approved.pk, ""),
            ("application_received", rejected.pk, ""),
            ("endorsement_requested", declined.pk, ""),
        ]
        # The bulk issue's and the application's own awards are summed up, not listed.
        listed = {pk for kind, pk, _ in events if kind.startswith("award_")}
        assert approved_award.pk not in listed
        assert not listed & set(bulk.rows.exclude(award=None).values_list("award", flat=True))

    def test_a_finished_bulk_issue_counts_its_awards(self, organisation, badge_class):
        bulk_issue_done(
            organisation,
            badge_class,
            emails=["b1@example.org", "b2@example.org", "b3@example.org"],
            finished=ago(1),
        )
        BulkIssue.objects.create(organisation=organisation, status=BulkIssue.Status.RUNNING)
        [event] = selectors.activity_list_for_organisation(organisation=organisation)
        assert event.kind == "bulk_issue_done"
        assert event.subject.issued == 3

    def test_it_keeps_to_the_limit_and_to_the_newest(self, organisation, badge_class):
        for n in range(20):
            award = award_issue(
                badge_class=badge_class, recipient_email=f"l{n}@example.org", issued_by=None
            )
            at(award, ago(100 - n))
        events = selectors.activity_list_for_organisation(organisation=organisation, limit=15)
        assert len(events) == 15
        assert [event.subject.recipient_email for event in events] == [
            f"l{n}@example.org" for n in range(19, 4, -1)
        ]

    def test_another_organisations_work_is_not_in_it(self, organisation, badge_class):
        other = BadgeClassFactory(status=BadgeStatus.PUBLISHED)
        award_issue(badge_class=other, recipient_email="x@example.org", issued_by=None)
        apply(other, name="Elsewhere", when=ago(1))
        EndorsementRequest.objects.create(badge_class=other)
        assert selectors.activity_list_for_organisation(organisation=organisation) == []

    def test_the_query_count_does_not_grow_with_the_data(
        self, organisation, badge_class, django_assert_max_num_queries
    ):
        code = claims.claim_code_create(badge_class=badge_class, created_by=None, max_uses=None)
        for n in range(12):
            claims.claim_code_redeem(code=code.code, user=UserFactory())
            award_issue(
                badge_class=badge_class, recipient_email=f"h{n}@example.org", issued_by=None
            )
            apply(badge_class, name=f"Applicant {n}", when=ago(n))
        bulk_issue_done(organisation, badge_class, emails=["b@example.org"], finished=ago(2))
        for n in range(3):
            EndorsementRequest.objects.create(
                badge_class=BadgeClassFactory(organisation=organisation),
                status=EndorsementRequest.Status.DECLINED,
                decided_at=ago(n),
            )
        with django_assert_max_num_queries(4):
            events = selectors.activity_list_for_organisation(organisation=organisation)
            # Everything the page shows of each event is already loaded.
            for event in events:
                subject = event.subject
                str(subject.badge_class.name)
                if event.route == "claim code":
                    str(subject.claim_redemption.claim_code.display_code)
                if event.kind.startswith("application_"):
                    str(subject.applicant), str(subject.decided_by)
        assert len(events) == 15


class TestThePage:
    def test_it_shows_counts_waiting_applications_and_activity(
        self, client, organisation, badge_class
    ):
        apply(badge_class, name="Amara", when=ago(5))
        apply(badge_class, name="Kai", when=ago(4))
        award_issue(badge_class=badge_class, recipient_email="sam@example.org", issued_by=None)
        client.force_login(member(organisation, Role.ISSUER))
        response = client.get(dashboard_url(organisation))
        page = response.content.decode()
        queue = reverse(
            "application-list",
            kwargs={"city_slug": organisation.city.slug, "org_slug": organisation.slug},
        )
        assert f'<a href="{queue}">Applications waiting</a></dt><dd>2</dd>' in page
        assert '>Live<span class="visually-hidden"> awards</span></a></dt><dd>1</dd>' in page
        assert "Recent activity" in page
        assert "Amara applied" in page
        assert "First Aid</a> awarded to sam@example.org" in page

    def test_a_viewer_sees_the_count_without_a_link_to_the_queue(
        self, client, organisation, badge_class
    ):
        apply(badge_class, name="Amara", when=ago(5))
        client.force_login(member(organisation, Role.VIEWER))
        page = client.get(dashboard_url(organisation)).content.decode()
        assert "<dt>Application waiting</dt><dd>1</dd>" in page
        assert "Amara applied for First Aid" in page
        assert "/applications/" not in page

    def test_an_empty_organisation_says_nothing_has_happened(self, client, organisation):
        client.force_login(member(organisation, Role.OWNER))
        page = client.get(dashboard_url(organisation)).content.decode()
        assert "Nothing yet." in page

    def test_the_page_query_count_is_bounded(
        self, client, organisation, badge_class, django_assert_max_num_queries
    ):
        for n in range(20):
            award_issue(
                badge_class=badge_class, recipient_email=f"p{n}@example.org", issued_by=None
            )
            apply(badge_class, name=f"Applicant {n}", when=ago(n))
        client.force_login(member(organisation, Role.ISSUER))
        with django_assert_max_num_queries(15):
            assert client.get(dashboard_url(organisation)).status_code == 200

    @pytest.mark.parametrize("who", ["anonymous", "learner", "other staff"])
    def test_access_is_unchanged(self, client, organisation, who):
        if who == "learner":
            client.force_login(UserFactory())
        if who == "other staff":
            client.force_login(member(OrganisationFactory(city=organisation.city), Role.OWNER))
        response = client.get(dashboard_url(organisation))
        if who == "anonymous":
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("account_login"))
        else:
            assert response.status_code == 404
