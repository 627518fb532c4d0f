"""Bulk issuing from a CSV file: check it (a dry run), confirm it, issue it in the background.

The flow, and where each guarantee comes from:

- :func:`bulk_issue_create` reads the file and stores a :class:`BulkIssue` with one
  :class:`BulkIssueRow` per line, each with its problem (if any). Nothing is issued.
- :func:`bulk_issue_confirm` flips the run from *preview* to *queued* with a conditional
  ``UPDATE``; only the request that flips it enqueues the task, so a double submit starts one run.
- :func:`bulk_issue_process` (the task) issues rows in batches. Each row is locked, issued and
  marked with its award in ONE transaction, so a worker killed mid-batch loses only uncommitted
  work, and a second worker or a second copy of the task skips rows that are locked or done.
  Exactly-once is the database's promise, not the worker's.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from learningcity.accounts.models import User
from learningcity.core import errors
from learningcity.core.errors import ServiceError
from learningcity.organisations.models import Organisation

from .models import Award, BadgeClass, BulkIssue, BulkIssueRow
from .services import AwardEvidence, AwardIssueCache, award_issue

MAX_ROWS = 10_000
BATCH_SIZE = 50
REQUIRED_COLUMNS = ("email", "name")
OPTIONAL_COLUMNS = ("issue_date", "expiry", "evidence_narrative", "evidence_url", "badge")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


# --- Reading the file ----------------------------------------------------------------------------


def badge_classes_awardable(*, organisation: Organisation) -> QuerySet[BadgeClass]:
    """The badge classes ``organisation`` may award now: its published ones."""
    badge_classes = BadgeClass.objects.filter(organisation=organisation)
    if hasattr(BadgeClass, "status"):
        badge_classes = badge_classes.filter(status="published")
    return badge_classes.order_by("name")


def _parse_date(value: str) -> datetime.datetime | None:
    """A day in the site's time zone, as an aware datetime at its start; ``None`` when empty."""
    value = value.strip()
    if not value:
        return None
    for pattern in DATE_FORMATS:
        try:
            day = datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
    raise ValueError(value)


@dataclass
class _Checked:
    rows: list[BulkIssueRow] = field(default_factory=list)
    seen: dict[tuple[int, str], int] = field(default_factory=dict)


def _check_row(
    row: BulkIssueRow,
    values: dict[str, str],
    *,
    default_badge: BadgeClass | None,
    badges: dict[str, BadgeClass],
    checked: _Checked,
) -> None:
    """Fill ``row`` from ``values`` and set ``row.error`` to its first problem (if any)."""
    row.email = values.get("email", "").strip().lower()[:254]
    row.name = values.get("name", "").strip()[:120]
    row.evidence_narrative = values.get("evidence_narrative", "").strip()
    row.evidence_url = values.get("evidence_url", "").strip()[:500]
    badge_value = values.get("badge", "").strip()
    if badge_value:
        row.badge_class = badges.get(badge_value) or badges.get(badge_value.casefold())
        if row.badge_class is None:
            row.error = errors.BULK_ISSUE_BADGE_UNKNOWN.format(value=badge_value)
            return
    else:
        row.badge_class = default_badge
        if default_badge is None:
            row.error = errors.BULK_ISSUE_BADGE_MISSING
            return
    try:
        validate_email(row.email)
    except ValidationError:
        row.error = errors.BULK_ISSUE_EMAIL_INVALID.format(value=values.get("email", ""))
        return
    for column, attribute in (("issue_date", "issued_at"), ("expiry", "expires_at")):
        try:
            setattr(row, attribute, _parse_date(values.get(column, "")))
        except ValueError:
            row.error = errors.BULK_ISSUE_DATE_INVALID.format(value=values.get(column, ""))
            return
    if row.expires_at and row.expires_at <= (row.issued_at or timezone.now()):
        row.error = errors.BULK_ISSUE_EXPIRY_BEFORE_ISSUE
        return
    if row.evidence_url:
        try:
            URLValidator(schemes=["http", "https"])(row.evidence_url)
        except ValidationError:
            row.error = errors.AWARD_EVIDENCE_URL_INVALID.format(value=row.evidence_url)
            return
    assert row.badge_class is not None  # rows without a badge were refused above
    key = (row.badge_class.pk, row.email)
    if key in checked.seen:
        row.error = errors.BULK_ISSUE_DUPLICATE_ROW.format(email=row.email, line=checked.seen[key])
        return
    checked.seen[key] = row.line


