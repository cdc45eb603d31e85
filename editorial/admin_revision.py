"""The admin's lists of revisions and versions (django-reversion-compare registers them with
ADD_REVERSION_ADMIN), with a search that works: its own searches "user", a relation, which the
database cannot compare with text (every search was a 500). Staff search by the user's name or
the comment.

Both lists grow with every save (100,000 and more rows): no date hierarchy (its years read every
row), no filter by comment or format (their choices were every distinct value in the table), the
user filter offers staff only (not every member), and no second count of the whole table."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from reversion.models import Revision, Version

from core.time_zones import StaffTimeZoneAdmin


class StaffUserFilter(admin.SimpleListFilter):
    title = _("user")
    parameter_name = "user__id__exact"

    def lookups(self, request, model_admin):
        staff = get_user_model().objects.filter(is_staff=True).order_by("username")
        return [(str(user.pk), str(user)) for user in staff]

    def queryset(self, request, queryset):
        value = self.value() or ""
        if value.isdigit() and len(value) < 19:
            return queryset.filter(user_id=int(value))
        return queryset


def register():
    if not admin.site.is_registered(Revision):
        return
    library_admin = type(admin.site.get_model_admin(Revision))

    class RevisionAdmin(StaffTimeZoneAdmin, library_admin):
        search_fields = ["user__username", "user__email", "comment"]
        list_filter = [StaffUserFilter]
        date_hierarchy = None
        show_full_result_count = False

        def get_queryset(self, request):
            # A revision's name is its versions' (Revision.__str__): one query for the page.
            return super().get_queryset(request).prefetch_related("version_set")

    admin.site.unregister(Revision)
    admin.site.register(Revision, RevisionAdmin)
    if admin.site.is_registered(Version):
        version_admin = type(admin.site.get_model_admin(Version))

        class VersionAdmin(version_admin):
            list_filter = ["content_type"]
            # The stored data of every version was read for each search.
            search_fields = ["object_repr"]
            show_full_result_count = False

        admin.site.unregister(Version)
        admin.site.register(Version, VersionAdmin)
