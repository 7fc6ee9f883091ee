"""The staff service's settings: the ``staff`` section of :mod:`bot.settings`, which reads every
variable (STAFF_*, RASA_URL, RASA_AUTH_TOKEN, TRACKER_STORE_URL, ZHICHENG_*) and holds every
default. Re-exported here for the staff package."""

from __future__ import annotations

from bot.settings import ROOT, SettingsError, StaffSettings, get_staff_settings

__all__ = ["ROOT", "SettingsError", "StaffSettings", "get_staff_settings"]