def _mark_already_awarded(rows: Iterable[BulkIssueRow]) -> None:
    """Set the error of rows whose person already holds a live, unexpired award of the badge."""
    by_badge: dict[int, list[BulkIssueRow]] = {}
    for row in rows:
        if not row.error and row.badge_class is not None:
            by_badge.setdefault(row.badge_class.pk, []).append(row)
    now = timezone.now()
    for badge_class_id, badge_rows in by_badge.items():
        emails = [row.email for row in badge_rows]
        held = set()
        for start in range(0, len(emails), 500):
            held |= set(
                Award.objects.filter(
                    badge_class_id=badge_class_id,
                    recipient_email__in=emails[start : start + 500],
                    revoked_at__isnull=True,
                    replaced_at__isnull=True,
                )
                .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
                .values_list("recipient_email", flat=True)
            )
        for row in badge_rows:
            if row.email in held:
                row.error = errors.BULK_ISSUE_ALREADY_AWARDED.format(email=row.email)


def _read_csv(data: bytes) -> list[dict[str, str]]:
    """The rows of the file as dicts keyed by lower-case column name, or a file-level error."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ServiceError(errors.BULK_ISSUE_NOT_UTF8, field="file") from exc
    if not text.strip():
        raise ServiceError(errors.BULK_ISSUE_EMPTY, field="file")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [column.strip().lower() for column in next(reader)]
        missing = [column for column in REQUIRED_COLUMNS if column not in header]
        if missing:
            raise ServiceError(
                errors.BULK_ISSUE_COLUMN_MISSING.format(
                    column=missing[0], required=", ".join(REQUIRED_COLUMNS)
                ),
                field="file",
            )
        rows: list[tuple[int, dict[str, str]]] = []
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            if len(rows) == MAX_ROWS:
                raise ServiceError(
                    errors.BULK_ISSUE_TOO_MANY_ROWS.format(limit=MAX_ROWS), field="file"
                )
            rows.append((reader.line_num, dict(zip(header, values, strict=False))))
    except csv.Error as exc:
        raise ServiceError(errors.BULK_ISSUE_NOT_CSV.format(detail=exc), field="file") from exc
    if not rows:
        raise ServiceError(errors.BULK_ISSUE_NO_ROWS, field="file")
    return [{"__line__": str(line), **values} for line, values in rows]


@transaction.atomic
def bulk_issue_create(
    *,
    organisation: Organisation,
    badge_class: BadgeClass | None,
    created_by: User | None,
    data: bytes,
    file_name: str = "",
) -> BulkIssue:
    """Check a CSV file of awards and store it for preview; nothing is issued yet.

    Raises :class:`ServiceError` for a problem with the whole file (encoding, columns, too many
    rows); a problem with one row is stored on the row and shown in the preview.
    """
    records = _read_csv(data)
    badges: dict[str, BadgeClass] = {}
    for awardable in badge_classes_awardable(organisation=organisation):
        badges[awardable.public_id] = awardable
        badges.setdefault(awardable.name.casefold(), awardable)
    bulk_issue = BulkIssue.objects.create(
        organisation=organisation,
        badge_class=badge_class,
        created_by=created_by,
        file_name=file_name[:255],
    )
    checked = _Checked()
    for values in records:
        row = BulkIssueRow(bulk_issue=bulk_issue, line=int(values["__line__"]))
        _check_row(row, values, default_badge=badge_class, badges=badges, checked=checked)
        checked.rows.append(row)
    _mark_already_awarded(checked.rows)
    BulkIssueRow.objects.bulk_create(checked.rows, batch_size=500)
    return bulk_issue


# --- Confirming and issuing ----------------------------------------------------------------------


def _rows_pending(bulk_issue_id: int) -> QuerySet[BulkIssueRow]:
    return BulkIssueRow.objects.filter(
        bulk_issue_id=bulk_issue_id, award__isnull=True, error="", issue_error=""
    )


def bulk_issue_counts(*, bulk_issue: BulkIssue) -> dict[str, int]:
    """Rows in the file, with a preview problem, to issue, issued, refused while issuing."""
    counts = BulkIssueRow.objects.filter(bulk_issue=bulk_issue).aggregate(
        total=Count("pk"),
        invalid=Count("pk", filter=~Q(error="")),
        issued=Count("pk", filter=Q(award__isnull=False)),
        refused=Count("pk", filter=~Q(issue_error="")),
    )
    counts["to_issue"] = counts["total"] - counts["invalid"]
    counts["finished"] = counts["issued"] + counts["refused"]
    counts["percent"] = (
        100 * counts["finished"] // counts["to_issue"] if counts["to_issue"] else 100
    )
    return counts


def bulk_issue_confirm(*, bulk_issue: BulkIssue) -> bool:
    """Start issuing a previewed run. True when this call started it, False when it had
    already been confirmed (a double submit): then nothing more happens."""
    from .tasks import bulk_issue_run

    if not _rows_pending(bulk_issue.pk).exists() and bulk_issue.status == BulkIssue.Status.PREVIEW:
        raise ServiceError(errors.BULK_ISSUE_NOTHING_TO_ISSUE)
    with transaction.atomic():
        started = (
            BulkIssue.objects.filter(pk=bulk_issue.pk, status=BulkIssue.Status.PREVIEW).update(
                status=BulkIssue.Status.QUEUED, confirmed_at=timezone.now()
            )
            == 1
        )
        if started:
            transaction.on_commit(lambda: bulk_issue_run.enqueue(bulk_issue_id=bulk_issue.pk))
    bulk_issue.refresh_from_db()
    return started


def bulk_issue_resume(*, bulk_issue: BulkIssue) -> bool:
    """Enqueue a confirmed run again (after a worker died). Safe to call any number of times:
    rows already issued or being issued by a live worker are skipped."""
    from .tasks import bulk_issue_run

    if bulk_issue.status not in (BulkIssue.Status.QUEUED, BulkIssue.Status.RUNNING):
        return False
    transaction.on_commit(lambda: bulk_issue_run.enqueue(bulk_issue_id=bulk_issue.pk))
    return True


def _issue_row(row: BulkIssueRow, *, issued_by: User | None) -> None:
    """Issue one locked row and record its award, or its refusal, in the caller's transaction."""
    _issue_row_unsaved(row, issued_by=issued_by, cache=None)
    row.save(update_fields=["award", "issue_error"])


