"""Cookie walls, login walls and error pages are rejected with their kind; articles are not."""
import pytest

from flows.config import Settings
from flows.records import CleanPage, RawDocument, Rejection
from flows.stages.clean.walls import load_wall_rules, reject_walls, wall_kind


@pytest.fixture(scope="module")
def rules():
    return load_wall_rules(Settings().reference_dir)


def _page(title, *paras):
    doc = RawDocument("a" * 64, "/x/p.html", None, "html", "", "utf-8", 1)
    return CleanPage(doc, title, None, None, None, None, None, tuple(paras), (), "trafilatura+lines")


@pytest.mark.parametrize("title,paras,kind", [
    ("We value your privacy", ["We and our 847 partners store and access information on your device, such as cookies.",
                               "You can accept, or manage your choices by clicking below."], "cookie_wall"),
    ("404 - Page not found", ["Sorry, the page you were looking for could not be found.",
                              "Try searching our site or return to the home page."], "error_page"),
    ("Seite nicht gefunden", ["Die Seite existiert leider nicht mehr."], "error_page"),
    ("Exclusive interview", ["Sign in to continue reading this article."], "login_wall"),
])
def test_walls_are_recognised(rules, title, paras, kind):
    out = reject_walls(_page(title, *paras), rules)
    assert isinstance(out, Rejection) and out.reason == kind and "no article" in out.detail


def test_a_short_article_mentioning_cookies_is_kept(rules):
    p = _page("Bakery wins award", "The village bakery won a national award for its oat cookies on Tuesday.",
              "The owners said the recipe came from a grandmother who baked for the whole street.",
              "Judges praised the texture and said the shop deserved the prize.")
    assert wall_kind(p, rules) is None
