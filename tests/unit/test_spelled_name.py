"""The site's own spelling of the name its address spells (`site_names.spelled_name`)."""
from flows.stages.detect.site_names import spelled_name


def test_the_chrome_spells_the_address_label():
    lines = ["Jobb i Dagbladet", "Nordmann dømt til livstid", "Foto: Ørjan Ryland / Dagbladet",
             "dagbladet.no"]
    assert spelled_name(lines, "dagbladet.no") == "Dagbladet"


def test_a_label_of_several_words():
    lines = ["Abo der Kleinen Zeitung", "© Kleine Zeitung 2024", "Kleine Zeitung Newsletter"]
    assert spelled_name(lines, "kleinezeitung.at") == "Kleine Zeitung"


def test_once_is_not_enough():
    assert spelled_name(["Read it on Dagbladet"], "dagbladet.no") is None


def test_the_address_itself_and_lower_case_do_not_count():
    lines = ["WinFuture.de - Die ganze Welt der IT", "WinFuture.de", "winfuture ist toll",
             "winfuture ist toll"]
    assert spelled_name(lines, "winfuture.de") is None


def test_short_labels_only_in_capitals():
    assert spelled_name(["News", "News", "Latest News"], "news.com.au") is None
    assert spelled_name(["LRT", "Apie LRT"], "lrt.lt") == "LRT"


def test_nothing_is_guessed_from_a_name_the_address_does_not_spell():
    lines = ["The New York Times", "The New York Times"]
    assert spelled_name(lines, "nytimes.com") is None
