"""The city team trusts an organisation to publish opportunities without review."""

import pytest
from django.urls import reverse

from learningcity.core import errors
from learningcity.core.errors import AccessDenied, ServiceError
from learningcity.organisations.models import Organisation, Role
from learningcity.organisations.services import organisation_set_trusted

from .factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def trust_url(organisation):
    return reverse(
        "city-admin-organisation-trust",
        kwargs={"city_slug": organisation.city.slug, "public_id": organisation.public_id},
    )


def test_a_city_admin_trusts_and_untrusts_an_active_organisation(organisation, city_admin):
    organisation_set_trusted(organisation=organisation, by=city_admin, trusted=True)
    organisation.refresh_from_db()
    assert organisation.is_trusted
    organisation_set_trusted(organisation=organisation, by=city_admin, trusted=False)
    organisation.refresh_from_db()
    assert not organisation.is_trusted


def test_a_waiting_organisation_cannot_be_trusted(city, city_admin):
    pending = OrganisationFactory(city=city, status=Organisation.Status.PENDING)
    with pytest.raises(ServiceError) as caught:
        organisation_set_trusted(organisation=pending, by=city_admin, trusted=True)
    assert caught.value.message == errors.ORGANISATION_TRUST_NEEDS_ACTIVE.format(name=pending.name)
    pending.refresh_from_db()
    assert not pending.is_trusted


def test_another_citys_admin_cannot_trust(organisation, other_city_admin):
    with pytest.raises(AccessDenied):
        organisation_set_trusted(organisation=organisation, by=other_city_admin, trusted=True)


def test_the_queue_button_trusts_the_organisation(client, organisation, city_admin):
    client.force_login(city_admin)
    response = client.post(trust_url(organisation), {"trusted": "1"}, follow=True)
    assert response.status_code == 200
    assert "is trusted" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.is_trusted
    assert "Stop trusting" in client.get(response.request["PATH_INFO"]).content.decode()


@pytest.mark.parametrize("who", ["anonymous", "learner", "owner", "other_city_admin"])
def test_only_the_citys_admins_can_trust(client, request, organisation, make_member, who):
    if who == "owner":
        client.force_login(make_member(organisation, Role.OWNER))
    elif who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    response = client.post(trust_url(organisation), {"trusted": "1"})
    if who == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 403
    organisation.refresh_from_db()
    assert not organisation.is_trusted