def _issue_row_unsaved(
    row: BulkIssueRow, *, issued_by: User | None, cache: AwardIssueCache | None
) -> None:
    """Issue one locked row and note its award, or its refusal, on the row; the caller saves
    the row in the same transaction (a batch saves all its rows with one query)."""
    evidence = []
    if row.evidence_narrative or row.evidence_url:
        evidence.append(AwardEvidence(narrative=row.evidence_narrative, url=row.evidence_url))
    assert row.badge_class is not None  # checked at preview: only valid rows are issued
    try:
        with transaction.atomic():
            row.award = award_issue(
                badge_class=row.badge_class,
                recipient_email=row.email,
                recipient_name=row.name,
                issued_by=issued_by,
                issued_at=row.issued_at,
                expires_at=row.expires_at,
                evidence=evidence,
                cache=cache,
            )
    except ServiceError as refusal:
        row.issue_error = refusal.message
    except IntegrityError:
        # Someone gave the same person the same badge at the same moment (the one-live-award
        # constraint): the row is refused as if they had been first. Anything else is a bug.
        if not _live_award_exists(row):
            raise
        if cache is not None:
            cache.forget_current_award(badge_class=row.badge_class, recipient_email=row.email)
        row.issue_error = errors.AWARD_ALREADY_HELD.format(email=row.email)


def _live_award_exists(row: BulkIssueRow) -> bool:
    return Award.objects.filter(
        badge_class=row.badge_class,
        recipient_email=row.email,
        revoked_at__isnull=True,
        replaced_at__isnull=True,
    ).exists()


def _rows_save(rows: list[BulkIssueRow]) -> None:
    """``row.save(update_fields=["award", "issue_error"])`` for each row, as one statement run
    once per row: cheaper than a query built per row, or ``bulk_update``'s ``CASE``."""
    meta, quote = BulkIssueRow._meta, connection.ops.quote_name
    award, issue_error = meta.get_field("award").column, meta.get_field("issue_error").column
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {quote(award)} = %s, {quote(issue_error)} = %s "  # noqa: S608 (names from the model)
        f"WHERE {quote(meta.pk.column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(row.award_id, row.issue_error, row.pk) for row in rows])


