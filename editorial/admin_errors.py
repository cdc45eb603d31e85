"""A filter in an admin list's address that the database cannot take is a 400, for every
ModelAdmin on the site: ours and the libraries' (allauth's, reversion's, django_tasks'...).

Django's ChangeList turns errors while it *builds* the filters into a redirect to `?e=1`, but
errors while the query *runs* (`?updated_at__year=0`, `?title_en__regex=(`, a twenty-digit year,
an integer beyond 64 bits in `pk__in`) surface from the count, the paginator or the template,
as a DataError on PostgreSQL, an OperationalError from SQLite's regexp, a ValueError or an
OverflowError. This middleware answers those with the admin's page saying which filter could
not be used, instead of a 500 (and an error email per request). It also drops an empty
`_to_field`, which the admin's change and delete views take for a field named "".

The request runs in a transaction (a savepoint inside one) that is rolled back when it fails:
PostgreSQL refuses every query after a failed one until then, and the 400 page itself needs the
database (the admin's menu).
"""

import logging

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.main import (
    ALL_VAR,
    ERROR_FLAG,
    IS_FACETS_VAR,
    IS_POPUP_VAR,
    ORDER_VAR,
    PAGE_VAR,
    SEARCH_VAR,
    TO_FIELD_VAR,
)
from django.core.exceptions import ValidationError
from django.db import DataError, OperationalError, connection, transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# The list's own parameters, which are not filters.
NOT_FILTERS = {
    ALL_VAR,
    ERROR_FLAG,
    IS_FACETS_VAR,
    IS_POPUP_VAR,
    ORDER_VAR,
    PAGE_VAR,
    SEARCH_VAR,
    TO_FIELD_VAR,
    "_changelist_filters",
}

MARK = "_mped_bad_list_filter"


def is_value_error(exception):
    """Whether the exception says a value in the address cannot be used, rather than that the
    code or the database is broken."""
    if isinstance(exception, DataError | ValueError | OverflowError | ValidationError):
        return True
    # SQLite's REGEXP is a Python function: a bad pattern fails inside it. On PostgreSQL an
    # OperationalError means the server itself is in trouble: that stays a 500.
    return (
        isinstance(exception, OperationalError)
        and connection.vendor == "sqlite"
        and "user-defined function raised exception" in str(exception)
    )


def drop_empty_to_field(request):
    """`?_to_field=` (empty) is "no field" to the admin's check but a field named "" to its
    change and delete views (FieldDoesNotExist, a 500 on every ModelAdmin): drop it. Any other
    value is checked by the admin itself (a 400 when not allowed)."""
    for name in ("GET", "POST"):
        if name == "POST" and request.method != "POST":
            continue
        data = getattr(request, name)
        if TO_FIELD_VAR in data and not data.get(TO_FIELD_VAR):
            data = data.copy()
            del data[TO_FIELD_VAR]
            setattr(request, name, data)


class AdminListFilterErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = "/" + settings.MPED_ADMIN_URL

    def is_filtered_change_list(self, request):
        if not request.META.get("QUERY_STRING") or not request.path_info.startswith(self.prefix):
            return False
        try:
            match = resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404:
            return False
        return match.namespace == "admin" and (match.url_name or "").endswith("_changelist")

    def __call__(self, request):
        if request.path_info.startswith(self.prefix):
            drop_empty_to_field(request)
        if not self.is_filtered_change_list(request):
            return self.get_response(request)
        with transaction.atomic():
            response = self.get_response(request)
            if hasattr(request, MARK):
                transaction.set_rollback(True)
        if hasattr(request, MARK):
            return self.bad_filter_page(request)
        return response

    def process_exception(self, request, exception):
        if not self.is_filtered_change_list(request) or not is_value_error(exception):
            return None
        logger.warning(
            "The admin list %s could not take the filters in its address: %r",
            request.path,
            exception,
        )
        setattr(request, MARK, True)
        # Replaced by the page once the transaction is rolled back (in __call__).
        return HttpResponse(status=400)

    def bad_filter_page(self, request):
        names = sorted({name for name in request.GET if name not in NOT_FILTERS})
        if names:
            message = _("This list cannot be filtered by %(names)s: the value is not valid.") % {
                "names": get_text_list([f"“{name}”" for name in names], _("or"))
            }
        else:
            message = _("This list cannot be shown with the search or order in the address.")
        context = {
            **admin.site.each_context(request),
            "title": _("This filter cannot be used"),
            "message": message,
            "list_url": request.path,
        }
        return render(request, "admin/bad_list_filter.html", context, status=400)
