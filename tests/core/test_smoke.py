import pytest


@pytest.mark.django_db
def test_home_page_renders(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Content-Security-Policy" in response.headers


@pytest.mark.django_db
def test_can_sees_through_lazy_objects():
    """request.user is a SimpleLazyObject; rules must still be found for it."""
    from django.utils.functional import SimpleLazyObject

    from mediane.accounts.models import User
    from mediane.core.permissions import can, registered_rules

    user = User.objects.create_user("lazy@example.org", "x-long-password")
    lazy = SimpleLazyObject(lambda: user)
    assert (User, "view_private") in registered_rules()
    assert can(user, "view_private", lazy)
