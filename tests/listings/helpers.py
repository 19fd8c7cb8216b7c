"""Reading forms as a browser does, and the cast of people every access test goes through."""

from __future__ import annotations

from dataclasses import dataclass

from directory.models import PUBLISHED
from tests import factories
from tests.pages.html_checks import Element, get_page, parse


def form_values(tree: Element, action: str) -> list[tuple[str, str]]:
    """What a browser sends when the form posting to `action` is submitted untouched: text
    fields, checked boxes and radios, selected options, textareas."""
    form = next(f for f in tree.find_all("form") if f.get("action") == action)
    values: list[tuple[str, str]] = []
    for element in form.iter():
        name = element.get("name")
        if not name or element.tag not in ("input", "textarea", "select"):
            continue
        if element.tag == "textarea":
            values.append((name, "".join(c for c in element.children if isinstance(c, str))))
        elif element.tag == "select":
            for option in element.find_all("option"):
                if "selected" in option.attrs:
                    values.append((name, option.get("value") or ""))
        elif (element.get("type") or "text") in ("checkbox", "radio"):
            if "checked" in element.attrs:
                values.append((name, element.get("value", "on") or ""))
        elif (element.get("type") or "text") not in ("submit", "button"):
            values.append((name, element.get("value") or ""))
    return values


def replace(values: list[tuple[str, str]], **changes) -> list[tuple[str, str]]:
    """The form's values with some fields replaced (a list value: several checked boxes)."""
    kept = [(k, v) for k, v in values if k not in changes]
    for key, value in changes.items():
        for item in value if isinstance(value, list) else [value]:
            kept.append((key, item))
    return kept


def csrf_token(client, url: str = "/") -> str:
    """A CSRF token of this client's session, read from a page's form."""
    response = client.get(url)
    tree = parse(response.get_data(as_text=True))
    for element in tree.iter():
        if element.get("name") == "csrf_token":
            return element.get("value")
    raise AssertionError(f"no CSRF token on {url}")


def post_form(client, page_url: str, action: str, **changes):
    """Open the page, change some fields of the form posting to `action`, submit it."""
    page = get_page(client, page_url)
    values = replace(form_values(page.tree, action), **changes)
    return client.post(action, data=_multi(values))


def _multi(values):
    from werkzeug.datastructures import MultiDict

    return MultiDict(values)


@dataclass
class Cast:
    org_a: object
    org_b: object
    service_a: object
    service_b: object
    citizen: object
    member_a: object
    admin_a: object
    member_b: object
    manager_elsewhere: object  # territory manager of the Ain (01), organisation A is in the Rhône
    manager_here: object  # territory manager of the Rhône (69)
    platform_admin: object

    def people(self) -> dict[str, object | None]:
        return {
            "anonymous": None,
            "citizen": self.citizen,
            "member_a": self.member_a,
            "admin_a": self.admin_a,
            "member_b": self.member_b,
            "manager_elsewhere": self.manager_elsewhere,
            "platform_admin": self.platform_admin,
        }


def cast() -> Cast:
    """Organisation A in Lyon (Rhône) and B in Bourg-en-Bresse (Ain), each with a published
    service, and one person of each kind."""
    org_a = factories.organisation(name="Structure A", commune_code="69123")
    org_b = factories.organisation(name="Structure B", commune_code="01053")
    service_a = factories.service(org_a, name="Service de A", status=PUBLISHED)
    service_b = factories.service(
        org_b, name="Service de B", status=PUBLISHED, zones=[("departement", "01")]
    )
    member_a, admin_a, member_b = factories.user(), factories.user(), factories.user()
    factories.membership(member_a, org_a, "member")
    factories.membership(admin_a, org_a, "admin")
    factories.membership(member_b, org_b, "member")
    return Cast(
        org_a=org_a,
        org_b=org_b,
        service_a=service_a,
        service_b=service_b,
        citizen=factories.user(),
        member_a=member_a,
        admin_a=admin_a,
        member_b=member_b,
        manager_elsewhere=factories.territory_manager("01"),
        manager_here=factories.territory_manager("69"),
        platform_admin=factories.user(platform_admin=True),
    )


def sign_in(client, person) -> None:
    if person is not None:
        factories.login(client, person)
