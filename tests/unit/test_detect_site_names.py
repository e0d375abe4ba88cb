"""Site names from a page's own text: title suffix, copyright footer, written domains, and the
cleaning of rights notices and legal forms (`flows/stages/detect/site_names.py`)."""
from __future__ import annotations

import pytest

from flows.stages.detect.detector import detect_outlet, text_site
from flows.stages.detect.site_names import (NameRules, clean_name, domain_agrees, footer_names,
                                            load_name_rules, title_segments, written_domains)
from test_detect_support import BODY, make_page, reg, rules  # noqa: F401 (fixtures)



@pytest.mark.parametrize("raw, clean", [
    ("ntv.de Alle Rechte vorbehalten", "ntv.de"),
    ("人民网版权所有", "人民网"),
    ("℗ Wszystkie prawa zastrzeżone", None),
    ("Ediciones EL PAÍS S.L", "EL PAÍS"),
    ("Northgate Observer Media Ltd", "Northgate Observer"),
    ("Chemnitzer Verlag und Druck GmbH & Co. KG", "Chemnitzer Verlag und Druck"),
    ("Arena Holdings (Pty) Ltd", "Arena"),
    ("Insider Inc.", "Insider"),
    ("Hankookilbo 신문 구독신청", "Hankookilbo"),
    ("Українська правда", "Українська правда"),
    ("✂ Uniqz®", "Uniqz"),
    ("Copyright 2014", None),
])
def test_clean_name_drops_rights_notices_and_legal_forms(rules, raw, clean):
    assert clean_name(raw, rules) == clean


def test_group_words_stay_for_registry_lookups(rules):
    assert clean_name("Vox Media, LLC", rules) == "Vox"
    assert clean_name("Vox Media, LLC", rules, groups=False) == "Vox Media"


@pytest.mark.parametrize("line, first", [
    ("Українська правда © 2000-2022", "Українська правда"),
    ("© 2024 Nine Entertainment Co.", "Nine Entertainment"),
    ("Daily Maverick © All rights reserved", "Daily Maverick"),
    ("2025 The Citizen. All Rights Reserved.", "The Citizen"),
    ("NRK Opphavsrett NRK © 2024 Ansvarlig redaktør: Vibeke Fürst Haugen", "NRK"),
    ("2012 - 2020 © by Israel Nachrichten Ltd.", "Israel Nachrichten"),
    ("Copyright (C) Nikkan Gendai. All Rights Reserved", "Nikkan Gendai"),
    ("Rolling Stone is a part of Penske Media. © 2024 Rolling Stone, LLC. All rights reserved.",
     "Rolling Stone"),
])
def test_footer_names(rules, line, first):
    names, strong = footer_names(line, rules)
    assert names[0] == first and strong


def test_captions_and_legal_prose_name_nobody(rules):
    assert footer_names("Die Karte zeigt die Ausbreitung der Rauchwolke. © Berliner Infografik",
                        rules) == ([], False)
    assert footer_names("© Alt materiale på denne side er omfattet af gældende lov om ophavsret. "
                        "Læs om reglerne her", rules)[0] == []
    assert footer_names("The Thomson Reuters Trust Principles", rules)[0] == []
    assert footer_names("© BELGA", rules) == (["BELGA"], False)  # a bare credit is weak
    # a caption's own year does not make its credit a site footer
    assert footer_names("Een herdenking voor de slachtoffers van juli 2021 in de provincie Luik. "
                        "— © BELGA", rules) == ([], False)


def test_title_segments():
    assert title_segments("Nach Kalifat-Rufen: Sind wir zu sanft? - Panorama - derStandard.at "
                          "› Panorama") == ["Panorama", "derStandard.at"]
    assert title_segments("Post-Vac-Syndrom: Was wissen wir? – DW – 13.06.2023") == ["DW"]
    assert title_segments("New Plot Twist in Idaho Case | The Gateway Pundit | by Cristina "
                          "Laila") == ["The Gateway Pundit"]
    # a quotation, a clause of the headline and an unspaced hyphen are no site names
    assert title_segments("Feuer in Berlin-Lichterfelde: Warnung – „Extreme Gefahr“") == []
    assert title_segments("Die Eisheiligen 2024: Wann sie sind - und wie das Wetter wird") == []
    assert title_segments('"Pos tefeciliği" soruşturması: 4 şüpheli | NTV Haber') == ["NTV Haber"]


