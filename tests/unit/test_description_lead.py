"""The lead trafilatura drops comes back when a line above the body repeats the page's
meta description; nothing else does."""
from flows.records import LineDecision
from flows.stages.clean.cleaner import description_lead

LEAD = ("Die Caritas in der Diözese Münster sieht in der Diskussion um eine Impfpflicht "
        "für Mitarbeitende in der Pflege einen falschen Ansatz.")
BODY = "In den 205 Caritas-Altenheimen lägen die Impfquoten bei über 90 Prozent, sagt er."


def _page(*lines: tuple[str, bool] | tuple[str, bool, str, str]) -> list[LineDecision]:
    out = []
    for no, spec in enumerate(lines, start=1):
        text, keep, *why = spec
        reason, rule = why or (("kept", "trafilatura") if keep else ("html_boilerplate", "trafilatura"))
        out.append(LineDecision(no, text, keep, reason, rule))
    return out


def test_the_lead_above_the_body_that_the_description_repeats_comes_back():
    page = _page(("Startseite Politik Kultur", False), (LEAD, False), (BODY, True))
    assert description_lead(page, LEAD) == LEAD


def test_a_description_cut_short_still_names_its_lead():
    cut = LEAD[:90].rsplit(" ", 1)[0] + " Ans…"
    assert description_lead(_page((LEAD, False), (BODY, True)), cut) == LEAD


def test_nothing_below_the_first_kept_line_and_nothing_without_a_description():
    assert description_lead(_page((BODY, True), (LEAD, False)), LEAD) is None
    assert description_lead(_page((LEAD, False), (BODY, True)), None) is None
    assert description_lead(_page((LEAD, False), (BODY, True)), "Kurz und knapp.") is None


def test_a_line_our_own_rules_removed_stays_removed():
    page = _page((LEAD, False, "template_line", "template:abc"), (BODY, True))
    assert description_lead(page, LEAD) is None


def test_a_headline_is_no_lead():
    title = "Münsters Caritas-Chef Kessmann ist gegen die Impfpflicht in der Pflege - Kirche+Leben"
    assert description_lead(_page((title, False), (BODY, True)), title) is None


def test_another_story_is_no_lead():
    other = ("Der Bundespräsident würdigte das ehrenamtliche Engagement der jungen Menschen "
             "in den Jugendverbänden.")
    assert description_lead(_page((other, False), (BODY, True)), LEAD) is None
