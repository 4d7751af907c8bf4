"""The users blueprint object: users, roles, teams, the profile and the audit log.

It lives apart from the views so each view module imports it without importing
its siblings; ``cube.create_app`` imports the view modules to attach them.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("users", __name__)
