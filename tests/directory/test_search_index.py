"""The search index (directory.search) is derived data: kept in step after each commit, never
showing a rolled-back change, rebuilt when missing or damaged (searches fall back to the
database meanwhile), readable by several processes while one writes."""

from __future__ import annotations

import multiprocessing
import shutil
import time

from click.testing import CliRunner

from directory import finder, search, search_query
from directory.finder import Criteria
from directory.models import Organisation
from extensions import db
from geo.places import place_for_commune
from tests import factories as f
from tests.factories import LYON_3E, VILLEFRANCHE


def indexed_names(text: str = "") -> set[str]:
    """What the index alone finds (no database), by service name."""
    from directory.models import Service

    ids = search_query.matching(search_query.IndexFilters(), text or None)
    return {db.session.get(Service, i).name for i in ids}


def lyon(**criteria):
    return [h.name for h in finder.find(Criteria(place_for_commune("69383"), **criteria)).hits]


def test_a_committed_service_is_searchable_at_once(session):
    f.service(name="Atelier CV", at=LYON_3E)
    assert indexed_names("atelier") == set()  # not committed yet
    session.commit()
    assert indexed_names("atelier") == {"Atelier CV"}


def test_a_rolled_back_change_never_reaches_the_index(session):
    service = f.service(name="Atelier CV", at=LYON_3E)
    session.commit()
    service.name = "Atelier lettre de motivation"
    session.flush()
    session.rollback()
    assert indexed_names("motivation") == set()
    assert indexed_names("atelier") == {"Atelier CV"}


def test_edits_archiving_and_moderation_follow_the_database(session):
    service = f.service(name="Atelier CV", at=LYON_3E)
    session.commit()
    service.name = "Atelier entretien"
    session.commit()
    assert indexed_names("entretien") == {"Atelier entretien"}
    assert indexed_names("cv") == set()
    service.status = "archived"
    session.commit()
    assert indexed_names("entretien") == set()
    service.status = "published"
    session.commit()
    organisation = db.session.get(Organisation, service.organisation_id)
    organisation.moderation_status = "refused"
    session.commit()
    assert indexed_names("entretien") == set()


def test_a_change_of_needs_or_organisation_name_is_reindexed(session):
    service = f.service(name="Accueil", at=LYON_3E)
    session.commit()
    service.thematiques = ["mobilite--preparer-un-permis"]
    session.commit()
    assert indexed_names("permis") == {"Accueil"}
    service.organisation.name = "Maison des solidarités"
    session.commit()
    assert indexed_names("solidarités") == {"Accueil"}


def test_deleting_the_index_directory_gives_the_same_results_after_the_rebuild(session, app):
    f.service(name="Aide au permis", at=VILLEFRANCHE, thematiques=["mobilite--preparer-un-permis"])
    f.service(name="Point mobilité", at=LYON_3E)
    f.service(name="À distance", modes=["a-distance"], zones=[("country", None)])
    session.commit()
    before = [lyon(), lyon(text="permis"), lyon(radius_km=10)]
    shutil.rmtree(search.index_dir())
    assert [lyon(), lyon(text="permis"), lyon(radius_km=10)] == before
    assert search.open_index().doc_count() == 3


def test_a_damaged_index_is_set_aside_and_rebuilt(session, app):
    f.service(name="Point mobilité", at=LYON_3E)
    session.commit()
    before = lyon(text="mobilité")
    path = search.index_dir()
    search.forget_index()
    for toc in path.glob("_services_*.toc"):
        toc.write_bytes(b"not a whoosh table of contents")
    assert lyon(text="mobilité") == before == ["Point mobilité"]
    assert list(path.parent.glob(f"{path.name}.damaged-*"))


def test_a_large_catalogue_is_searched_in_the_database_while_the_index_rebuilds(
    session, app, monkeypatch
):
    f.service(name="Point mobilité", at=LYON_3E)
    f.service(name="Aide au permis", at=VILLEFRANCHE)
    session.commit()
    before = lyon()
    monkeypatch.setitem(app.config, "RELAIS_SEARCH_SYNC_REBUILD_MAX", 0)
    shutil.rmtree(search.index_dir())
    search.forget_index()
    found = finder.find(Criteria(place_for_commune("69383")))
    assert [h.name for h in found.hits] == before
    for _ in range(100):  # the rebuild runs in a background thread
        if not finder._rebuilding.locked() and search.index_dir().exists():
            break
        time.sleep(0.05)
    found = finder.find(Criteria(place_for_commune("69383")))
    assert found.used_index and [h.name for h in found.hits] == before


def test_an_index_write_that_fails_is_kept_pending_and_applied_by_the_next(
    session, monkeypatch
):
    f.service(name="Atelier CV", at=LYON_3E)
    real_write = search._write

    def locked(ix, ids):
        raise OSError("index locked")

    monkeypatch.setattr(search, "_write", locked)
    session.commit()
    assert (search.index_dir() / search.PENDING_FILE).exists()
    assert indexed_names("atelier") == set()
    monkeypatch.setattr(search, "_write", real_write)
    f.service(name="Autre service", at=LYON_3E)
    session.commit()
    assert indexed_names() == {"Atelier CV", "Autre service"}
    assert not (search.index_dir() / search.PENDING_FILE).exists()


def test_flask_search_reindex_rebuilds_with_progress_and_a_count(session, app):
    for n in range(3):
        f.service(name=f"Service {n}", at=LYON_3E)
    f.service(name="Brouillon", status="draft", at=LYON_3E)
    session.commit()
    search.clear()
    result = CliRunner().invoke(app.cli, ["search", "reindex"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "3 service(s) index" in result.output  # in the installation's language
    assert indexed_names() == {"Service 0", "Service 1", "Service 2"}


def _reader(path: str, rounds: int, queue) -> None:
    from pathlib import Path

    try:
        counts = set()
        for _ in range(rounds):
            found = search_query.matching(search_query.IndexFilters(thematiques=("mobilite",)),
                                    path=Path(path))
            counts.add(len(found))
        queue.put(("ok", sorted(counts)))
    except Exception as error:  # reported to the test
        queue.put(("error", repr(error)))


def test_several_processes_read_while_one_writes(session, app):
    service = f.service(name="Point mobilité", at=LYON_3E, thematiques=[
        "mobilite--preparer-un-permis"])
    session.commit()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    readers = [context.Process(target=_reader, args=(str(search.index_dir()), 150, queue))
               for _ in range(2)]
    for reader in readers:
        reader.start()
    for n in range(15):  # each commit writes a new index generation
        service.name = f"Point mobilité {n}"
        session.commit()
    results = [queue.get(timeout=60) for _ in readers]
    for reader in readers:
        reader.join(timeout=60)
    assert all(status == "ok" for status, _ in results), results
    assert all(counts == [1] for _, counts in results), results
