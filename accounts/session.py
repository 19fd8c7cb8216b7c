"""Who is signed in: Flask-Login's user loader, checking the rotating session token."""

from __future__ import annotations

import uuid

from accounts.models import User
from extensions import db, login_manager


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The session id is "<user id>:<session token>"; a replaced token (new login, password
    change) makes every older session anonymous."""
    user_id, _, token = session_id.partition(":")
    try:
        user = db.session.get(User, uuid.UUID(user_id))
    except ValueError:
        return None
    if user is None or not token or user.session_token != token:
        return None
    return user
