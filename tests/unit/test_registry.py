"""The outlet registry: the shipped file is valid and covers what detection needs; bad rows fail."""
from __future__ import annotations

from pathlib import Path

import pytest

from flows.stages.detect.outlets import KINDS, load_registry
from test_detect_support import REFERENCE

HEADER = "outlet_id,name,aliases,domains,country,languages,kind,signatures\n"
GOOD = "bbc,BBC,BBC News,bbc.com;bbc.co.uk,GB,en,broadcaster,\n"


@pytest.fixture(scope="module")
def registry():
    return load_registry(REFERENCE)


def write(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    (tmp_path / "outlets.csv").write_text(header + "".join(rows), encoding="utf-8")
    return tmp_path


def test_shipped_registry_is_large_and_typed(registry):
    assert len(registry.entries) >= 150
    assert {e.kind for e in registry.entries} == KINDS
    for e in registry.entries:
        assert e.outlet_id and e.name and e.domains and e.languages
        assert len(e.country) == 2 and e.country.isupper()


@pytest.mark.parametrize("oid", ["ap", "reuters", "afp", "tass", "ria", "interfax", "ukrinform",
                                 "unian", "dpa", "efe", "ansa", "xinhua", "kyodo", "anadolu",
                                 "yonhap", "pti", "bloomberg"])
def test_wire_agencies_present(registry, oid):
    assert registry.by_id[oid].kind == "wire"


@pytest.mark.parametrize("alias,oid", [("ТАСС", "tass"), ("Українська правда", "pravda_ua"),
                                       ("РИА Новости", "ria"), ("Укрінформ", "ukrinform"),
                                       ("The Associated Press", "ap"), ("Al Jazeera English",
                                                                        "aljazeera")])
def test_native_and_alternative_names(registry, alias, oid):
    assert registry.match_name(alias).outlet_id == oid


@pytest.mark.parametrize("host,oid,domain", [
    ("www.presstv.ir", "presstv", "presstv.ir"), ("presstv.co.uk", "presstv", "presstv.co.uk"),
    ("sputnikglobe.com", "sputnik", "sputnikglobe.com"), ("news.sky.com", "sky_news", "news.sky.com"),
    ("edition.cnn.com", "cnn", "edition.cnn.com"), ("uk.reuters.com", "reuters", "uk.reuters.com"),
    ("foo.nytimes.com", "nytimes", "nytimes.com"), ("hosted.ap.org", "ap", "hosted.ap.org"),
])
def test_match_host_most_specific_domain(registry, host, oid, domain):
    entry, matched = registry.match_host(host.removeprefix("www."))
    assert (entry.outlet_id, matched) == (oid, domain)


def test_unknown_host_is_none(registry):
    assert registry.match_host("example-news-site.test") is None


def test_site_name_with_tagline(registry):
    assert registry.match_name("Autoracing | F1 | Indy | MotoGP").outlet_id == "autoracing_br"


def test_registry_is_picklable(registry):
    import pickle
    registry.text_pattern  # compiled and cached
    assert pickle.loads(pickle.dumps(registry)).entries == registry.entries


def test_minimal_file_loads(tmp_path):
    reg = load_registry(write(tmp_path, GOOD))
    assert reg.entries[0].domains == ("bbc.com", "bbc.co.uk")


@pytest.mark.parametrize("rows,message", [
    ((GOOD, GOOD.replace("BBC,BBC News", "BBC Two,")), "duplicate outlet_id 'bbc'"),
    ((GOOD, "bbc2,BBC Two,,bbc.co.uk,GB,en,broadcaster,\n"), "duplicate domain 'bbc.co.uk'"),
    (("x,X News,,x.com,GB,en,blog,\n",), "unknown kind 'blog'"),
    (("x,X News,,x.com,UK,en,online,\n",), "bad country code 'UK'"),
    (("x,X News,,x.com,gb,en,online,\n",), "bad country code 'gb'"),
    (("x,X News,,x.com,GB,eng,online,\n",), "ISO 639-1"),
    (("x,X News,,https://x.com,GB,en,online,\n",), "bad domain"),
    (("x,X News,,www.x.com,GB,en,online,\n",), "bad domain"),
    (("x,X News,,,GB,en,online,\n",), "at least one domain"),
    (("X-1,X News,,x.com,GB,en,online,\n",), "outlet_id must be"),
    (("x,X News,a,b,x.com,GB,en,online,\n",), "wrong number of fields"),
    ((GOOD, "bbc2,The BBC,,bbc2.com,GB,en,broadcaster,\n"), "name 'The BBC' already used"),
])
def test_bad_rows_raise_naming_the_row(tmp_path, rows, message):
    with pytest.raises(ValueError) as err:
        load_registry(write(tmp_path, *rows))
    assert message in str(err.value)
    assert "outlets.csv line" in str(err.value)


def test_missing_column(tmp_path):
    with pytest.raises(ValueError, match="missing column"):
        load_registry(write(tmp_path, "bbc,BBC\n", header="outlet_id,name\n"))


def test_trie_alternation_matches_like_the_flat_one_longest_first():
    import random
    import re

    from flows.stages.detect.outlets import trie_alternation

    rng = random.Random(7)
    words = {"The Times", "The Times of India", "Times", "AP", "APA", "AP News", "Reuters",
             "the Guardian", "The Guardian", "Le Monde", "Le Monde diplomatique", "a.b (c)"}
    words |= {"".join(rng.choice("ab .") for _ in range(rng.randint(1, 6))) for _ in range(200)}
    words = {w for w in words if w}
    flat = re.compile(r"(?<![\w@/.-])(" + "|".join(
        re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")(?![\w-]|\.\w)")
    trie = re.compile(r"(?<![\w@/.-])(" + trie_alternation(words) + r")(?![\w-]|\.\w)")
    texts = ["The Times of India and The Times, AP News (APA) via AP.", "@The Times x",
             "Le Monde diplomatique; Le Monde-ish; a.b (c) a.b (c)d"]
    texts += ["".join(rng.choice("ab .Ttx") for _ in range(80)) for _ in range(300)]
    for t in texts:
        assert [m.span(1) for m in trie.finditer(t)] == [m.span(1) for m in flat.finditer(t)], t
