"""The French catalogue is complete: every message is translated, none is fuzzy, the
placeholders match, and extracting the sources now finds no message the catalogue lacks."""

import re
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from config import ROOT

CATALOGUE = ROOT / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
SCRIPT = ROOT / "scripts" / "i18n.sh"


def french():
    with CATALOGUE.open("rb") as handle:
        return read_po(handle, locale="fr")


def extract_now(tmp_path):
    """The extraction scripts/i18n.sh runs (same mapping, keywords and ignored folders)."""
    script = SCRIPT.read_text()
    ignore = re.search(r'^IGNORE_DIRS="([^"]*)"', script, re.M).group(1)
    keywords = re.findall(r"-k (\w+)", script)
    output = tmp_path / "messages.pot"
    command = [
        sys.executable,
        "-m",
        "babel.messages.frontend",
        "extract",
        "-F",
        "babel.cfg",
        f"--ignore-dirs={ignore}",
        "-o",
        str(output),
        ".",
    ]
    for keyword in keywords:
        command[4:4] = ["-k", keyword]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    with output.open("rb") as handle:
        return read_po(handle)


def test_every_french_message_is_translated_and_none_is_fuzzy():
    catalogue = french()
    untranslated = [
        m.id
        for m in catalogue
        if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))
    ]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]

    assert untranslated == []
    assert fuzzy == []
    assert len(catalogue) > 100


def test_translations_keep_the_placeholders_of_their_message():
    problems = [(m.id, [str(e) for e in errors]) for m, errors in french().check()]

    assert problems == []


def test_extracting_the_sources_now_finds_no_message_missing_from_the_catalogue(tmp_path):
    extracted = extract_now(tmp_path)
    catalogue = french()

    missing = sorted(str(m.id) for m in extracted if m.id and m.id not in catalogue)
    assert len(extracted) > 100
    assert missing == [], "run scripts/i18n.sh extract && scripts/i18n.sh update, then translate"


@pytest.mark.parametrize(
    "message",
    [
        "This service does not exist, or is no longer published.",  # directory/catalogue.py
        "This page does not exist, or is no longer published.",  # errors.py
        "Monday",  # directory/hours.py (lazy_gettext as _l)
        "No commune has the code %(code)s.",
    ],  # geo/places.py
)
def test_messages_of_every_module_are_in_the_catalogue(message):
    assert french()[message].string
