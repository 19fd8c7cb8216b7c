"""/api/openapi.json (the OpenAPI 3 document) and /api/docs (the same, as a page people read:
server-rendered, no script, so it works under the site's content security policy and with
any browser or screen reader)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from flask import Blueprint, jsonify, render_template

from directory.openapi import build_spec

bp = Blueprint("api_docs", __name__)

METHODS = ("get", "post", "put", "delete")


@cache
def _spec() -> dict[str, Any]:
    # The document depends on the code only: built once per process.
    return build_spec()


@dataclass
class Field:
    name: str
    type: str
    required: bool
    description: str = ""


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    secured: bool
    parameters: list[Field] = field(default_factory=list)
    body: str | None = None
    responses: list[tuple[str, str, str | None]] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        words = self.path.strip("/").replace("{", "").replace("}", "").replace("/", "-")
        return f"{self.method.lower()}-{words}"


def _ref_name(schema: dict | None) -> str | None:
    ref = (schema or {}).get("$ref", "")
    return ref.rsplit("/", 1)[-1] if ref else None


def _type(schema: dict) -> str:
    name = _ref_name(schema)
    if name:
        return name
    kind = schema.get("type", "any")
    if kind == "array":
        return f"{_type(schema.get('items', {}))}[]"
    if schema.get("format"):
        kind = f"{kind} ({schema['format']})"
    if schema.get("enum"):
        kind += ": " + " | ".join(str(v) for v in schema["enum"])
    if schema.get("nullable"):
        kind += ", null"
    return kind


def operations_by_tag(spec: dict) -> list[tuple[dict, list[Operation]]]:
    """The document's operations grouped by tag, in the document's order, ready to show."""
    grouped: dict[str, list[Operation]] = {tag["name"]: [] for tag in spec.get("tags", [])}
    for path, item in spec["paths"].items():
        shared = item.get("parameters", [])
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            parameters = [
                Field(p["name"], f"{p['in']}, {_type(p.get('schema', {}))}",
                      p.get("required", False), p.get("description", ""))
                for p in shared + operation.get("parameters", [])
            ]
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            responses = []
            for code, answer in operation["responses"].items():
                schema = answer.get("content", {}).get("application/json", {}).get("schema")
                responses.append((code, answer.get("description", ""), _ref_name(schema)))
            found = Operation(
                method=method.upper(), path=path, summary=operation.get("summary", ""),
                description=operation.get("description", ""),
                secured=bool(operation.get("security")), parameters=parameters,
                body=_ref_name(body.get("schema")) if body else None, responses=responses,
            )
            for tag in operation.get("tags", ["other"]):
                grouped.setdefault(tag, []).append(found)
    tags = {tag["name"]: tag for tag in spec.get("tags", [])}
    return [(tags.get(name, {"name": name}), items) for name, items in grouped.items() if items]


def schema_fields(spec: dict) -> list[tuple[str, list[Field]]]:
    """Each named schema and its fields."""
    shown = []
    for name, schema in spec["components"]["schemas"].items():
        required = set(schema.get("required", []))
        shown.append((name, [
            Field(prop, _type(value), prop in required, value.get("description", ""))
            for prop, value in schema.get("properties", {}).items()
        ]))
    return shown


@bp.get("/api/openapi.json")
def openapi_document():
    return jsonify(_spec())


@bp.get("/api/docs")
def docs():
    spec = _spec()
    return render_template(
        "directory/api_docs.html",
        spec=spec,
        groups=operations_by_tag(spec),
        schemas=schema_fields(spec),
    )
