"""The admin's list of revisions (django-reversion-compare registers it with ADD_REVERSION_ADMIN),
with a search that works: its own searches "user", a relation, which the database cannot
compare with text (every search was a 500). Staff search by the user's name or the comment."""

from django.contrib import admin
from reversion.models import Revision

from core.time_zones import StaffTimeZoneAdmin


def register():
    if not admin.site.is_registered(Revision):
        return
    library_admin = type(admin.site.get_model_admin(Revision))

    class RevisionAdmin(StaffTimeZoneAdmin, library_admin):
        search_fields = ["user__username", "user__email", "comment"]

    admin.site.unregister(Revision)
    admin.site.register(Revision, RevisionAdmin)
