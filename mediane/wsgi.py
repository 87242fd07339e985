"""WSGI entry point: `gunicorn mediane.wsgi` (see docs/deployment.md)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediane.settings")
application = get_wsgi_application()
