"""The staff page's fixtures (a logged-in aiohttp test client over the real app) for the attack tests."""

from tests.staff.conftest import admin_client, app_factory, client, staff_client  # noqa: F401
