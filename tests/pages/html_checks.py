"""Reading a page as a person and as assistive technology do, with the standard library only.

`parse(html)` builds a small element tree; `accessibility_problems(page)` lists what breaks the
rules every public page keeps (docs/accessibility.md); `visible_text(page)` is the text a person
reads, whitespace collapsed. Pages are fetched through `get_page`, which checks them all.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
# Elements whose text is not shown in the page.
NOT_SHOWN = {"head", "script", "style", "template"}
# Inputs a person does not fill in, so they need no label.
UNLABELLED_INPUTS = {"hidden", "submit", "button", "reset", "image"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, *tags: str) -> list[Element]:
        return [element for element in self.iter() if element.tag in tags]

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def text(self) -> str:
        parts: list[str] = []

        def walk(node: Element) -> None:
            for child in node.children:
                if isinstance(child, str):
                    parts.append(child)
                elif child.tag not in NOT_SHOWN:
                    walk(child)

        walk(self)
        return " ".join(" ".join(parts).split())


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs), self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Element(tag, dict(attrs), self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html: str) -> Element:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def visible_text(page: Element) -> str:
    body = page.find_all("body")
    return (body[0] if body else page).text()


def accessibility_problems(page: Element) -> list[str]:
    """Every breach of the page rules, as sentences (empty when the page is fine)."""
    problems: list[str] = []
    html = page.find_all("html")
    if not html or not html[0].get("lang"):
        problems.append("<html> has no lang attribute")
    titles = page.find_all("title")
    if not titles or not titles[0].text():
        problems.append("the page has no <title>")

    h1s = page.find_all("h1")
    if len(h1s) != 1:
        problems.append(f"{len(h1s)} <h1> elements instead of exactly one")
    previous = 0
    for heading in page.find_all("h1", "h2", "h3", "h4", "h5", "h6"):
        level = int(heading.tag[1])
        if previous and level > previous + 1:
            problems.append(
                f"heading level skipped: <{heading.tag}> “{heading.text()}” after <h{previous}>"
            )
        if not previous and level != 1:
            problems.append(f"the first heading is <{heading.tag}>, not <h1>")
        if not heading.text():
            problems.append(f"empty <{heading.tag}>")
        previous = level

    mains = page.find_all("main")
    if len(mains) != 1:
        problems.append(f"{len(mains)} <main> landmarks instead of one")
    links = page.find_all("a")
    main_id = mains[0].get("id") if mains else None
    if not links or not main_id or links[0].get("href") != f"#{main_id}":
        problems.append("the first link is not a skip link to <main>")

    ids = Counter(element.get("id") for element in page.iter() if element.get("id"))
    problems += [f"id “{value}” is used {count} times" for value, count in ids.items() if count > 1]
    labelled = {label.get("for") for label in page.find_all("label") if label.get("for")}
    for field_ in page.find_all("input", "select", "textarea"):
        if field_.tag == "input" and (field_.get("type") or "text") in UNLABELLED_INPUTS:
            continue
        if (
            field_.get("id") in labelled
            or any(a.tag == "label" for a in field_.ancestors())
            or field_.get("aria-label")
            or field_.get("aria-labelledby")
        ):
            continue
        problems.append(f"<{field_.tag} name={field_.get('name')!r}> has no label")
    for described in page.iter():
        for ref in (described.get("aria-describedby") or "").split():
            if ref not in ids:
                problems.append(f"aria-describedby points at a missing id “{ref}”")
    for button in page.find_all("button"):
        if not button.text() and not button.get("aria-label"):
            problems.append("a button has no text")
    for link in links:
        if not link.text() and not link.get("aria-label"):
            problems.append(f"the link to {link.get('href')} has no text")
    for image in page.find_all("img"):
        if image.get("alt") is None:
            problems.append(f"<img src={image.get('src')!r}> has no alt attribute")

    # The Content-Security-Policy forbids inline styles and scripts: they would not run.
    for element in page.iter():
        if element.get("style") is not None:
            problems.append(f"<{element.tag}> has an inline style attribute")
        if any(name.startswith("on") for name in element.attrs):
            problems.append(f"<{element.tag}> has an inline event handler")
    for script in page.find_all("script"):
        if not script.get("src"):
            problems.append("an inline <script> (blocked by the CSP)")
        elif re.match(r"(https?:)?//", script.get("src") or ""):
            problems.append(f"a script from another site: {script.get('src')}")
    for sheet in page.find_all("link"):
        if re.match(r"(https?:)?//", sheet.get("href") or ""):
            problems.append(f"a resource from another site: {sheet.get('href')}")
    return problems


@dataclass
class Page:
    status: int
    html: str
    tree: Element

    @property
    def text(self) -> str:
        return visible_text(self.tree)

    @property
    def lang(self) -> str | None:
        return self.tree.find_all("html")[0].get("lang")

    @property
    def h1(self) -> str:
        return self.tree.find_all("h1")[0].text()

    def links(self) -> dict[str, str]:
        """Link text → address, for following links as a person would."""
        return {a.text(): a.get("href") or "" for a in self.tree.find_all("a")}

    def field(self, element_id: str) -> Element:
        return next(e for e in self.tree.iter() if e.get("id") == element_id)


def get_page(client, url: str, status: int = 200) -> Page:
    """GET a page, check its status and every accessibility rule, and return it."""
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.location)
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    page = Page(response.status_code, html, parse(html))
    assert accessibility_problems(page.tree) == [], url
    return page
