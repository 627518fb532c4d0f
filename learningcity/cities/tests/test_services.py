from decimal import Decimal
from pathlib import Path

import pytest

from learningcity.cities.models import Area, PostcodeDistrict
from learningcity.cities.services import (
    _CODE_MAX_LENGTH,
    _NAME_MAX_LENGTH,
    AREA_COLUMNS,
    AREA_IMPORT_MAX_BYTES,
    AREA_IMPORT_MAX_ROWS,
    RowError,
    areas_import,
)
from learningcity.core import errors

from .factories import AreaFactory, CityFactory

pytestmark = pytest.mark.django_db

HEADER = "code,name,kind,imd_decile,latitude,longitude,young_population,postcode_districts"
WHITEHAWK = "E05015021,Whitehawk & Marina,ward,1,50.82090,-0.09790,3140,"
KEMPTOWN = "E05015008,Kemptown,ward,4,50.81960,-0.11510,3390,"
BN2 = "BN2,BN2 — Kemptown and Whitehawk,postcode_district,3,50.82860,-0.10150,27400,"
BN1 = "BN1,BN1 — Central Brighton,postcode_district,5,50.84520,-0.14030,31500,"


def csv_of(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def mappings(city) -> dict[str, str]:
    return dict(
        PostcodeDistrict.objects.filter(city=city).values_list("outward_code", "area__code")
    )


def assert_refused(report, *expected: RowError) -> None:
    assert report.errors == list(expected)
    assert (report.created, report.updated, report.districts_mapped) == (0, 0, 0)
    assert not Area.objects.exists()
    assert not PostcodeDistrict.objects.exists()


@pytest.fixture
def city():
    return CityFactory(name="Brighton & Hove", slug="brighton-and-hove")


# --- The happy path -------------------------------------------------------------------------


def test_a_valid_file_creates_its_wards_and_postcode_districts(city):
    report = areas_import(city=city, csv_text=csv_of(WHITEHAWK, KEMPTOWN, BN2))

    assert report.ok
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    assert report.districts_mapped == 1
    whitehawk = Area.objects.get(city=city, code="E05015021")
    assert whitehawk.name == "Whitehawk & Marina"
    assert whitehawk.kind == Area.Kind.WARD
    assert whitehawk.imd_decile == 1
    assert whitehawk.latitude == Decimal("50.82090")
    assert whitehawk.longitude == Decimal("-0.09790")
    assert whitehawk.young_population == 3140
    assert Area.objects.get(code="BN2").name == "BN2 — Kemptown and Whitehawk"


def test_a_postcode_district_row_maps_its_own_code_by_default(city):
    areas_import(city=city, csv_text=csv_of(BN1, BN2))

    assert mappings(city) == {"BN1": "BN1", "BN2": "BN2"}


def test_a_ward_row_may_name_the_postcode_districts_that_resolve_to_it(city):
    ward = "E05015021,Whitehawk & Marina,ward,1,50.8209,-0.0979,,BN2 bn51"

    report = areas_import(city=city, csv_text=csv_of(ward))

    assert report.districts_mapped == 2
    assert mappings(city) == {"BN2": "E05015021", "BN51": "E05015021"}


def test_a_ward_row_without_postcode_districts_maps_none(city):
    areas_import(city=city, csv_text=csv_of(WHITEHAWK))

    assert mappings(city) == {}


def test_a_postcode_district_row_may_list_other_outward_codes_instead_of_its_own(city):
    row = "BN1,Brighton (BN1 and BN50),postcode_district,5,50.84,-0.14,,BN1 BN50"

    areas_import(city=city, csv_text=csv_of(row))

    assert mappings(city) == {"BN1": "BN1", "BN50": "BN1"}


def test_columns_may_come_in_any_order_and_optional_ones_may_be_left_out(city):
    text = csv_of(
        "-0.0979,50.8209,1,Ward,Whitehawk & Marina,E05015021",
        header=" Longitude,LATITUDE,imd_decile,kind,name,code",
    )

    report = areas_import(city=city, csv_text=text)

    assert report.ok
    area = Area.objects.get(code="E05015021")
    assert area.kind == Area.Kind.WARD
    assert area.latitude == Decimal("50.82090")
    assert area.young_population is None


def test_coordinates_are_rounded_to_five_decimal_places(city):
    row = "E05015021,Whitehawk & Marina,ward,1,50.8209049,-0.097895,,"

    areas_import(city=city, csv_text=csv_of(row))

    area = Area.objects.get(code="E05015021")
    assert (area.latitude, area.longitude) == (Decimal("50.82090"), Decimal("-0.09790"))


def test_codes_and_outward_codes_are_stored_in_capitals(city):
    row = "bn2,Kemptown,postcode_district,3,50.83,-0.10,,"

    areas_import(city=city, csv_text=csv_of(row))

    assert mappings(city) == {"BN2": "BN2"}


def test_a_utf8_byte_order_mark_is_ignored_in_bytes_and_in_text(city):
    as_bytes = "\ufeff".encode() + csv_of(WHITEHAWK).encode()
    as_text = "\ufeff" + csv_of(KEMPTOWN)

    assert areas_import(city=city, csv_text=as_bytes).ok
    assert areas_import(city=city, csv_text=as_text).ok
    assert Area.objects.filter(city=city).count() == 2


def test_windows_line_endings_and_blank_lines_are_fine(city):
    text = f"{HEADER}\r\n\r\n{WHITEHAWK}\r\n,,,,,,,\r\n{BN2}\r\n\r\n"

    report = areas_import(city=city, csv_text=text)

    assert report.ok
    assert report.created == 2


# --- Importing again ------------------------------------------------------------------------


def test_importing_the_same_file_twice_changes_nothing_the_second_time(city):
    text = csv_of(WHITEHAWK, KEMPTOWN, BN1, BN2)
    areas_import(city=city, csv_text=text)
    before = list(Area.objects.order_by("pk").values())
    mappings_before = list(PostcodeDistrict.objects.order_by("pk").values())

    report = areas_import(city=city, csv_text=text)

    assert report.ok
    assert (report.created, report.updated, report.unchanged) == (0, 0, 4)
    assert report.districts_mapped == 2
    assert list(Area.objects.order_by("pk").values()) == before
    assert list(PostcodeDistrict.objects.order_by("pk").values()) == mappings_before


def test_importing_again_updates_an_area_matched_by_its_code(city):
    areas_import(city=city, csv_text=csv_of(WHITEHAWK))
    original = Area.objects.get(code="E05015021")
    changed = "E05015021,Whitehawk and Marina,ward,2,50.82,-0.098,3200,"

    report = areas_import(city=city, csv_text=csv_of(changed))

    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    area = Area.objects.get(code="E05015021")
    assert area.pk == original.pk
    assert (area.name, area.imd_decile, area.young_population) == ("Whitehawk and Marina", 2, 3200)
    assert (area.latitude, area.longitude) == (Decimal("50.82000"), Decimal("-0.09800"))
    assert area.updated_at > original.updated_at


def test_importing_again_with_an_empty_young_population_clears_it(city):
    areas_import(city=city, csv_text=csv_of(WHITEHAWK, KEMPTOWN))

    areas_import(city=city, csv_text=csv_of(WHITEHAWK.replace(",3140,", ",,"), KEMPTOWN))

    assert Area.objects.get(code="E05015021").young_population is None
    assert Area.objects.get(code="E05015008").young_population == 3390


def test_importing_again_replaces_the_postcode_districts_of_the_areas_in_the_file(city):
    areas_import(city=city, csv_text=csv_of("E05015021,Whitehawk,ward,1,50.82,-0.09,,BN2 BN51"))

    areas_import(city=city, csv_text=csv_of("E05015021,Whitehawk,ward,1,50.82,-0.09,,BN2"))

    assert mappings(city) == {"BN2": "E05015021"}


def test_areas_and_districts_not_in_the_file_are_left_alone(city):
    areas_import(city=city, csv_text=csv_of(WHITEHAWK, BN1, BN2))

    report = areas_import(city=city, csv_text=csv_of(BN2))

    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    assert Area.objects.filter(city=city).count() == 3
    assert mappings(city) == {"BN1": "BN1", "BN2": "BN2"}


def test_an_outward_code_moves_to_the_area_the_file_now_gives_it(city):
    areas_import(city=city, csv_text=csv_of(BN2))

    areas_import(city=city, csv_text=csv_of("E05015021,Whitehawk,ward,1,50.82,-0.09,,BN2"))

    assert mappings(city) == {"BN2": "E05015021"}
    assert Area.objects.filter(city=city, code="BN2").exists()


def test_another_citys_areas_with_the_same_codes_are_untouched():
    plymouth = CityFactory(slug="plymouth")
    other = AreaFactory(city=plymouth, code="BN2", name="Not in Brighton", imd_decile=9)
    brighton = CityFactory(slug="brighton-and-hove")

    areas_import(city=brighton, csv_text=csv_of(BN2))

    other.refresh_from_db()
    assert (other.name, other.imd_decile) == ("Not in Brighton", 9)
    assert mappings(plymouth) == {"BN2": "BN2"}
    assert mappings(brighton) == {"BN2": "BN2"}
    assert Area.objects.get(city=brighton, code="BN2").name == "BN2 — Kemptown and Whitehawk"


# --- Dry runs -------------------------------------------------------------------------------


def test_a_dry_run_reports_what_would_change_and_writes_nothing(city):
    AreaFactory(city=city, code="E05015021", kind=Area.Kind.WARD, imd_decile=5)

    report = areas_import(city=city, csv_text=csv_of(WHITEHAWK, BN2), dry_run=True)

    assert report.ok
    assert report.dry_run
    assert (report.created, report.updated, report.districts_mapped) == (1, 1, 1)
    assert list(Area.objects.values_list("code", "imd_decile")) == [("E05015021", 5)]
    assert not PostcodeDistrict.objects.exists()


def test_a_dry_run_of_a_bad_file_reports_its_errors(city):
    row = "E05015021,Whitehawk & Marina,ward,11,50.8209,-0.0979,,"

    report = areas_import(city=city, csv_text=csv_of(row), dry_run=True)

    assert report.errors == [
        RowError(2, "imd_decile", errors.AREA_IMPORT_DECILE_INVALID.format(value="11"))
    ]


# --- Bad rows: every problem is reported, nothing is written --------------------------------


@pytest.mark.parametrize("decile", ["11", "0", "five", "5.5", "-1"])
def test_a_row_with_a_decile_outside_one_to_ten_is_refused_and_nothing_is_written(city, decile):
    row = f"E05015021,Whitehawk & Marina,ward,{decile},50.8209,-0.0979,,"

    report = areas_import(city=city, csv_text=csv_of(WHITEHAWK.replace("E05015021", "X1"), row))

    assert_refused(
        report,
        RowError(3, "imd_decile", errors.AREA_IMPORT_DECILE_INVALID.format(value=decile)),
    )


def test_a_row_with_a_decile_of_eleven_is_refused_and_nothing_is_written(city):
    row = "E05015021,Whitehawk & Marina,ward,11,50.8209,-0.0979,,"

    report = areas_import(city=city, csv_text=csv_of(BN2, row))

    assert_refused(
        report, RowError(3, "imd_decile", errors.AREA_IMPORT_DECILE_INVALID.format(value="11"))
    )


@pytest.mark.parametrize("value", ["north", "50,82", "NaN", "Infinity", "1e"])
def test_a_latitude_that_is_not_a_number_is_refused_and_nothing_is_written(city, value):
    row = f'E05015021,Whitehawk & Marina,ward,1,"{value}",-0.0979,,'

    report = areas_import(city=city, csv_text=csv_of(row))

    assert_refused(
        report, RowError(2, "latitude", errors.AREA_IMPORT_COORDINATE_INVALID.format(value=value))
    )


def test_a_latitude_outside_the_uk_is_refused_and_nothing_is_written(city):
    row = "E05015021,Whitehawk & Marina,ward,1,-0.0979,50.8209,,"

    report = areas_import(city=city, csv_text=csv_of(row))

    assert_refused(
        report,
        RowError(2, "latitude", errors.AREA_IMPORT_LATITUDE_OUT_OF_RANGE.format(value="-0.0979")),
        RowError(2, "longitude", errors.AREA_IMPORT_LONGITUDE_OUT_OF_RANGE.format(value="50.8209")),
    )


def test_a_longitude_without_its_minus_sign_in_the_far_west_is_refused(city):
    row = "E05002073,Devonport,ward,1,50.3742,4.1703,,"

    report = areas_import(city=city, csv_text=csv_of(row))

    assert_refused(
        report,
        RowError(2, "longitude", errors.AREA_IMPORT_LONGITUDE_OUT_OF_RANGE.format(value="4.1703")),
    )


@pytest.mark.parametrize("value", ["-3", "many", "3.5", "3,140"])
def test_a_young_population_that_is_not_a_whole_number_is_refused(city, value):
    row = f'E05015021,Whitehawk & Marina,ward,1,50.8209,-0.0979,"{value}",'

    report = areas_import(city=city, csv_text=csv_of(row))

    assert_refused(
        report,
        RowError(2, "young_population", errors.AREA_IMPORT_POPULATION_INVALID.format(value=value)),
    )


def test_a_row_of_an_unknown_kind_is_refused_and_nothing_is_written(city):
    row = "E05015021,Whitehawk & Marina,parish,1,50.8209,-0.0979,,"

    report = areas_import(city=city, csv_text=csv_of(BN2, row))

    assert_refused(
        report, RowError(3, "kind", errors.AREA_IMPORT_KIND_UNKNOWN.format(value="parish"))
    )


@pytest.mark.parametrize("column", ["code", "name", "kind", "imd_decile", "latitude", "longitude"])
def test_a_row_missing_a_required_value_is_refused_and_nothing_is_written(city, column):
    values = dict(zip(HEADER.split(","), WHITEHAWK.split(","), strict=True))
    values[column] = ""

    report = areas_import(city=city, csv_text=csv_of(",".join(values.values())))

    assert_refused(report, RowError(2, column, errors.AREA_IMPORT_VALUE_REQUIRED))


def test_a_name_longer_than_an_area_can_hold_is_refused(city):
    row = f"E05015021,{'W' * 121},ward,1,50.8209,-0.0979,,"

    report = areas_import(city=city, csv_text=csv_of(row))

    assert_refused(
        report, RowError(2, "name", errors.AREA_IMPORT_VALUE_TOO_LONG.format(length=121, limit=120))
    )


def test_a_code_used_twice_in_the_file_is_refused_and_nothing_is_written(city):
    again = "e05015021,Whitehawk again,ward,1,50.8209,-0.0979,,"

    report = areas_import(city=city, csv_text=csv_of(WHITEHAWK, KEMPTOWN, again))

    assert_refused(
        report,
        RowError(4, "code", errors.AREA_IMPORT_CODE_DUPLICATE.format(code="E05015021", line=2)),
    )


def test_an_outward_code_given_to_two_areas_in_the_file_is_refused(city):
    ward = "E05015021,Whitehawk & Marina,ward,1,50.8209,-0.0979,,BN2"

    report = areas_import(city=city, csv_text=csv_of(BN2, ward))

    assert_refused(
        report,
        RowError(
            3,
            "postcode_districts",
            errors.AREA_IMPORT_OUTWARD_CODE_DUPLICATE.format(outward="BN2", code="BN2", line=2),
        ),
    )


def test_a_malformed_outward_code_in_postcode_districts_is_refused(city):
    ward = "E05015021,Whitehawk & Marina,ward,1,50.8209,-0.0979,,BN2 BN2 4GL"

    report = areas_import(city=city, csv_text=csv_of(ward))

    assert_refused(
        report,
        RowError(
            2, "postcode_districts", errors.AREA_IMPORT_OUTWARD_CODE_INVALID.format(value="4GL")
        ),
    )


def test_a_postcode_district_whose_own_code_is_not_an_outward_code_is_refused(city):
    row = "BRIGHTON,Brighton,postcode_district,3,50.83,-0.10,,"

    report = areas_import(city=city, csv_text=csv_of(row))

    assert_refused(
        report,
        RowError(2, "code", errors.AREA_IMPORT_OUTWARD_CODE_INVALID.format(value="BRIGHTON")),
    )


def test_a_row_with_too_many_values_is_refused(city):
    report = areas_import(city=city, csv_text=csv_of(WHITEHAWK + ",extra"))

    assert_refused(
        report, RowError(2, None, errors.AREA_IMPORT_ROW_LENGTH.format(found=9, expected=8))
    )


def test_every_problem_in_the_file_is_reported_with_its_line_and_column(city):
    text = csv_of(
        "E05015021,Whitehawk & Marina,ward,0,50.8209,-0.0979,,",
        KEMPTOWN,
        "E05015009,,ward,1,50.8484,west,,",
        BN2,
    )

    report = areas_import(city=city, csv_text=text)

    assert_refused(
        report,
        RowError(2, "imd_decile", errors.AREA_IMPORT_DECILE_INVALID.format(value="0")),
        RowError(4, "name", errors.AREA_IMPORT_VALUE_REQUIRED),
        RowError(4, "longitude", errors.AREA_IMPORT_COORDINATE_INVALID.format(value="west")),
    )


def test_a_line_number_counts_the_lines_of_a_quoted_value_that_spans_two(city):
    text = csv_of(
        'BN1,"BN1 —\nCentral Brighton",postcode_district,5,50.84,-0.14,,', "X,Y,ward,99,1,10,,"
    )

    report = areas_import(city=city, csv_text=text)

    assert [error.line for error in report.errors] == [4, 4, 4]


def test_existing_areas_are_kept_when_a_reimport_is_refused(city):
    areas_import(city=city, csv_text=csv_of(WHITEHAWK, BN2))
    bad = "E05015021,Whitehawk renamed,ward,11,50.8209,-0.0979,,"

    report = areas_import(city=city, csv_text=csv_of(bad))

    assert not report.ok
    assert Area.objects.get(code="E05015021").name == "Whitehawk & Marina"
    assert mappings(city) == {"BN2": "BN2"}


# --- Bad files ------------------------------------------------------------------------------


def test_a_file_that_is_not_utf8_is_refused_with_the_line_of_the_first_bad_byte(city):
    text = csv_of(KEMPTOWN, "E05015019,Westbourne & Poets\u2019 Corner,ward,7,50.8333,-0.1879,,")

    report = areas_import(city=city, csv_text=text.encode("cp1252"))

    assert_refused(report, RowError(3, None, errors.AREA_IMPORT_NOT_UTF8))


@pytest.mark.parametrize("content", ["", "\n\n", "\ufeff", b"", b"\xef\xbb\xbf  \r\n"])
def test_an_empty_file_is_refused(city, content):
    report = areas_import(city=city, csv_text=content)

    assert_refused(report, RowError(None, None, errors.AREA_IMPORT_EMPTY))


def test_a_file_with_a_header_and_no_rows_is_refused(city):
    report = areas_import(city=city, csv_text=csv_of())

    assert_refused(report, RowError(None, None, errors.AREA_IMPORT_NO_ROWS))


def test_a_header_missing_a_required_column_is_refused(city):
    text = csv_of(
        "E05015021,Whitehawk,ward,50.82,-0.09", header="code,name,kind,latitude,longitude"
    )

    report = areas_import(city=city, csv_text=text)

    assert_refused(
        report,
        RowError(
            1,
            "imd_decile",
            errors.AREA_IMPORT_COLUMN_MISSING.format(
                column="imd_decile", required="code, name, kind, imd_decile, latitude, longitude"
            ),
        ),
    )


def test_a_header_with_a_column_the_import_does_not_know_is_refused(city):
    text = csv_of(WHITEHAWK + ",7", header=HEADER + ",Population")

    report = areas_import(city=city, csv_text=text)

    assert len(report.errors) == 1
    assert report.errors[0].line == 1
    assert report.errors[0].column == "Population"
    assert report.errors[0].message == errors.AREA_IMPORT_COLUMN_UNKNOWN.format(
        column="Population",
        known=(
            "code, name, kind, imd_decile, latitude, longitude, young_population, "
            "postcode_districts"
        ),
    )
    assert not Area.objects.exists()


def test_a_header_with_an_unnamed_column_is_refused(city):
    report = areas_import(city=city, csv_text=csv_of(WHITEHAWK + ",", header=HEADER + ","))

    assert_refused(report, RowError(1, None, errors.AREA_IMPORT_COLUMN_UNNAMED.format(position=9)))


def test_a_header_naming_a_column_twice_is_refused(city):
    text = csv_of(WHITEHAWK + ",1", header=HEADER + ",imd_decile")

    report = areas_import(city=city, csv_text=text)

    assert_refused(
        report,
        RowError(1, "imd_decile", errors.AREA_IMPORT_COLUMN_REPEATED.format(column="imd_decile")),
    )


def test_a_file_with_an_unclosed_quote_is_refused(city):
    text = csv_of(WHITEHAWK, 'BN2,"BN2 — Kemptown,postcode_district,3,50.82860,-0.10150,,')

    report = areas_import(city=city, csv_text=text)

    assert_refused(
        report,
        RowError(3, None, errors.AREA_IMPORT_NOT_CSV.format(detail="unexpected end of data")),
    )


def test_a_value_with_text_after_its_closing_quote_is_refused(city):
    text = csv_of('E05015021,"Whitehawk" & Marina,ward,1,50.8209,-0.0979,,', KEMPTOWN)

    report = areas_import(city=city, csv_text=text)

    assert_refused(
        report,
        RowError(2, None, errors.AREA_IMPORT_NOT_CSV.format(detail="',' expected after '\"'")),
    )


def test_a_file_over_five_megabytes_is_refused_before_it_is_read(city):
    text = csv_of(WHITEHAWK) + "#" * AREA_IMPORT_MAX_BYTES

    report = areas_import(city=city, csv_text=text.encode())

    assert_refused(report, RowError(None, None, errors.AREA_IMPORT_TOO_LARGE.format(limit_mb=5)))


def test_a_file_over_twenty_thousand_rows_is_refused(city):
    rows = [f"W{n},Ward {n},ward,5,50.8,-0.1,," for n in range(AREA_IMPORT_MAX_ROWS + 1)]

    report = areas_import(city=city, csv_text=csv_of(*rows))

    assert_refused(
        report, RowError(None, None, errors.AREA_IMPORT_TOO_MANY_ROWS.format(limit=20_000))
    )
    assert "20,000" in report.errors[0].message


def test_a_file_of_exactly_twenty_thousand_rows_is_accepted(city):
    rows = [f"W{n},Ward {n},ward,5,50.8,-0.1,," for n in range(AREA_IMPORT_MAX_ROWS)]

    report = areas_import(city=city, csv_text=csv_of(*rows), dry_run=True)

    assert report.ok
    assert report.created == AREA_IMPORT_MAX_ROWS


# --- Reporting ------------------------------------------------------------------------------


def test_a_row_error_reads_as_line_column_and_message():
    assert str(RowError(3, "imd_decile", "Bad.")) == "line 3, column imd_decile: Bad."
    assert str(RowError(3, None, "Bad.")) == "line 3: Bad."
    assert str(RowError(None, None, "Bad.")) == "Bad."


# --- The documentation ----------------------------------------------------------------------

DOCS = Path(__file__).resolve().parents[3] / "docs" / "areas-csv.md"


def test_the_example_in_the_documentation_imports(city):
    text = DOCS.read_text(encoding="utf-8")
    example = text.split("Example:\n\n```\n", 1)[1].split("```", 1)[0]

    report = areas_import(city=city, csv_text=example)

    assert report.ok
    assert report.created == 4


@pytest.mark.parametrize("column", AREA_COLUMNS)
def test_every_column_is_documented(column):
    assert f"| `{column}` |" in DOCS.read_text(encoding="utf-8")


def test_the_length_limits_match_the_model():
    assert Area._meta.get_field("code").max_length == _CODE_MAX_LENGTH
    assert Area._meta.get_field("name").max_length == _NAME_MAX_LENGTH
