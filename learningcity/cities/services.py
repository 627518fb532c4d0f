"""Writes about cities: importing a city's areas and postcode districts from CSV."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import connections, router, transaction
from django.utils import timezone

from learningcity.core import errors

from .models import OUTWARD_CODE_RE, Area, City, PostcodeDistrict

AREA_IMPORT_MAX_BYTES = 5 * 1024 * 1024
AREA_IMPORT_MAX_ROWS = 20_000

AREA_COLUMNS_REQUIRED = ("code", "name", "kind", "imd_decile", "latitude", "longitude")
AREA_COLUMNS_OPTIONAL = ("young_population", "postcode_districts")
AREA_COLUMNS = AREA_COLUMNS_REQUIRED + AREA_COLUMNS_OPTIONAL

# Plausible centroids for a UK city: a typing slip (a swapped pair, a lost minus sign) lands
# outside this box, a real place never does.
LATITUDE_RANGE = (Decimal("49"), Decimal("61"))
LONGITUDE_RANGE = (Decimal("-9"), Decimal("2.5"))
COORDINATE_PLACES = Decimal("0.00001")  # Area.latitude/longitude have five decimal places

WHOLE_NUMBER_RE = re.compile(r"^[0-9]+$")
# Outward codes in ``postcode_districts`` are separated by spaces; commas and semicolons are
# forgiven because spreadsheet users type them.
OUTWARD_CODE_SEPARATOR_RE = re.compile(r"[\s,;]+")

_CODE_MAX_LENGTH = 20  # Area.code's max_length
_NAME_MAX_LENGTH = 120  # Area.name's max_length
_DELETE_BATCH = 500


@dataclass(frozen=True)
class RowError:
    """One problem in an import file. ``line`` counts from 1, the header row being line 1.

    ``line`` is ``None`` for a problem with the file as a whole (too large); ``column`` is
    ``None`` when the problem is not in one column (an empty file, a row of the wrong length).
    """

    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass
class AreaImportReport:
    """What an import did, or (``dry_run``, or with ``errors``) what it would have done.

    With any error, nothing was written and the counts are zero.
    """

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    districts_mapped: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _AreaRow:
    line: int
    code: str
    name: str
    kind: str
    imd_decile: int
    latitude: Decimal
    longitude: Decimal
    young_population: int | None
    outward_codes: list[str]


def areas_import(*, city: City, csv_text: str | bytes, dry_run: bool = False) -> AreaImportReport:
    """Create or update ``city``'s areas from a CSV file (see docs/areas-csv.md).

    ``csv_text`` may be the file's bytes (decoded as UTF-8, with or without a byte-order mark)
    or text already decoded. Every row is checked and every problem reported; if there is any,
    nothing is written. Areas are matched by ``(city, code)``: new codes are created, known ones
    updated, and areas absent from the file are left alone. Postcode districts are replaced for
    the areas and outward codes the file names, so importing the same file twice changes nothing.

    With ``dry_run`` the file is checked and the counts worked out, but nothing is written.
    """
    report = AreaImportReport(dry_run=dry_run)
    text = _decoded(csv_text, report)
    if text is None:
        return report
    rows = _parsed_rows(text, report)
    if report.errors:
        return report

    with transaction.atomic():
        # Serialise imports of one city (a no-op on SQLite, where writers queue anyway).
        City.objects.select_for_update().filter(pk=city.pk).first()
        existing = {area.code: area for area in Area.objects.filter(city=city)}
        new_areas: list[Area] = []
        changed_areas: list[Area] = []
        for row in rows:
            area = existing.get(row.code)
            if area is None:
                new_areas.append(Area(city=city, **_area_values(row)))
            elif _area_update(area, row):
                changed_areas.append(area)
        report.created = len(new_areas)
        report.updated = len(changed_areas)
        report.unchanged = len(rows) - len(new_areas) - len(changed_areas)
        report.districts_mapped = sum(len(row.outward_codes) for row in rows)
        if dry_run:
            return report

        Area.objects.bulk_create(new_areas)
        _areas_update(changed_areas)
        area_ids = {area.code: area.pk for area in Area.objects.filter(city=city)}
        _postcode_districts_replace(city=city, rows=rows, area_ids=area_ids)
    return report


_AREA_FIELDS = ("name", "kind", "imd_decile", "latitude", "longitude", "young_population")


def _area_values(row: _AreaRow) -> dict[str, object]:
    return {"code": row.code, **{name: getattr(row, name) for name in _AREA_FIELDS}}


def _area_update(area: Area, row: _AreaRow) -> bool:
    """Copy ``row`` onto ``area``; whether anything changed."""
    changed = False
    for name in _AREA_FIELDS:
        value = getattr(row, name)
        if getattr(area, name) != value:
            setattr(area, name, value)
            changed = True
    if changed:
        area.updated_at = timezone.now()  # _areas_update's raw UPDATE skips auto_now
    return changed


def _areas_update(areas: list[Area]) -> None:
    """Write the imported fields of ``areas``, one parameterised UPDATE run for all of them.

    ``bulk_update`` would build a CASE with a branch per area for every field: for a full file
    that takes Django tens of seconds to build and PostgreSQL many minutes to run, and a loop of
    ``.update()`` calls pays the ORM's cost 20,000 times. ``executemany`` sends the same
    statement with each area's values, on every backend.
    """
    if not areas:
        return
    connection = connections[router.db_for_write(Area)]
    names = {*_AREA_FIELDS, "updated_at"}
    columns = [column for column in Area._meta.concrete_fields if column.name in names]
    quote = connection.ops.quote_name
    pk_column = Area._meta.pk.column
    assignments = ", ".join(f"{quote(column.column)} = %s" for column in columns)
    # Identifiers come from the model's own metadata, never from the file.
    sql = f"UPDATE {quote(Area._meta.db_table)} SET {assignments} WHERE {quote(pk_column)} = %s"  # noqa: S608
    params = [
        [column.get_db_prep_save(getattr(area, column.name), connection) for column in columns]
        + [area.pk]
        for area in areas
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _postcode_districts_replace(
    *, city: City, rows: list[_AreaRow], area_ids: dict[str, int]
) -> None:
    """Make the file's mapping true: its outward codes point at its areas, and its areas have
    no other outward codes. Mappings the file does not mention are kept.

    An outward code that belonged to an area the file does not list moves to the area the file
    gives it: the file is the newer word on where that district is counted.
    """
    wanted = {outward: area_ids[row.code] for row in rows for outward in row.outward_codes}
    file_area_ids = {area_ids[row.code] for row in rows}
    stale: list[int] = []
    kept: set[str] = set()
    for pk, outward, area_id in PostcodeDistrict.objects.filter(city=city).values_list(
        "pk", "outward_code", "area_id"
    ):
        if outward in wanted or area_id in file_area_ids:
            if wanted.get(outward) == area_id:
                kept.add(outward)
            else:
                stale.append(pk)
    # Chunked so the IN list stays under SQLite's limit on query parameters.
    for start in range(0, len(stale), _DELETE_BATCH):
        PostcodeDistrict.objects.filter(pk__in=stale[start : start + _DELETE_BATCH]).delete()
    PostcodeDistrict.objects.bulk_create(
        PostcodeDistrict(city=city, outward_code=outward, area_id=area_id)
        for outward, area_id in wanted.items()
        if outward not in kept
    )


def _decoded(csv_text: str | bytes, report: AreaImportReport) -> str | None:
    """The file as text without its byte-order mark, or ``None`` with a file-level error."""
    size = len(csv_text) if isinstance(csv_text, bytes) else len(csv_text.encode("utf-8"))
    if size > AREA_IMPORT_MAX_BYTES:
        report.errors.append(
            RowError(
                None,
                None,
                errors.AREA_IMPORT_TOO_LARGE.format(limit_mb=AREA_IMPORT_MAX_BYTES // 1024**2),
            )
        )
        return None
    if isinstance(csv_text, bytes):
        try:
            text = csv_text.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = csv_text[: error.start].count(b"\n") + 1
            report.errors.append(RowError(line, None, errors.AREA_IMPORT_NOT_UTF8))
            return None
    else:
        text = csv_text.removeprefix("\ufeff")
    if not text.strip():
        report.errors.append(RowError(None, None, errors.AREA_IMPORT_EMPTY))
        return None
    return text


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each non-blank CSV record with the line it starts on (a quoted value may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    previous_line = 0
    for record in reader:
        line = previous_line + 1
        previous_line = reader.line_num
        if any(value.strip() for value in record):
            yield line, record


def _parsed_rows(text: str, report: AreaImportReport) -> list[_AreaRow]:
    """The checked rows; problems are added to ``report.errors``."""
    records = _records(text)
    try:
        header_line, header = next(records, (0, []))
        if not header:
            report.errors.append(RowError(None, None, errors.AREA_IMPORT_EMPTY))
            return []
        columns = _header_columns(header, header_line, report)
        if report.errors:
            return []
        rows: list[_AreaRow] = []
        seen_codes: dict[str, int] = {}
        seen_outward: dict[str, tuple[str, int]] = {}
        count = 0
        for line, record in records:
            count += 1
            if count > AREA_IMPORT_MAX_ROWS:
                report.errors[:] = [
                    RowError(
                        None,
                        None,
                        errors.AREA_IMPORT_TOO_MANY_ROWS.format(limit=AREA_IMPORT_MAX_ROWS),
                    )
                ]
                return []
            if len(record) != len(columns):
                report.errors.append(
                    RowError(
                        line,
                        None,
                        errors.AREA_IMPORT_ROW_LENGTH.format(
                            found=len(record), expected=len(columns)
                        ),
                    )
                )
                continue
            values = {column: value.strip() for column, value in zip(columns, record, strict=True)}
            row = _row_checked(line, values, report.errors)
            if row is None:
                continue
            if row.code in seen_codes:
                report.errors.append(
                    RowError(
                        line,
                        "code",
                        errors.AREA_IMPORT_CODE_DUPLICATE.format(
                            code=row.code, line=seen_codes[row.code]
                        ),
                    )
                )
                continue
            seen_codes[row.code] = line
            for outward in row.outward_codes:
                if outward in seen_outward:
                    other_code, other_line = seen_outward[outward]
                    report.errors.append(
                        RowError(
                            line,
                            "postcode_districts",
                            errors.AREA_IMPORT_OUTWARD_CODE_DUPLICATE.format(
                                outward=outward, code=other_code, line=other_line
                            ),
                        )
                    )
                else:
                    seen_outward[outward] = (row.code, line)
            rows.append(row)
    except csv.Error as error:
        # csv.Error does not say which record; the reader has stopped on it, so report the
        # line after the last good one.
        report.errors.append(
            RowError(_last_line(text, error), None, errors.AREA_IMPORT_NOT_CSV.format(detail=error))
        )
        return []
    if not rows and not report.errors:
        report.errors.append(RowError(None, None, errors.AREA_IMPORT_NO_ROWS))
    return rows


def _last_line(text: str, error: csv.Error) -> int | None:
    # The message of a strict-mode error does not carry a position; find it by re-reading.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for _ in reader:
            pass
    except csv.Error:
        return reader.line_num
    return None


def _header_columns(header: list[str], line: int, report: AreaImportReport) -> list[str]:
    columns = [name.strip().lower() for name in header]
    seen: set[str] = set()
    for position, column in enumerate(columns, start=1):
        if not column:
            message = errors.AREA_IMPORT_COLUMN_UNNAMED.format(position=position)
            report.errors.append(RowError(line, None, message))
        elif column not in AREA_COLUMNS:
            message = errors.AREA_IMPORT_COLUMN_UNKNOWN.format(
                column=header[position - 1].strip(), known=", ".join(AREA_COLUMNS)
            )
            report.errors.append(RowError(line, header[position - 1].strip(), message))
        elif column in seen:
            message = errors.AREA_IMPORT_COLUMN_REPEATED.format(column=column)
            report.errors.append(RowError(line, column, message))
        seen.add(column)
    for column in AREA_COLUMNS_REQUIRED:
        if column not in seen:
            message = errors.AREA_IMPORT_COLUMN_MISSING.format(
                column=column, required=", ".join(AREA_COLUMNS_REQUIRED)
            )
            report.errors.append(RowError(line, column, message))
    return columns


def _row_checked(line: int, values: dict[str, str], found: list[RowError]) -> _AreaRow | None:
    """The row's values parsed, or ``None`` after adding each of its problems to ``found``."""
    before = len(found)

    def problem(column: str, message: str) -> None:
        found.append(RowError(line, column, message))

    def required(column: str) -> str | None:
        value = values[column]
        if not value:
            problem(column, errors.AREA_IMPORT_VALUE_REQUIRED)
            return None
        return value

    def limited(column: str, value: str | None, limit: int) -> str | None:
        if value is not None and len(value) > limit:
            problem(
                column, errors.AREA_IMPORT_VALUE_TOO_LONG.format(length=len(value), limit=limit)
            )
            return None
        return value

    code = limited("code", required("code"), _CODE_MAX_LENGTH)
    code = code.upper() if code else code
    name = limited("name", required("name"), _NAME_MAX_LENGTH)

    kind = required("kind")
    if kind is not None:
        kind = kind.lower()
        if kind not in Area.Kind.values:
            problem("kind", errors.AREA_IMPORT_KIND_UNKNOWN.format(value=values["kind"]))
            kind = None

    imd_decile = None
    decile_text = required("imd_decile")
    if decile_text is not None:
        if WHOLE_NUMBER_RE.match(decile_text) and 1 <= int(decile_text) <= 10:
            imd_decile = int(decile_text)
        else:
            problem("imd_decile", errors.AREA_IMPORT_DECILE_INVALID.format(value=decile_text))

    latitude = _coordinate(
        "latitude",
        required("latitude"),
        LATITUDE_RANGE,
        errors.AREA_IMPORT_LATITUDE_OUT_OF_RANGE,
        problem,
    )
    longitude = _coordinate(
        "longitude",
        required("longitude"),
        LONGITUDE_RANGE,
        errors.AREA_IMPORT_LONGITUDE_OUT_OF_RANGE,
        problem,
    )

    young_population = None
    population_text = values.get("young_population", "")
    if population_text:
        if WHOLE_NUMBER_RE.match(population_text):
            young_population = int(population_text)
        else:
            problem(
                "young_population",
                errors.AREA_IMPORT_POPULATION_INVALID.format(value=population_text),
            )

    outward_codes: list[str] = []
    districts_text = values.get("postcode_districts", "")
    if districts_text:
        candidates: Iterable[str] = OUTWARD_CODE_SEPARATOR_RE.split(districts_text.upper())
        column = "postcode_districts"
    elif kind == Area.Kind.POSTCODE_DISTRICT and code:
        candidates = [code]
        column = "code"
    else:
        candidates = []
        column = "postcode_districts"
    for candidate in candidates:
        if not candidate or candidate in outward_codes:
            continue
        if OUTWARD_CODE_RE.match(candidate):
            outward_codes.append(candidate)
        else:
            problem(column, errors.AREA_IMPORT_OUTWARD_CODE_INVALID.format(value=candidate))

    if len(found) > before:
        return None
    assert code and name and kind and imd_decile is not None  # each was checked above
    assert latitude is not None and longitude is not None
    return _AreaRow(
        line=line,
        code=code,
        name=name,
        kind=kind,
        imd_decile=imd_decile,
        latitude=latitude,
        longitude=longitude,
        young_population=young_population,
        outward_codes=outward_codes,
    )


def _coordinate(
    column: str,
    value: str | None,
    bounds: tuple[Decimal, Decimal],
    out_of_range_message: str,
    problem: Callable[[str, str], None],
) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        problem(column, errors.AREA_IMPORT_COORDINATE_INVALID.format(value=value))
        return None
    low, high = bounds
    if not low <= number <= high:
        problem(column, out_of_range_message.format(value=value))
        return None
    return number.quantize(COORDINATE_PLACES, rounding=ROUND_HALF_UP)
