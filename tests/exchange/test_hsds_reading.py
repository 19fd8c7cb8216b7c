"""Reading HSDS input without a database: which entity a document is, CSV cells typed by the
data package, and tables nested back into documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exchange.hsds_reading import Unreadable, detect, read
from exchange.hsds_tables import CellError, nest, typed

EXAMPLES = Path(__file__).parents[1] / "fixtures" / "hsds"


@pytest.mark.parametrize(("example", "entity"), [
    ("spec-3.0/json/service_full.json", "service"),
    ("spec-3.0/json/organization_full.json", "organization"),
    ("spec-3.0/json/location.json", "location"),
    ("spec-3.0/json/service_at_location_full.json", "service_at_location"),
    ("spec-3.0/json/taxonomy.json", "taxonomy"),
    ("spec-3.0/json/taxonomy_term.json", "taxonomy_term"),
    ("uk-profile-3.0/json/taxonomy.json", "taxonomy"),
    ("uk-profile-3.0/json/taxonomy_term.json", "taxonomy_term"),
    ("uk-profile-3.0/json/organization_full.json", "organization"),
])
def test_each_official_example_is_recognised(example, entity):
    assert detect(json.loads((EXAMPLES / example).read_text())) == entity


def test_a_page_gives_its_contents_with_their_position():
    records = read(EXAMPLES / "spec-3.0/json/service_list.json")

    assert [(r.entity, r.row) for r in records] == [("service", "contents.1")]


def test_the_api_description_has_no_records_and_another_version_is_refused(tmp_path):
    assert read(EXAMPLES / "spec-3.0/json/base.json") == []
    old = tmp_path / "base.json"
    old.write_text(json.dumps({"version": "2.0", "profile": "x", "openapi_url": "y"}))
    with pytest.raises(Unreadable, match="HSDS version 2.0"):
        read(old)


def test_something_that_is_not_hsds_is_refused(tmp_path):
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"hello": "world"}))

    with pytest.raises(Unreadable, match="is not an HSDS 3.0 record"):
        read(other)


@pytest.mark.parametrize(("kind", "text", "value"), [
    ("string", "0472", "0472"), ("number", "12", 12), ("number", "12.5", 12.5),
    ("object", '{"a": 1}', {"a": 1}), ("string", "", None),
])
def test_csv_cells_take_their_column_type(kind, text, value):
    assert typed({"name": "x", "type": kind}, text) == value


def test_a_cell_of_the_wrong_type_is_named():
    with pytest.raises(CellError, match="latitude: 'north' is not a number"):
        typed({"name": "latitude", "type": "number"}, "north")


def test_tables_nest_into_documents_and_orphans_stay_on_their_own():
    service = {"id": "s1", "name": "S", "status": "active"}
    area = {"id": "a1", "service_id": "s1", "name": "Rhône"}
    orphan = {"id": "a2", "service_id": "nowhere"}
    term = {"id": "t1", "name": "T", "description": "d", "code": "c"}
    attribute = {"id": "x1", "link_id": "s1", "link_entity": "service", "taxonomy_term_id": "t1"}

    documents = nest({"service": [(2, service)], "service_area": [(2, area), (3, orphan)],
                      "taxonomy_term": [(2, term)], "attribute": [(2, attribute)]})

    assert documents["service"] == [(2, service)]
    assert service["service_areas"] == [area]
    assert service["attributes"][0]["taxonomy_term"] == term
    assert documents["service_area"] == [(3, orphan)]
    assert "attribute" not in documents
