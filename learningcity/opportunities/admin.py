"""Django admin for opportunities, sessions, bookings and topics: a support tool for superusers.

Day-to-day work happens on the staff's pages and in the city team's review queue, which check
roles, keep ``first_starts_at``/``last_ends_at`` and the search index in step, and email people.
Editing here does none of that, so the lifecycle fields and booked counts are read-only.
"""

from django.contrib import admin

from .models import AttendeeCode, Booking, Opportunity, SavedOpportunity, Session, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "city"]
    list_filter = ["city"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ("name",)}


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0
    fields = ["starts_at", "ends_at", "capacity", "booked_count", "is_cancelled", "public_id"]
    readonly_fields = ["booked_count", "public_id"]
    show_change_link = True


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "city", "type", "status", "first_starts_at"]
    list_filter = ["city", "status", "type", "delivery", "booking_mode"]
    search_fields = ["title", "summary", "public_id", "organisation__name", "postcode"]
    readonly_fields = [
        "public_id",
        "status",
        "submitted_at",
        "published_at",
        "reviewed_by",
        "created_by",
        "first_starts_at",
        "last_ends_at",
        "area",
        "latitude",
        "longitude",
        "created_at",
        "updated_at",
    ]
    raw_id_fields = ["organisation", "city"]
    filter_horizontal = ["topics", "skills", "badge_classes", "partners"]
    list_select_related = ["organisation", "city"]
    date_hierarchy = "first_starts_at"
    inlines = [SessionInline]


class BookingInline(admin.TabularInline):
    model = Booking
    extra = 0
    fields = ["learner", "status", "checked_in_at", "cancelled_at", "public_id"]
    readonly_fields = ["learner", "status", "checked_in_at", "cancelled_at", "public_id"]
    can_delete = False


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = [
        "opportunity",
        "starts_at",
        "ends_at",
        "capacity",
        "booked_count",
        "is_cancelled",
    ]
    list_filter = ["is_cancelled", "opportunity__city"]
    search_fields = ["public_id", "opportunity__title"]
    readonly_fields = ["public_id", "booked_count", "created_at", "updated_at"]
    raw_id_fields = ["opportunity"]
    list_select_related = ["opportunity"]
    date_hierarchy = "starts_at"
    inlines = [BookingInline]


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["learner", "session", "status", "checked_in_at", "created_at"]
    list_filter = ["status", "session__opportunity__city"]
    search_fields = ["public_id", "learner__email", "session__opportunity__title"]
    readonly_fields = ["public_id", "created_at", "updated_at", "promoted_at", "cancelled_at"]
    raw_id_fields = ["session", "learner", "checked_in_by"]
    list_select_related = ["learner", "session__opportunity"]


@admin.register(SavedOpportunity)
class SavedOpportunityAdmin(admin.ModelAdmin):
    list_display = ["learner", "opportunity", "created_at"]
    search_fields = ["learner__email", "opportunity__title"]
    raw_id_fields = ["learner", "opportunity"]
    list_select_related = ["learner", "opportunity"]


@admin.register(AttendeeCode)
class AttendeeCodeAdmin(admin.ModelAdmin):
    """Codes are secrets a learner shows at the door; the admin lists who has one, not the code."""

    list_display = ["learner", "created_at"]
    search_fields = ["learner__email"]
    fields = ["learner", "created_at"]
    readonly_fields = ["learner", "created_at"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