def test_written_domains_and_agreement():
    text = ("Mehr auf Nieuwsblad.be, Kurzlink: https://heise.de/-9691259, Gesicht.In der "
            "Stadt, image.jpg und axis.text")
    assert written_domains(text) == ["nieuwsblad.be", "heise.de"]
    assert domain_agrees("Het Nieuwsblad", "nieuwsblad.be")
    assert domain_agrees("heise online", "heise.de")
    assert domain_agrees("LRT", "lrt.lt")
    assert not domain_agrees("Metro News", "wordpress.com")


def test_unregistered_site_from_title_and_footer(reg):
    page = make_page([("Harbour news of the day | The Harbour Courier", False), BODY,
                      ("Visit harbourcourier.example for more", False),
                      ("© 2024 Harbour Courier Media Ltd. All rights reserved.", False)])
    o = text_site(page, reg)
    assert (o.name, o.domain, o.registered) == ("The Harbour Courier", "harbourcourier.example",
                                                False)
    assert o.confidence >= 0.8


def test_registered_outlet_from_title_suffix_and_legal_name(reg):
    o = detect_outlet(make_page([("Bruselas sondea la apertura | Internacional | EL PAÍS", False),
                                 BODY]), reg)
    assert o.outlet_id == "el_pais"
    o = detect_outlet(make_page([BODY, ("© Ediciones EL PAÍS S.L. Todos los derechos "
                                        "reservados", False)]), reg)
    assert o.outlet_id == "el_pais"
    # a group is not one of its sites
    group = ("© 2023 Vox Media, LLC. All rights reserved", False)
    o = detect_outlet(make_page([BODY, group]), reg)
    assert o is None or o.outlet_id is None


def test_a_logo_line_names_a_registered_site_once(reg):
    o = detect_outlet(make_page([("Le Figaro", False), BODY]), reg)
    assert o.outlet_id == "le_figaro" and o.evidence[0].signal == "name_line"
    # a sister site in the nav does not outweigh the page's own title
    page = make_page([("Rückschlag im Titelkampf | sportschau.de", False), BODY,
                      ("Tagesschau", False), ("Tagesschau", False)])
    o = detect_outlet(page, reg)
    assert (o.name, o.registered) == ("sportschau.de", False)


def test_no_name_rules_file_loads_empty(tmp_path):
    assert load_name_rules(tmp_path) == NameRules()
    (tmp_path / "outlet_names.csv").write_text("phrase,kind,language\nLtd,legal_forn,\n")
    with pytest.raises(ValueError, match="line 2"):
        load_name_rules(tmp_path)


def test_a_wire_is_the_publisher_by_its_own_sites_footer_only(reg):
    own = make_page([BODY, ("© 2024 Reuters. All rights reserved", False)])
    assert detect_outlet(own, reg).outlet_id == "reuters"
    # a photo credit of the wire in the chrome, or its credit in the story, is no footer
    credit = make_page([BODY, ("Copyright Shakh Aivazov/Copyright 2024 The AP. All rights "
                               "reserved", False)])
    assert detect_outlet(credit, reg) is None
    story = make_page([BODY, "© 2024 Reuters. All rights reserved"])
    o = detect_outlet(story, reg)
    assert o is None or o.outlet_id != "reuters"


def test_header_logo_names_the_site(reg):
    from flows.stages.detect.site_names import logo_name

    assert logo_name("heise online Logo") == "heise online"
    assert logo_name("The Telegraph logo") == "The Telegraph"
    assert logo_name("Logo von Jonathas Mello, CC BY") is None
    assert logo_name("✂ Ihr Logo als Stickerei") is None
    page = make_page([("Sweden tells households how to survive | World News | Metro News", False),
                      ("Metro logo", False), BODY])
    assert text_site(page, reg).name == "Metro"
    # a logo of a registered outlet is that outlet
    assert detect_outlet(make_page([("Business Insider logo", False), BODY]), reg).outlet_id \
        == "business_insider"
