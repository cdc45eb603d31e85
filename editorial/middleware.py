from django.conf import settings
from django.utils import timezone

from core.time_zones import user_time_zone


class StaffTimeZoneMiddleware:
    """In the admin, a staff member enters and reads dates and times in their own time zone
    (their profile's, else the site's). Everywhere else, public pages and previews included,
    dates stay in the site's zone: readers all see the same page, which the page cache keeps.

    Django's admin also writes the active zone's offset on the page (data-admin-utc-offset), so
    its "You are N hours ahead of server time" note appears only when the browser's clock is in
    another zone than the one the staff member chose."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/" + settings.MPED_ADMIN_URL

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            request.path_info.startswith(self.admin_prefix)
            and user is not None
            and user.is_authenticated
            and user.is_staff
        ):
            with timezone.override(user_time_zone(user)):
                return self.get_response(request)
        return self.get_response(request)
