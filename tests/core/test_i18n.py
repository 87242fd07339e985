"""Translations: the pure-Python compile step and the committed English catalogue."""

from __future__ import annotations

import gettext
from pathlib import Path

import polib

from mediane.core.i18n_compile import LOCALE_DIR, compile_catalogues


def test_compile_writes_a_mo_that_gettext_reads(tmp_path):
    po_dir = tmp_path / "en" / "LC_MESSAGES"
    po_dir.mkdir(parents=True)
    catalogue = polib.POFile()
    catalogue.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    }
    catalogue.append(polib.POEntry(msgid="Carte", msgstr="Map"))
    catalogue.append(
        polib.POEntry(
            msgid="%(n)s lieu",
            msgid_plural="%(n)s lieux",
            msgstr_plural={0: "%(n)s place", 1: "%(n)s places"},
        )
    )
    catalogue.append(polib.POEntry(msgid="Brouillon", msgstr="Draft", flags=["fuzzy"]))
    catalogue.save(str(po_dir / "django.po"))

    written = compile_catalogues(tmp_path)

    assert written == [po_dir / "django.mo"]
    translations = gettext.GNUTranslations((po_dir / "django.mo").open("rb"))
    assert translations.gettext("Carte") == "Map"
    assert translations.ngettext("%(n)s lieu", "%(n)s lieux", 3) == "%(n)s places"
    assert translations.gettext("Brouillon") == "Brouillon"  # fuzzy entries are left out


def test_committed_english_catalogue_is_complete_and_compiled():
    po_path = Path(LOCALE_DIR) / "en" / "LC_MESSAGES" / "django.po"
    catalogue = polib.pofile(str(po_path))
    assert catalogue.percent_translated() >= 95
    translations = gettext.GNUTranslations(po_path.with_suffix(".mo").open("rb"))
    for entry in catalogue.translated_entries():
        if entry.msgid_plural:
            continue
        if entry.msgctxt:  # the same msgid may have another translation without context
            found = translations.pgettext(entry.msgctxt, entry.msgid)
        else:
            found = translations.gettext(entry.msgid)
        assert found == entry.msgstr, (entry.msgctxt, entry.msgid)
