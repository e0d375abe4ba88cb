"""Template learning: a prose-like line on many pages of one site is learned as that site's
chrome, stored in the warehouse, and removed from the site's pages in later runs."""
import json

import duckdb

FOOTER = ("The Lakeside Ledger is an independent newspaper owned by its readers and has "
          "reported on the towns around the lake since it was founded in 1911.")


TOPICS = ["harbour dredging", "school meals", "bus timetable", "library hours", "bridge repairs"]
PLACES = ["Eastbank", "Millford", "Northshore", "Pine Cove", "Westgate"]


def _page(i: int) -> str:
    topic, place = TOPICS[i - 1], PLACES[i - 1]
    body = [f"Councillors in {place} argued for two hours on Tuesday about {topic}, "
            f"before agreeing to send the plan for {topic} back to a committee.",
            f"Residents of {place} who attended said the decision would change daily life, "
            f"and several asked for another public meeting about {topic}.",
            f"The mayor of {place} said the full figures on {topic} would be published before "
            "the weekend, and that nothing had been decided behind closed doors.",
            f"A final vote on {topic} in {place} is expected in March, after a consultation "
            "with local businesses."]
    return "\n".join([f"{place} council delays decision on {topic}", *body, FOOTER])


def _jsonl(path, pages):
    path.write_text("\n".join(json.dumps({"url": f"https://www.lakesideledger.example/news/{i}",
                                          "text": _page(i)}) for i in pages) + "\n")
    return str(path)


def test_recurring_site_line_is_learned_and_removed_later(prefect_harness, tmp_path):
    from flows.config import Settings
    from flows.run.pipeline import run

    s = Settings.from_env(tmp_path / "w.duckdb", workers=1)
    first = run([_jsonl(tmp_path / "a.jsonl", range(1, 5))], s)
    assert first.loaded == 4
    con = duckdb.connect(str(s.warehouse), read_only=True)
    counts = dict(con.execute("select site_key, max(doc_count) from core.line_templates group by 1").fetchall())
    con.close()
    assert counts == {"lakesideledger.example": 4}

    second = run([_jsonl(tmp_path / "b.jsonl", [5])], s)
    assert second.loaded == 1, (second.seen, second.skip_reasons, second.quarantine_reasons)
    con = duckdb.connect(str(s.warehouse), read_only=True)
    row = con.execute("select r.reason, r.text, a.text from core.removed_lines r join core.articles a using (doc_id) "
                      "where a.source_uri like '%b.jsonl%' and r.text = ?", [FOOTER]).fetchone()
    assert row is not None and row[0] == "template_line" and FOOTER not in row[2]
    assert "Councillors in Westgate argued" in row[2]
