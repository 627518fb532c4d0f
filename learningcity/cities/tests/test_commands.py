from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from learningcity.cities.models import Area, PostcodeDistrict
from learningcity.core import errors

from .factories import CityFactory

pytestmark = pytest.mark.django_db

GOOD = (
    "code,name,kind,imd_decile,latitude,longitude,young_population,postcode_districts\n"
    "E05015021,Whitehawk & Marina,ward,1,50.82090,-0.09790,3140,\n"
    "BN2,BN2 — Kemptown and Whitehawk,postcode_district,3,50.82860,-0.10150,27400,\n"
)
BAD = (
    "code,name,kind,imd_decile,latitude,longitude\n"
    "E05015021,Whitehawk & Marina,ward,11,50.82090,-0.09790\n"
    "BN2,,postcode_district,3,50.82860,-0.10150\n"
)


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_areas", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def city():
    return CityFactory(name="Brighton & Hove", slug="brighton-and-hove")


@pytest.fixture
def csv_file(tmp_path):
    def write(content: str | bytes):
        path = tmp_path / "areas.csv"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


def test_importing_a_file_writes_the_areas_and_prints_a_summary(city, csv_file):
    out, err = run("brighton-and-hove", str(csv_file(GOOD)))

    assert "Brighton & Hove: 2 areas created, 0 updated, 0 unchanged" in out
    assert "1 postcode district mapped" in out
    assert err == ""
    assert Area.objects.filter(city=city).count() == 2
    assert PostcodeDistrict.objects.get(city=city).outward_code == "BN2"


def test_importing_the_same_file_again_reports_every_area_unchanged(city, csv_file):
    path = str(csv_file(GOOD))
    run("brighton-and-hove", path)

    out, _ = run("brighton-and-hove", path)

    assert "0 areas created, 0 updated, 2 unchanged" in out
    assert Area.objects.filter(city=city).count() == 2


def test_an_unknown_city_is_refused_naming_it_and_listing_the_known_slugs(city, csv_file):
    CityFactory(slug="plymouth")

    with pytest.raises(CommandError) as raised:
        run("brighton", str(csv_file(GOOD)))

    assert str(raised.value) == errors.AREA_IMPORT_CITY_UNKNOWN.format(
        slug="brighton", known="brighton-and-hove, plymouth"
    )
    assert not Area.objects.exists()


def test_a_file_with_problems_prints_each_one_and_fails_with_nothing_written(city, csv_file):
    out = StringIO()
    err = StringIO()

    with pytest.raises(CommandError, match=r"2 problems in .*areas\.csv; nothing was imported"):
        call_command(
            "import_areas", "brighton-and-hove", str(csv_file(BAD)), stdout=out, stderr=err
        )

    assert err.getvalue().splitlines() == [
        "line 2, column imd_decile: " + errors.AREA_IMPORT_DECILE_INVALID.format(value="11"),
        "line 3, column name: " + errors.AREA_IMPORT_VALUE_REQUIRED,
    ]
    assert out.getvalue() == ""
    assert not Area.objects.exists()


def test_a_problem_with_the_whole_file_is_printed_with_the_file_name(city, csv_file):
    err = StringIO()

    with pytest.raises(CommandError, match="1 problem in"):
        call_command("import_areas", "brighton-and-hove", str(csv_file(b"")), stderr=err)

    assert err.getvalue().strip() == f"areas.csv: {errors.AREA_IMPORT_EMPTY}"


def test_a_file_that_is_not_utf8_is_refused(city, csv_file):
    err = StringIO()
    content = GOOD.replace("—", "-").replace("Marina", "Marína").encode("latin-1")

    with pytest.raises(CommandError):
        call_command("import_areas", "brighton-and-hove", str(csv_file(content)), stderr=err)

    assert err.getvalue().strip() == f"line 2: {errors.AREA_IMPORT_NOT_UTF8}"
    assert not Area.objects.exists()


def test_a_dry_run_writes_nothing_and_says_what_it_would_do(city, csv_file):
    out, _ = run("brighton-and-hove", str(csv_file(GOOD)), "--dry-run")

    assert "Dry run for Brighton & Hove (nothing written): 2 areas created" in out
    assert not Area.objects.exists()
    assert not PostcodeDistrict.objects.exists()


def test_a_dry_run_of_a_bad_file_still_fails(city, csv_file):
    with pytest.raises(CommandError):
        run("brighton-and-hove", str(csv_file(BAD)), "--dry-run")


def test_a_file_that_does_not_exist_is_refused_clearly(city, tmp_path):
    missing = tmp_path / "nowhere.csv"

    with pytest.raises(CommandError, match=r"Can't read .*nowhere\.csv: No such file"):
        run("brighton-and-hove", str(missing))
