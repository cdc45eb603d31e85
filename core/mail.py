"""What every email of the site shares, whichever code sends it (alerts, allauth's account
emails, staff invitations, review notifications, server-error reports):

- `SiteEmailBackend` (settings.EMAIL_BACKEND) gives each message a Message-ID from the site's
  domain (the host of MPED_SITE_URL), then hands it to the backend that really delivers it
  (MPED_EMAIL_DELIVERY_BACKEND: SMTP, the console…). One place, so no send path can forget it;
  Django's own default names the server's host name, which spam filters hold against us.
- `site_name()`: the name emails give the site, the site settings' "site name" (pages registers
  where it comes from in its AppConfig.ready(): the core imports no app).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import make_msgid

DEFAULT_SITE_NAME = "Municipal Partners for Economic Development"

_site_name_source = None


def register_site_name(source):
    """`source()` returns the site's name as staff set it."""
    global _site_name_source
    _site_name_source = source


def site_name():
    name = _site_name_source() if _site_name_source is not None else ""
    return name or DEFAULT_SITE_NAME


def site_domain():
    """The site's host name, from MPED_SITE_URL (no port)."""
    return urlsplit(settings.MPED_SITE_URL).hostname or "localhost"


class SiteEmailBackend(BaseEmailBackend):
    """Sets a Message-ID `<…@site domain>` on each message that has none, and delivers it
    through MPED_EMAIL_DELIVERY_BACKEND (given the same options)."""

    def __init__(self, fail_silently=False, **kwargs):
        super().__init__(fail_silently=fail_silently)
        self.delivery = get_connection(
            settings.MPED_EMAIL_DELIVERY_BACKEND, fail_silently=fail_silently, **kwargs
        )

    def open(self):
        return self.delivery.open()

    def close(self):
        return self.delivery.close()

    def send_messages(self, email_messages):
        domain = site_domain()
        for message in email_messages:
            if not any(name.lower() == "message-id" for name in message.extra_headers):
                message.extra_headers["Message-ID"] = make_msgid(domain=domain)
        return self.delivery.send_messages(email_messages)
