"""An address whose path holds a NUL character is a 404 everywhere: no page, object or file
name can contain one, and PostgreSQL refuses it in a query (a ValueError, so a 500, wherever a
view looks the path up: a document's name, an object's history in the admin)."""

from django.http import Http404
from django.utils.translation import gettext as _


class NulInAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info:
            raise Http404(_("There is no such page."))
        return self.get_response(request)
