from django.contrib import admin

from .models import Award, BadgeClass, Issuer, IssuerKey, StatusList


@admin.register(BadgeClass)
class BadgeClassAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "level", "public_id"]
    list_filter = ["level", "organisation__city"]
    search_fields = ["name", "organisation__name"]
    readonly_fields = ["public_id"]
    raw_id_fields = ["organisation"]


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    list_display = ["badge_class", "recipient_email", "issued_at", "expires_at", "revoked_at"]
    list_filter = ["revoked_at", "badge_class__organisation__city"]
    search_fields = ["recipient_email", "public_id", "badge_class__name"]
    list_select_related = ["badge_class"]
    # Signed documents and status bits are the issuer's word: never edited by hand.
    readonly_fields = [
        "public_id",
        "badge_class",
        "recipient_email",
        "salt",
        "issued_at",
        "expires_at",
        "status_list",
        "status_index",
        "revoked_at",
        "revocation_reason",
        "ob3_credential",
        "ob3_jwt",
        "evidence",
        "replaced_at",
    ]
    raw_id_fields = ["recipient", "issued_by"]


class IssuerKeyInline(admin.TabularInline):
    model = IssuerKey
    extra = 0
    fields = ("kind", "key_id", "created_at", "retired_at")
    readonly_fields = fields
    can_delete = False


@admin.register(Issuer)
class IssuerAdmin(admin.ModelAdmin):
    list_display = ["public_id", "organisation", "city"]
    readonly_fields = ["public_id"]
    raw_id_fields = ["organisation", "city"]
    inlines = [IssuerKeyInline]


@admin.register(StatusList)
class StatusListAdmin(admin.ModelAdmin):
    list_display = ["public_id", "issuer", "purpose", "next_index"]
    readonly_fields = ["public_id", "issuer", "purpose", "next_index", "credential"]
    exclude = ["bits"]


# --- Badge design -----------------------------------------------------------------------------

from .models import Skill, SkillFramework  # noqa: E402


class SkillInline(admin.TabularInline):
    model = Skill
    extra = 0
    fields = ("name", "code", "url", "description")


@admin.register(SkillFramework)
class SkillFrameworkAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "is_default"]
    list_filter = ["city", "is_default"]
    search_fields = ["name"]
    inlines = [SkillInline]


# --- Bulk issuing -----------------------------------------------------------------------------

from .models import BulkIssue  # noqa: E402


@admin.register(BulkIssue)
class BulkIssueAdmin(admin.ModelAdmin):
    """Read-only: a run is started and resumed by its services (``manage.py bulk_issue_resume``)."""

    list_display = ["public_id", "organisation", "status", "created_at", "finished_at"]
    list_filter = ["status"]
    search_fields = ["public_id", "organisation__name", "file_name"]
    readonly_fields = [
        "public_id",
        "organisation",
        "badge_class",
        "created_by",
        "file_name",
        "status",
        "file_error",
        "confirmed_at",
        "finished_at",
    ]


# --- Claim codes and award emails (issue 4, claims) ----------------------------------------------
from .models import AwardDelivery, ClaimCode  # noqa: E402  (appended section)


@admin.register(ClaimCode)
class ClaimCodeAdmin(admin.ModelAdmin):
    """Read-only: codes are made, used and switched off through their services."""

    list_display = ["code", "badge_class", "uses", "max_uses", "expires_at", "revoked_at"]
    list_filter = ["badge_class__organisation__city"]
    search_fields = ["code", "badge_class__name", "badge_class__organisation__name"]
    list_select_related = ["badge_class"]
    readonly_fields = ["badge_class", "code", "max_uses", "uses", "expires_at", "created_by"]


@admin.register(AwardDelivery)
class AwardDeliveryAdmin(admin.ModelAdmin):
    list_display = ["award", "status", "attempts", "sent_at", "claimed_at", "reminded_at"]
    list_filter = ["status"]
    search_fields = ["award__recipient_email", "award__public_id"]
    list_select_related = ["award__badge_class"]
    readonly_fields = [
        "award",
        "status",
        "attempts",
        "last_error",
        "sent_at",
        "claimed_at",
        "reminded_at",
    ]
