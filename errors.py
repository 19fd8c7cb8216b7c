"""Typed domain errors, mapped to HTTP in one place (register_error_handlers).

Domain code raises these; views never build error responses by hand. API routes (under /api/)
get JSON, people get a page in their language.
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    status = 400

    def __init__(self, message: str = "", field_errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class Invalid(DomainError):
    """Input that cannot be accepted; field_errors maps each field to its messages."""

    status = 400


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        if _wants_json():
            body = {"error": type(error).__name__.lower(), "message": error.message}
            if error.field_errors:
                body["errors"] = error.field_errors
            return jsonify(body), error.status
        return (
            render_template("error.html", status=error.status, message=error.message,
                            field_errors=error.field_errors),
            error.status,
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        messages = {
            404: _("This page does not exist, or is no longer published."),
            405: _("This action is not allowed here."),
        }
        message = messages.get(error.code or 500, error.description)
        if _wants_json():
            return jsonify({"error": error.name.lower().replace(" ", "_"), "message": message}), (
                error.code or 500
            )
        return render_template("error.html", status=error.code, message=message), error.code
