"""Django admin for organisations, staff and invitations: a support tool for superusers.

Day-to-day approval happens in the city team's queue (``city-admin-organisations``), which emails
owners and records who changed what; editing status here does neither.
"""

from django.contrib import admin

from .models import Invitation, Membership, Organisation


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "type", "status", "status_changed_at", "created_at"]
    list_filter = ["city", "status", "type"]
    search_fields = ["name", "slug", "public_id", "contact_email", "description"]
    readonly_fields = ["public_id", "created_at", "updated_at", "status_changed_at"]
    raw_id_fields = ["status_changed_by"]
    filter_horizontal = ["areas_served"]
    list_select_related = ["city"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role", "organisation__city"]
    search_fields = ["user__email", "user__display_name", "organisation__name"]
    raw_id_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "role", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["role", "organisation__city"]
    search_fields = ["email", "organisation__name"]
    raw_id_fields = ["organisation", "invited_by", "accepted_by"]
    readonly_fields = ["token", "created_at", "updated_at", "accepted_at", "accepted_by"]
    list_select_related = ["organisation"]
