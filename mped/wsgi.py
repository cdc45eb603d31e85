"""
WSGI config for mped project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

from django.core.wsgi import get_wsgi_application

from mped.settings import use_default_settings

# The settings named by DJANGO_SETTINGS_MODULE, else mped.settings.production (mped.settings.dev
# with DJANGO_DEBUG=1).
use_default_settings()

application = get_wsgi_application()
