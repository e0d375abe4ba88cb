"""`newsflow explain` prints every line with its decision."""
from flows.commands.cli import main
from tests.conftest import FIXTURES


def test_explain_shows_kept_and_removed_lines(capsys):
    assert main(["explain", str(FIXTURES / "pages" / "valley_news.txt")]) == 0
    out = capsys.readouterr().out
    assert "KEEP Orchard growers across the river valley" in out
    drop = [l for l in out.splitlines() if "DROP - Advertisement -" in l]
    assert drop and "[" in drop[0]  # the reason is shown
    assert "lines kept" in out


def test_explain_says_why_a_file_is_rejected(capsys):
    assert main(["explain", str(FIXTURES / "pages" / "empty.txt")]) == 0
    assert "empty_document" in capsys.readouterr().out
