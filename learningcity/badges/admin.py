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
