"""WSGI entry point: `gunicorn mediane.wsgi` (see docs/deployment.md)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediane.settings")
application = get_wsgi_application()

from mediane.core import memory  # noqa: E402  (after Django is set up)

memory.enable_for_web()
