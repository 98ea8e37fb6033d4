from pathlib import Path

import pytest

MOODLE = Path(__file__).resolve().parents[3] / "shared" / "interop" / "moodle-gift"


@pytest.mark.skipif(not MOODLE.is_dir(), reason="Moodle's GIFT corpus not found")
def test_import_gift_writes_a_valid_quiz_and_reports_lines(runner, tmp_path):
    out = tmp_path / "moodle-fixture.yaml"
    result = runner.invoke(args=["quizzes", "import-gift", str(MOODLE / "fixture-questions.gift"), "--out", str(out),
                                 "--lesson", "stage-05-developing-the-clusters-vision"])
    assert result.exit_code == 0, result.output
    assert "fixture-questions.gift:2: skipped: an essay question" in result.output
    assert "Wrote" in result.output and out.exists()
    again = runner.invoke(args=["quizzes", "import-gift", str(MOODLE / "fixture-questions.gift"), "--out", str(out),
                                "--lesson", "x"])
    assert again.exit_code != 0 and "--force" in again.output
    neither = runner.invoke(args=["quizzes", "import-gift", str(MOODLE / "fixture-questions.gift"), "--out",
                                  str(tmp_path / "y.yaml")])
    assert neither.exit_code != 0


def test_export_gift_of_a_shipped_quiz(runner, tmp_path):
    out = tmp_path / "stage-06.gift"
    result = runner.invoke(args=["quizzes", "export-gift", "stage-06", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "GIFT has no ordering type" in result.output
    text = out.read_text()
    assert text.count("::") >= 10 and "####" in text
