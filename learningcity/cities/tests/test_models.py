import pytest
from django.core.exceptions import ValidationError

from learningcity.cities.models import City

pytestmark = pytest.mark.django_db


def make_city(**overrides) -> City:
    fields = {"name": "Testville", "slug": "testville"}
    fields.update(overrides)
    return City(**fields)


def test_a_brand_colour_too_pale_for_white_text_is_refused_with_the_ratio():
    with pytest.raises(ValidationError) as raised:
        make_city(primary_colour="#ffcc00").full_clean()
    message = " ".join(raised.value.message_dict["primary_colour"])
    assert "needs at least 4.5:1" in message
    assert "1.5:1" in message


def test_a_dark_brand_colour_is_accepted():
    make_city(primary_colour="#0b5cad", accent_colour="#9a3412").full_clean()


@pytest.mark.parametrize("slug", ["accounts", "healthz", "django-admin", "me"])
def test_a_city_cannot_take_a_slug_the_site_uses(slug):
    with pytest.raises(ValidationError) as raised:
        make_city(slug=slug).full_clean()
    assert "slug" in raised.value.message_dict


def test_an_unknown_timezone_is_refused():
    with pytest.raises(ValidationError) as raised:
        make_city(timezone="Europe/Atlantis").full_clean()
    assert "timezone" in raised.value.message_dict
