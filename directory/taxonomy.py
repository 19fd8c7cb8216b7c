"""The national taxonomies (data·inclusion schema v1) and the DORA reference lists.

The terms ship with the product as CSV files in seed/reference/data-inclusion (with their
licences) and are loaded into `taxonomy_term`, so a service's thématiques, publics, modes… are
foreign keys to real terms and pages can show their labels in French or English. Thématiques are
`categorie--besoin` codes: each hangs under its category, stored in the same taxonomy as a
top-level term, as HSDS taxonomy terms do.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _

from config import ROOT
from directory.models import (
    T_FRAIS,
    T_MODE_ACCUEIL,
    T_MODE_MOBILISATION,
    T_PERSONNE_MOBILISATRICE,
    T_PUBLIC,
    T_RESEAU_PORTEUR,
    T_THEMATIQUE,
    T_TYPE_SERVICE,
    TaxonomyTerm,
)
from errors import Invalid
from extensions import db

REFERENCE_DIR = ROOT / "seed" / "reference" / "data-inclusion"
DORA_DIR = ROOT / "seed" / "reference" / "dora"

# Load order: categories before the thématiques that hang under them.
TAXONOMY_FILES: tuple[tuple[str, str], ...] = (
    ("categories_v1.csv", T_THEMATIQUE),
    ("thematiques_v1.csv", T_THEMATIQUE),
    ("publics_v1.csv", T_PUBLIC),
    ("frais_v1.csv", T_FRAIS),
    ("modes_accueil_v1.csv", T_MODE_ACCUEIL),
    ("modes_mobilisation_v1.csv", T_MODE_MOBILISATION),
    ("personne_mobilisatrice_v1.csv", T_PERSONNE_MOBILISATRICE),
    ("types_de_services_v1.csv", T_TYPE_SERVICE),
    ("reseaux_porteurs_v1.csv", T_RESEAU_PORTEUR),
)
TAXONOMIES = tuple(dict.fromkeys(taxonomy for _file, taxonomy in TAXONOMY_FILES))
TERMS_HEADER = ("value", "label", "description")
LABELS_FILE = "labels_en.csv"
LABELS_HEADER = ("taxonomy", "value", "label_en")
THEMATIQUE_SEPARATOR = "--"
CODE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*(?:--[a-z0-9]+(?:-[a-z0-9]+)*)?")


@dataclass(frozen=True)
class TermRow:
    """One term as read from the reference files, before it reaches the database."""

    taxonomy: str
    code: str
    label_fr: str
    label_en: str
    description_fr: str | None
    parent_code: str | None
    position: int


@dataclass(frozen=True)
class Category:
    """A thématique category with its needs, as the home page lists them."""

    code: str
    label_fr: str
    label_en: str
    needs: tuple[TaxonomyTerm, ...]

    def label(self, locale: str) -> str:
        return self.label_en if locale.startswith("en") else self.label_fr


@dataclass(frozen=True)
class Choice:
    """A value of a reference list with its label in both languages."""

    value: str
    label_fr: str
    label_en: str

    def label(self, locale: str) -> str:
        return self.label_en if locale.startswith("en") else self.label_fr


# ---------------------------------------------------------------------------------------------
# Reading and loading the reference files


def _read_csv(path: Path, header: tuple[str, ...]) -> Iterable[tuple[int, dict[str, str]]]:
    """Rows of `path` with their line numbers, after checking the header is exactly `header`."""
    if not path.is_file():
        raise Invalid(_("%(file)s: file not found.", file=str(path)))
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        found = tuple(next(reader, ()))
        if found != header:
            raise Invalid(
                _(
                    "%(file)s line 1: expected the columns %(expected)s, found %(found)s.",
                    file=path.name,
                    expected=",".join(header),
                    found=",".join(found) or _("nothing"),
                )
            )
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                raise Invalid(
                    _(
                        "%(file)s line %(line)s: expected %(expected)s values, found %(found)s.",
                        file=path.name,
                        line=line,
                        expected=len(header),
                        found=len(values),
                    )
                )
            yield line, dict(zip(header, (value.strip() for value in values), strict=True))


def read_reference(reference_dir: Path | None = None) -> list[TermRow]:
    """Every term of the reference files, checked: a wrong header, a row without value or
    label, a duplicate, a thématique without its category or a term without an English label
    is refused with its file and line, so a bad release never half-loads."""
    directory = Path(reference_dir) if reference_dir is not None else REFERENCE_DIR
    english, english_lines = _read_english_labels(directory / LABELS_FILE)
    rows: list[TermRow] = []
    where: dict[tuple[str, str], str] = {}
    positions: Counter[str] = Counter()
    for filename, taxonomy in TAXONOMY_FILES:
        for line, values in _read_csv(directory / filename, TERMS_HEADER):
            here = f"{filename} line {line}"
            code, label_fr = values["value"], values["label"]
            if not code or not label_fr:
                raise Invalid(_("%(where)s: every term needs a value and a label.", where=here))
            if not CODE.fullmatch(code):
                raise Invalid(_("%(where)s: %(code)s is not a valid code.", where=here, code=code))
            if (taxonomy, code) in where:
                raise Invalid(
                    _(
                        "%(where)s: %(code)s is already defined (%(first)s).",
                        where=here,
                        code=code,
                        first=where[(taxonomy, code)],
                    )
                )
            parent = None
            if filename == "thematiques_v1.csv":
                parent = category_of(code)
                if parent == code or (T_THEMATIQUE, parent) not in where:
                    raise Invalid(
                        _(
                            "%(where)s: the thématique %(code)s has no category in %(file)s.",
                            where=here,
                            code=code,
                            file="categories_v1.csv",
                        )
                    )
            label_en = english.get((taxonomy, code))
            if not label_en:
                raise Invalid(
                    _(
                        "%(where)s: %(code)s has no English label in %(file)s.",
                        where=here,
                        code=code,
                        file=LABELS_FILE,
                    )
                )
            where[(taxonomy, code)] = here
            rows.append(
                TermRow(
                    taxonomy,
                    code,
                    label_fr,
                    label_en,
                    values["description"] or None,
                    parent,
                    positions[taxonomy],
                )
            )
            positions[taxonomy] += 1
    unused = [key for key in english if key not in where]
    if unused:
        taxonomy, code = unused[0]
        raise Invalid(
            _(
                "%(file)s line %(line)s: %(taxonomy)s %(code)s is not a term of any file.",
                file=LABELS_FILE,
                line=english_lines[(taxonomy, code)],
                taxonomy=taxonomy,
                code=code,
            )
        )
    return rows


def _read_english_labels(
    path: Path,
) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], int]]:
    """English label and line number of each (taxonomy, code) in labels_en.csv."""
    labels: dict[tuple[str, str], str] = {}
    lines: dict[tuple[str, str], int] = {}
    for line, values in _read_csv(path, LABELS_HEADER):
        key = (values["taxonomy"], values["value"])
        if values["taxonomy"] not in TAXONOMIES:
            raise Invalid(
                _(
                    "%(file)s line %(line)s: unknown taxonomy %(taxonomy)s.",
                    file=path.name,
                    line=line,
                    taxonomy=values["taxonomy"],
                )
            )
        if not values["value"] or not values["label_en"]:
            raise Invalid(
                _(
                    "%(file)s line %(line)s: every term needs a value and a label.",
                    file=path.name,
                    line=line,
                )
            )
        if key in labels:
            raise Invalid(
                _(
                    "%(file)s line %(line)s: %(code)s is already defined (line %(first)s).",
                    file=path.name,
                    line=line,
                    code=values["value"],
                    first=lines[key],
                )
            )
        labels[key] = values["label_en"]
        lines[key] = line
    return labels, lines


def load_taxonomies(reference_dir: Path | None = None) -> dict[str, int]:
    """Upsert every term of the reference files into `taxonomy_term` and return the number of
    terms per taxonomy. Running it again changes nothing unless the files changed. Terms that
    left the files are kept, since services may still point at them. Flushes, does not commit:
    the caller owns the transaction."""
    rows = read_reference(reference_dir)
    existing = {
        (term.taxonomy, term.code): term for term in db.session.scalars(sa.select(TaxonomyTerm))
    }
    for row in rows:
        term = existing.get((row.taxonomy, row.code))
        if term is None:
            term = TaxonomyTerm(taxonomy=row.taxonomy, code=row.code)
            db.session.add(term)
        term.label_fr = row.label_fr
        term.label_en = row.label_en
        term.description_fr = row.description_fr
        term.parent_code = row.parent_code
        term.position = row.position
    db.session.flush()
    return dict(Counter(row.taxonomy for row in rows))


# ---------------------------------------------------------------------------------------------
# Reading terms


def terms(taxonomy: str) -> list[TaxonomyTerm]:
    """The terms of a taxonomy in reference order (for thématiques: categories, then needs)."""
    return list(
        db.session.scalars(
            sa.select(TaxonomyTerm)
            .where(TaxonomyTerm.taxonomy == taxonomy)
            .order_by(TaxonomyTerm.position, TaxonomyTerm.code)
        )
    )


def label(taxonomy: str, code: str, locale: str) -> str:
    """The label of a term in `locale`; the code itself when the term is unknown, so a page
    still says something for data imported from a newer schema."""
    term = db.session.get(TaxonomyTerm, (taxonomy, code))
    return term.label(locale) if term is not None else code


def categories() -> list[Category]:
    """The thématique categories with their needs, in reference order."""
    all_terms = terms(T_THEMATIQUE)
    needs: dict[str, list[TaxonomyTerm]] = {}
    for term in all_terms:
        if term.parent_code is not None:
            needs.setdefault(term.parent_code, []).append(term)
    return [
        Category(term.code, term.label_fr, term.label_en, tuple(needs.get(term.code, ())))
        for term in all_terms
        if term.parent_code is None
    ]


def validate_codes(
    taxonomy: str, codes: Iterable[str], *, allow_categories: bool = False
) -> list[str]:
    """The codes that are not terms of `taxonomy`, in the order given, each once.

    A category is not a thématique a service can have (the national schema only knows the
    `categorie--besoin` needs), so categories count as unknown unless `allow_categories` (a
    search filter may ask for a whole category)."""
    wanted = list(dict.fromkeys(codes))
    if not wanted:
        return []
    query = sa.select(TaxonomyTerm.code).where(
        TaxonomyTerm.taxonomy == taxonomy, TaxonomyTerm.code.in_(wanted)
    )
    if taxonomy == T_THEMATIQUE and not allow_categories:
        query = query.where(TaxonomyTerm.parent_code.is_not(None))
    known = set(db.session.scalars(query))
    return [code for code in wanted if code not in known]


def category_of(thematique_code: str) -> str:
    """The category a thématique belongs to: the part of its code before `--` (a category's
    own code is returned as is)."""
    return thematique_code.split(THEMATIQUE_SEPARATOR, 1)[0]


# ---------------------------------------------------------------------------------------------
# DORA reference lists

REFERENCE_LISTS = (
    "credentials",
    "access_conditions",
    "update_frequencies",
    "service_feedback_reasons",
)
# DORA marks the feedback reasons that alert its own support team; that is DORA's back office,
# not something a person reporting an error needs to read.
_DORA_SUPPORT_MARK = re.compile(r"\s*\[notifie le support\]\s*$")


@cache
def _dora_referentiels() -> dict:
    with (DORA_DIR / "dora_referentiels.json").open(encoding="utf-8") as handle:
        return json.load(handle)


@cache
def _update_frequency_labels_en() -> dict[str, str]:
    path = DORA_DIR / "update_frequencies_en.csv"
    return {
        values["value"]: values["label_en"]
        for _line, values in _read_csv(path, ("value", "label_en"))
    }


def reference_list(name: str) -> list[str] | list[Choice]:
    """A DORA reference list offered as suggestions in forms.

    "credentials" (supporting documents), "access_conditions" and "service_feedback_reasons"
    are French sentences, returned as strings (they are stored as written); "update_frequencies"
    are codes with a label in both languages, returned as `Choice`s in DORA's order."""
    if name not in REFERENCE_LISTS:
        raise KeyError(f"unknown reference list {name!r}; known: {', '.join(REFERENCE_LISTS)}")
    items = _dora_referentiels()[name]
    if name == "update_frequencies":
        english = _update_frequency_labels_en()
        return [Choice(item["value"], item["label"], english[item["value"]]) for item in items]
    if name == "service_feedback_reasons":
        return [_DORA_SUPPORT_MARK.sub("", item) for item in items]
    return list(items)
