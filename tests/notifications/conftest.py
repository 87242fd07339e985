"""Fixtures of the notification tests: tasks run immediately, people with each preference."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from mediane.notifications.models import NotificationPreference
from tests.accounts.factories import UserFactory


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Tasks run in-process, so the e-mail a task sends is in `mail.outbox`."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The header's unread count is cached per user id; ids are reused between tests."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def alice(db):
    return UserFactory(email="alice@example.org", full_name="Alice Martin")


@pytest.fixture
def bruno(db):
    return UserFactory(email="bruno@example.org", full_name="Bruno Tremblay")


@pytest.fixture
def chloe(db):
    """Chloé wants one e-mail per notification."""
    user = UserFactory(email="chloe@example.org", full_name="Chloé Roy")
    NotificationPreference.objects.create(user=user, frequency="immediate")
    return user
