"""The page checker itself: each rule catches the mistake it is there for."""

import pytest

from tests.pages.html_checks import accessibility_problems, parse

GOOD = """<!doctype html><html lang="fr"><head><title>Titre</title></head><body>
<a href="#main">Aller au contenu</a><main id="main"><h1>Titre</h1><h2>Partie</h2><h3>Sous</h3>
<h2>Autre</h2><form><label for="q">Lieu</label><input id="q" name="q">
<label>Besoin <select name="need"></select></label><input type="hidden" name="x">
<button>Chercher</button></form><img src="/a.png" alt=""></main></body></html>"""


def test_a_good_page_has_no_problem():
    assert accessibility_problems(parse(GOOD)) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (('<html lang="fr">', "<html>"), "<html> has no lang attribute"),
        (("<h2>Partie</h2>", "<h1>Encore</h1>"), "2 <h1> elements instead of exactly one"),
        (("<h3>Sous</h3>", "<h4>Sous</h4>"), "heading level skipped: <h4> “Sous” after <h2>"),
        (('<label for="q">Lieu</label>', ""), "<input name='q'> has no label"),
        (
            (
                '<label>Besoin <select name="need"></select></label>',
                '<select name="need"></select>',
            ),
            "<select name='need'> has no label",
        ),
        (('alt=""', ""), "<img src='/a.png'> has no alt attribute"),
        (
            ('<a href="#main">Aller au contenu</a>', ""),
            "the first link is not a skip link to <main>",
        ),
        (
            ("<h1>Titre</h1>", '<h1 style="color:red">Titre</h1>'),
            "<h1> has an inline style attribute",
        ),
        (
            ("</main>", "<script>alert(1)</script></main>"),
            "an inline <script> (blocked by the CSP)",
        ),
        (('<input id="q" name="q">', '<input id="main" name="q">'), "id “main” is used 2 times"),
        (("<button>Chercher</button>", "<button></button>"), "a button has no text"),
    ],
)
def test_each_rule_catches_its_mistake(change, problem):
    old, new = change
    assert old in GOOD
    assert problem in accessibility_problems(parse(GOOD.replace(old, new)))
