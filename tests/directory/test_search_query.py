"""The fast index path (directory.search_query) answers exactly what the database would:
coverage from the facts stored in the index equals geo.spatial's for every commune, and the
searchers and per-segment caches it keeps never show a stale index."""

from __future__ import annotations

import sqlalchemy as sa

from directory import finder, search, search_query
from directory.finder import Criteria
from directory.models import Service
from extensions import db
from geo.models import ARRONDISSEMENT, COMMUNE, Commune
from geo.places import place_for_commune
from tests import factories as f
from tests.factories import LYON_3E
from tests.geo.test_spatial import _varied_services


def _index_coverage(place):
    criteria = Criteria(place)
    hits = search_query.matching(finder._filters(criteria))
    covered, _rows = finder._covering_by_index(criteria, {s: h.facts for s, h in hits.items()})
    return covered


def _database_coverage(place):
    criteria = Criteria(place)
    ids = list(db.session.scalars(sa.select(Service.id)))
    return finder._covering(criteria, ids)


def test_coverage_from_the_index_equals_the_spatial_backend_for_every_commune(session):
    services = _varied_services()
    session.commit()
    names = {s.id: name for name, s in services.items()}
    codes = session.scalars(sa.select(Commune.code).where(
        Commune.kind.in_((COMMUNE, ARRONDISSEMENT))).order_by(Commune.code)).all()
    disagreements, found_somewhere = [], set()
    for code in codes:
        place = place_for_commune(code)
        by_index, by_database = _index_coverage(place), _database_coverage(place)
        found_somewhere |= {names[sid] for sid in by_index}
        if set(by_index) != set(by_database):
            disagreements.append((code, sorted(names[s] for s in set(by_index) ^ set(by_database))))
            continue
        for sid, distance in by_database.items():
            if distance is None:
                assert by_index[sid] is None, (code, names[sid])
            else:
                assert abs(by_index[sid] - distance) < 0.01, (code, names[sid])
    assert disagreements == []
    assert found_somewhere == set(services)  # every coverage shape was exercised


def test_a_polygon_only_service_is_found_inside_its_polygon_and_not_elsewhere(session):
    services = _varied_services()
    session.commit()
    polygon = services["polygon"].id
    assert polygon in _index_coverage(place_for_commune("69264"))  # Villefranche
    assert polygon not in _index_coverage(place_for_commune("69383"))  # Lyon 3e


def test_a_service_unpublished_after_a_search_is_gone_from_the_next_one(session):
    service = f.service(name="Atelier vélo", at=LYON_3E)
    f.service(name="Garage solidaire", at=LYON_3E)
    session.commit()
    lyon = Criteria(place_for_commune("69383"))
    assert {h.name for h in finder.find(lyon).hits} == {"Atelier vélo", "Garage solidaire"}
    service.status = "draft"
    session.commit()  # the index drops it: its segment's deletions grow
    assert [h.name for h in finder.find(lyon).hits] == ["Garage solidaire"]


def test_a_renamed_service_shows_its_new_name_at_once(session):
    service = f.service(name="Atelier vélo", at=LYON_3E)
    session.commit()
    lyon = Criteria(place_for_commune("69383"))
    assert [h.name for h in finder.find(lyon).hits] == ["Atelier vélo"]
    service.name = "Atelier mobilité"
    session.commit()
    assert [h.name for h in finder.find(lyon).hits] == ["Atelier mobilité"]


def test_an_index_rebuilt_and_swapped_in_is_read_by_the_next_search(session):
    f.service(name="Atelier vélo", at=LYON_3E)
    session.commit()
    lyon = Criteria(place_for_commune("69383"))
    assert [h.name for h in finder.find(lyon).hits] == ["Atelier vélo"]
    # Written behind the index's back (as a bulk import does), then a full rebuild.
    session.execute(sa.update(Service).values(name="Atelier mobilité"))
    session.commit()
    assert [h.name for h in finder.find(lyon).hits] == ["Atelier vélo"]
    search.rebuild()
    assert [h.name for h in finder.find(lyon).hits] == ["Atelier mobilité"]


def test_an_index_of_an_older_layout_is_rebuilt_rather_than_misread(session, tmp_path):
    from whoosh import index as whoosh_index
    from whoosh.fields import ID, Schema

    f.service(name="Atelier vélo", at=LYON_3E)
    session.commit()
    path = search.index_dir()
    search.clear()
    search.forget_index(path)
    import shutil

    shutil.rmtree(path)
    path.mkdir()
    whoosh_index.create_in(path, Schema(id=ID(stored=True)), indexname=search.INDEX_NAME)
    lyon = Criteria(place_for_commune("69383"))
    assert [h.name for h in finder.find(lyon).hits] == ["Atelier vélo"]
    assert "facts" in search.open_index().schema.names()


def test_words_are_scored_only_among_the_services_that_cover_the_place(session):
    f.service(name="Atelier permis de conduire", at=LYON_3E)
    f.service(name="Permis de conduire à Paris", zones=[("departement", "75")],
              modes=["a-distance"])
    session.commit()
    found = finder.find(Criteria(place_for_commune("69383"), text="permis conduire"))
    assert [h.name for h in found.hits] == ["Atelier permis de conduire"]


def test_an_index_written_by_two_processes_answers_like_one_written_by_one(session):
    """A large rebuild writes with two processes, each its own segment: the search reads
    both segments (and their caches) as one index."""
    org = f.organisation()
    for n in range(210):  # the writer hands out batches of 100 documents
        f.service(org, name=f"Atelier {n}", at=LYON_3E,
                  thematiques=["mobilite--preparer-un-permis" if n % 2 else
                               "mobilite--acceder-a-un-vehicule"])
    session.commit()
    lyon = Criteria(place_for_commune("69383"), needs=("mobilite--preparer-un-permis",),
                    text="atelier")

    def answer():
        return sorted((h.name, round(h.relevance, 6)) for h in finder.find(lyon).hits)

    search.rebuild(procs=1)
    one = answer()
    search.rebuild(procs=2)
    assert len(search.open_index().reader().leaf_readers()) == 2
    assert answer() == one and len(one) == 105


def test_words_are_scored_exactly_as_whoosh_scores_the_whole_query(session):
    """The per-term sums give the very scores of Whoosh's And(Or(field:word …)) query."""
    org = f.organisation(name="Garage solidaire du Rhône")
    f.service(org, name="Atelier permis de conduire", at=LYON_3E,
              description="Préparer le permis, code de la route et conduite.")
    f.service(org, name="Garage solidaire", at=LYON_3E,
              description="Réparer sa voiture à prix solidaire; aide au permis.")
    f.service(name="Conduite accompagnée", at=LYON_3E, description="Permis B et conduite.")
    session.commit()
    text = "permis conduite"
    ours = search_query.matching(search_query.IndexFilters(), text)
    with search.open_index().searcher() as searcher:
        results = searcher.search(search_query.text_query(text), limit=None)
        theirs = {hit["id"]: hit.score for hit in results}
    assert len(ours) == 2
    assert {str(sid): round(hit.score, 9) for sid, hit in ours.items()} == {
        sid: round(score, 9) for sid, score in theirs.items()}
