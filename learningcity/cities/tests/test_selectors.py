import pytest

from learningcity.cities.models import Area
from learningcity.cities.selectors import (
    area_for_postcode,
    area_list,
    city_list_live,
    outward_code_from_postcode,
)
from learningcity.core import errors
from learningcity.core.errors import ServiceError

from .factories import AreaFactory, CityFactory


@pytest.fixture
def brighton():
    city = CityFactory(name="Brighton & Hove", slug="brighton-and-hove")
    AreaFactory(city=city, code="BN1", name="BN1 — Central Brighton")
    AreaFactory(city=city, code="BN2", name="BN2 — Kemptown, Whitehawk and Woodingdean")
    return city


@pytest.mark.parametrize(
    ("postcode", "outward"),
    [("BN2 4GL", "BN2"), ("bn2 4gl", "BN2"), ("BN24GL", "BN2"), ("  pl4  8aa ", "PL4"),
     ("bn2", "BN2"), ("EC1A 1BB", "EC1A"), ("W1", "W1")],
)  # fmt: skip
def test_the_outward_code_is_read_from_a_full_or_partial_postcode(postcode, outward):
    assert outward_code_from_postcode(postcode) == outward


@pytest.mark.parametrize("value", ["hello", "", "BN", "12 4GL", "BN2 4G"])
def test_something_not_shaped_like_a_postcode_is_refused(value):
    with pytest.raises(ServiceError) as raised:
        outward_code_from_postcode(value)

    assert raised.value.message == errors.POSTCODE_INVALID
    assert raised.value.field == "postcode"


@pytest.mark.django_db
def test_a_full_postcode_finds_the_area_of_its_district(brighton):
    outward, area = area_for_postcode(city=brighton, postcode="BN2 4GL")

    assert outward == "BN2"
    assert area.code == "BN2"


@pytest.mark.django_db
def test_an_outward_code_alone_in_lower_case_finds_its_area(brighton):
    outward, area = area_for_postcode(city=brighton, postcode="bn2")

    assert (outward, area.code) == ("BN2", "BN2")


@pytest.mark.django_db
def test_a_district_the_city_does_not_have_is_unknown(brighton):
    with pytest.raises(ServiceError) as raised:
        area_for_postcode(city=brighton, postcode="XX99")

    assert raised.value.message == errors.POSTCODE_UNKNOWN.format(
        outward="XX99", city="Brighton & Hove"
    )


@pytest.mark.django_db
def test_a_district_of_another_city_is_unknown_here(brighton):
    plymouth = CityFactory(name="Plymouth", slug="plymouth")
    AreaFactory(city=plymouth, code="PL4")

    with pytest.raises(ServiceError) as raised:
        area_for_postcode(city=brighton, postcode="PL4 8AA")

    assert raised.value.message == errors.POSTCODE_UNKNOWN.format(
        outward="PL4", city="Brighton & Hove"
    )


@pytest.mark.django_db
def test_a_postcode_that_is_not_a_postcode_is_invalid_before_any_lookup(brighton):
    with pytest.raises(ServiceError) as raised:
        area_for_postcode(city=brighton, postcode="hello")

    assert raised.value.message == errors.POSTCODE_INVALID


@pytest.mark.django_db
def test_a_ward_can_hold_a_district_that_resolves_to_it(brighton):
    ward = AreaFactory(city=brighton, code="E05015021", kind=Area.Kind.WARD, outward_codes=["BN51"])

    _, area = area_for_postcode(city=brighton, postcode="BN51 9AA")

    assert area == ward


@pytest.mark.django_db
def test_the_live_city_list_leaves_out_cities_that_are_not_live():
    CityFactory(name="Brighton & Hove", slug="brighton-and-hove")
    CityFactory(name="Hidden Town", slug="hidden-town", is_live=False)

    assert [city.slug for city in city_list_live()] == ["brighton-and-hove"]


@pytest.mark.django_db
def test_the_live_city_list_counts_each_citys_areas(brighton):
    (city,) = city_list_live()

    assert city.area_count == 2


@pytest.mark.django_db
def test_the_area_list_can_be_narrowed_to_one_kind(brighton):
    AreaFactory(city=brighton, code="E05015021", name="Whitehawk & Marina", kind=Area.Kind.WARD)

    assert [area.code for area in area_list(city=brighton, kind=Area.Kind.WARD)] == ["E05015021"]
    assert [area.code for area in area_list(city=brighton)] == ["BN1", "BN2", "E05015021"]