def bulk_issue_process(*, bulk_issue_id: int, batch_size: int = BATCH_SIZE) -> int:
    """Issue every pending row of a confirmed run; returns how many this call issued.

    Each batch is one transaction that locks its rows (``SKIP LOCKED`` where the database has
    it, so a second worker takes other rows; SQLite has one writer at a time anyway) and sets
    each row's award beside the award itself. Killed mid-batch, the batch rolls back whole and
    its rows are pending again for the next worker. What the rows of a batch share (issuer,
    keys, status-list bits, accounts) is read once per batch (:class:`AwardIssueCache`), and the
    batch's emails go out after its commit in one task over one mail-server connection.
    """
    BulkIssue.objects.filter(pk=bulk_issue_id, status=BulkIssue.Status.QUEUED).update(
        status=BulkIssue.Status.RUNNING
    )
    bulk_issue = BulkIssue.objects.select_related("created_by").get(pk=bulk_issue_id)
    if bulk_issue.status != BulkIssue.Status.RUNNING:
        return 0
    issued = 0
    cache = AwardIssueCache()
    while True:
        with transaction.atomic():
            rows = list(
                _rows_pending(bulk_issue_id)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("badge_class__organisation")
                .order_by("line")[:batch_size]
            )
            if rows:
                planned = [(row.badge_class, row.email) for row in rows if row.badge_class]
                with cache.batch(awards=planned):
                    for row in rows:
                        _issue_row_unsaved(row, issued_by=bulk_issue.created_by, cache=cache)
                        issued += row.award is not None
                _rows_save(rows)
        if not rows:
            break
    # Rows another worker holds locked are still pending: that worker finishes the run.
    if not _rows_pending(bulk_issue_id).exists():
        BulkIssue.objects.filter(pk=bulk_issue_id, status=BulkIssue.Status.RUNNING).update(
            status=BulkIssue.Status.DONE, finished_at=timezone.now()
        )
    return issued


def bulk_issue_list_unfinished() -> QuerySet[BulkIssue]:
    """Confirmed runs that have not finished: what ``manage.py bulk_issue_resume`` restarts."""
    return BulkIssue.objects.filter(
        status__in=[BulkIssue.Status.QUEUED, BulkIssue.Status.RUNNING]
    ).order_by("confirmed_at")


# --- Reads and fetch-or-deny for the staff pages -------------------------------------------------


def access_bulk_issue(*, organisation: Organisation, public_id: str) -> BulkIssue:
    """A bulk issue of ``organisation``, or 404. Call only after the organisation access check."""
    from django.http import Http404

    bulk_issue = (
        BulkIssue.objects.select_related("badge_class", "organisation__city")
        .filter(organisation=organisation, public_id=public_id)
        .first()
    )
    if bulk_issue is None:
        raise Http404("No such bulk issue.")
    return bulk_issue


def award_list_for_organisation(
    *, organisation: Organisation, badge_public_id: str = "", status: str = "", query: str = ""
) -> QuerySet[Award]:
    """The awards of ``organisation``'s badges, newest first, filtered by badge, status
    (``live``, ``revoked``, ``expired``) and a part of the email address."""
    now = timezone.now()
    awards = Award.objects.filter(badge_class__organisation=organisation).select_related(
        "badge_class"
    )
    if badge_public_id:
        awards = awards.filter(badge_class__public_id=badge_public_id)
    if status == "live":
        awards = awards.filter(revoked_at__isnull=True, replaced_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )
    elif status == "revoked":
        awards = awards.filter(revoked_at__isnull=False)
    elif status == "expired":
        awards = awards.filter(revoked_at__isnull=True, expires_at__lte=now)
    if query:
        awards = awards.filter(recipient_email__icontains=query.strip())
    return awards.order_by("-issued_at", "-pk")


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> str:
    """A cell a spreadsheet will show as text: one starting like a formula gets a quote first
    (OWASP "CSV injection")."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def award_status(award: Award) -> str:
    if award.revoked_at:
        return "revoked"
    if award.is_expired:
        return "expired"
    if award.replaced_at:
        return "replaced"
    return "live"
