"""`flask geo import DIR`: a summary when it works, the bad line and exit 1 when it does not."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_GEOGRAPHY
from tests.geo.test_gazetteer import fixture_communes, write_geography


@pytest.fixture
def runner(app, app_ctx, monkeypatch):
    # Commands speak the installation's default language; the assertions read English.
    monkeypatch.setitem(app.config, "BABEL_DEFAULT_LOCALE", "en")
    return app.test_cli_runner()


def test_import_prints_a_summary(runner):
    # Re-importing the test geography the session already holds changes nothing.
    result = runner.invoke(args=["geo", "import", str(TEST_GEOGRAPHY)])
    assert result.exit_code == 0, result.output
    assert "communes: 737 (ARM 29, COM 658, COMA 1, COMD 49)" in result.stdout
    assert "  postcodes: 696" in result.stdout
    assert "other names: 25 (delegated communes" in result.stdout
    assert "Skipped: 26 electoral sectors (SRM)." in result.stdout


def test_bad_file_exits_1_naming_the_line_without_a_traceback(runner, tmp_path):
    villeurbanne, lyon = fixture_communes("69266", "69123")
    lyon["departement_code"] = "99"
    directory = write_geography(tmp_path, [villeurbanne, lyon])
    result = runner.invoke(args=["geo", "import", str(directory)])
    assert result.exit_code == 1
    assert "communes.csv.gz line 3: unknown département code '99'" in result.stderr
    assert "Traceback" not in result.output
    assert "Imported" not in result.stdout


def test_missing_directory_exits_2(runner, tmp_path):
    result = runner.invoke(args=["geo", "import", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
