import pytest

from learningcity.cities.demo import DEMO_CITIES, DEMO_DATA_DIR, demo_cities_load
from learningcity.cities.models import Area, City, PostcodeDistrict
from learningcity.cities.selectors import area_for_postcode
from learningcity.cities.services import areas_import

from .factories import CityFactory

pytestmark = pytest.mark.django_db


def contrast_with_white(colour: str) -> float:
    """WCAG 2.2 contrast ratio of white text on ``colour`` (a #rrggbb string)."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return 1.05 / (luminance + 0.05)


@pytest.mark.parametrize("slug", ["brighton-and-hove", "plymouth"])
def test_each_demo_csv_imports_into_a_fresh_city_without_errors(slug):
    city = CityFactory(slug=f"fresh-{slug}")

    report = areas_import(city=city, csv_text=(DEMO_DATA_DIR / f"{slug}.csv").read_bytes())

    assert report.errors == []
    assert report.created == Area.objects.filter(city=city).count()


def test_the_demo_cities_are_created_with_their_wards_and_postcode_districts():
    brighton, plymouth = demo_cities_load()

    assert (brighton.slug, brighton.name) == ("brighton-and-hove", "Brighton & Hove")
    assert (plymouth.slug, plymouth.name) == ("plymouth", "Plymouth")
    assert brighton.is_live and plymouth.is_live
    assert brighton.areas.filter(kind=Area.Kind.WARD).count() == 23
    assert plymouth.areas.filter(kind=Area.Kind.WARD).count() == 20
    assert sorted(brighton.postcode_districts.values_list("outward_code", flat=True)) == [
        "BN1", "BN2", "BN3", "BN41", "BN42",
    ]  # fmt: skip
    assert sorted(plymouth.postcode_districts.values_list("outward_code", flat=True)) == [
        f"PL{n}" for n in range(1, 10)
    ]


def test_loading_the_demo_cities_twice_changes_nothing():
    fields = ("pk", "slug", "name", "primary_colour", "accent_colour", "tagline", "description")
    demo_cities_load()
    cities = list(City.objects.order_by("pk").values_list(*fields))
    areas = list(Area.objects.order_by("pk").values())
    districts = list(PostcodeDistrict.objects.order_by("pk").values())

    demo_cities_load()

    assert list(City.objects.order_by("pk").values_list(*fields)) == cities
    assert list(Area.objects.order_by("pk").values()) == areas
    assert list(PostcodeDistrict.objects.order_by("pk").values()) == districts


def test_loading_the_demo_restores_a_city_that_was_edited():
    CityFactory(slug="plymouth", name="Plymuth", primary_colour="#ffff00", is_live=False)

    demo_cities_load()

    plymouth = City.objects.get(slug="plymouth")
    assert (plymouth.name, plymouth.primary_colour, plymouth.is_live) == (
        "Plymouth",
        "#00606b",
        True,
    )


def test_a_brighton_postcode_finds_its_district_in_the_demo():
    brighton, _ = demo_cities_load()

    outward, area = area_for_postcode(city=brighton, postcode="BN2 4GL")

    assert outward == "BN2"
    assert area.name.startswith("BN2 — Kemptown, Whitehawk and Woodingdean")


@pytest.mark.parametrize("details", DEMO_CITIES, ids=lambda details: details["slug"])
def test_the_demo_brand_colours_carry_white_text_at_wcag_aa(details):
    assert contrast_with_white(details["primary_colour"]) >= 4.5
    assert contrast_with_white(details["accent_colour"]) >= 4.5


def test_the_demo_cities_pass_model_validation():
    for city in demo_cities_load():
        city.full_clean()
