"""Languages: which one a public page speaks (the `lang` query, then the cookie, then Accept-Language), the
switcher's links, and Flask-Babel bound to the app. Staff pages stay in English.

A language is offered only when its catalog is complete (tests/test_i18n_catalogs.py fails otherwise) and,
on a campaign's pages, when the campaign carries its translation (Campaign.languages).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, Response, current_app, g, has_request_context, request, url_for
from flask_babel import Babel, force_locale, get_locale, gettext
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from advocacy.auth.access import is_public_endpoint

TRANSLATIONS = Path(__file__).parent / "translations"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 86400
DEFAULT = "en"


@dataclass(frozen=True)
class Language:
    code: str  # in URLs, cookies and on the stored action: "zh-Hans"
    babel: str  # the catalog's folder and Babel's name: "zh_Hans"
    name: str  # in its own script, for the switcher
    dir: str = "ltr"


LANGUAGES = (
    Language("en", "en", "English"),
    Language("zh-Hans", "zh_Hans", "简体中文"),
    Language("zh-Hant", "zh_Hant", "繁體中文"),
    Language("es", "es", "Español"),
    Language("ug", "ug", "ئۇيغۇرچە", "rtl"),
)
BY_CODE = {language.code: language for language in LANGUAGES}
BY_BABEL = {language.babel: language for language in LANGUAGES}
CODES = tuple(BY_CODE)
# Accept-Language tags that name a script by region: Chinese in mainland China and Singapore is written in
# simplified characters, in Taiwan, Hong Kong and Macau in traditional ones.
ALIASES = {
    "zh": "zh-Hans",
    "zh-cn": "zh-Hans",
    "zh-sg": "zh-Hans",
    "zh-my": "zh-Hans",
    "zh-hans": "zh-Hans",
    "zh-tw": "zh-Hant",
    "zh-hk": "zh-Hant",
    "zh-mo": "zh-Hant",
    "zh-hant": "zh-Hant",
    "ug": "ug",
    "ug-cn": "ug",
    "ug-arab": "ug",
    "es": "es",
    "en": "en",
}


def language_code(tag: str | None) -> str | None:
    """Our code for a language tag ("zh-TW" → "zh-Hant", "es-MX" → "es"), or None for one we do not speak."""
    if not tag:
        return None
    tag = tag.strip().replace("_", "-").lower()
    if tag in ALIASES:
        return ALIASES[tag]
    parts = tag.split("-")
    if parts[0] == "zh" and len(parts) > 1:
        for part in parts[1:]:
            if f"zh-{part}" in ALIASES:
                return ALIASES[f"zh-{part}"]
        return "zh-Hans"
    return ALIASES.get(parts[0])


def accepted_language(header: str | None) -> str | None:
    """Our code for the first language of an Accept-Language header (by quality) that we speak, or None. The ZIP
    fast path (congress/fastpath.py) reads the raw header with this, as a page reads its request's."""
    if not header:
        return None
    for tag, _quality in parse_accept_header(header, LanguageAccept):
        code = language_code(tag)
        if code:
            return code
    return None


def _accepted() -> str | None:
    return accepted_language(request.headers.get("Accept-Language"))


def _public_page() -> bool:
    return request.path.startswith("/api/") or is_public_endpoint(request.endpoint)


def chosen_language() -> str:
    """The language of this request: English on staff pages; elsewhere the `lang` query (a switcher link),
    the cookie it left, or the browser's Accept-Language."""
    if "language" in g:
        return g.language
    code = DEFAULT
    if _public_page():
        code = (
            language_code(request.args.get("lang"))
            or language_code(request.cookies.get(COOKIE))
            or _accepted()
            or DEFAULT
        )
    g.language = code
    return code


def request_language() -> str:
    """The language of the request being answered, or English outside one (a command, a worker)."""
    return chosen_language() if has_request_context() else DEFAULT


def select_locale() -> str:
    return BY_CODE[request_language()].babel


def in_language(code: str | None):
    """A context in which gettext and the formatters speak `code` (a stored action's language): emails are
    rendered at send time, by a worker, for a writer who chose their language earlier."""
    return force_locale(BY_CODE.get(code or DEFAULT, BY_CODE[DEFAULT]).babel)


def current_language() -> Language:
    """The language being rendered (force_locale included: emails rendered for a writer)."""
    locale = get_locale()
    if locale is None:
        return BY_CODE[DEFAULT]
    return BY_BABEL.get(str(locale), BY_CODE[DEFAULT])


def switch_url(code: str, path: str | None = None) -> str:
    """This page in another language: the same path with `lang` set (a GET link, no script needed). A page
    answering a POST (the review, a form with errors) cannot be fetched again: its link leads to the campaign
    page it came from, so nothing typed travels in a URL."""
    if path is None and request.method != "GET":
        slug = (request.view_args or {}).get("slug")
        path = url_for("letters.campaign_page", slug=slug) if slug else url_for("letters.home")
    args = {k: v for k, v in request.args.items() if k != "lang"} if path is None else {}
    args["lang"] = code
    return (path or request.path) + "?" + urlencode(args)


def offered_languages(campaign=None) -> tuple[Language, ...]:
    """The languages the switcher offers: every complete catalog, narrowed to the campaign's translations."""
    codes = current_app.config.get("LANGUAGES", CODES)
    if campaign is not None:
        translated = set(getattr(campaign, "languages", None) or (DEFAULT,))
        codes = [code for code in codes if code == DEFAULT or code in translated]
    return tuple(BY_CODE[code] for code in codes if code in BY_CODE)


def remember_choice(response: Response) -> Response:
    """A switcher link's choice is kept in a cookie (no session), and public answers vary by language."""
    if not _public_page():
        return response
    chosen = language_code(request.args.get("lang"))
    if chosen and request.cookies.get(COOKIE) != chosen:
        response.set_cookie(
            COOKIE,
            chosen,
            max_age=COOKIE_MAX_AGE,
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
            httponly=True,
            samesite="Lax",
        )
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale)
    app.after_request(remember_choice)
    app.jinja_env.globals.update(
        current_language=current_language,
        switch_url=switch_url,
        offered_languages=offered_languages,
        campaign_text=campaign_text,
        letter_gloss=letter_gloss,
        translated_languages=translated_languages,
        outcome_text=outcome_text,
        timeline_shown=timeline_shown,
        update_text=update_text,
        campaign_partly_english=campaign_partly_english,
    )


# A campaign's own words in the writer's language (campaign files' `translations`; see campaigns/files.py).
CAMPAIGN_TEXT = ("title", "story", "ask", "share_text")


def translated_languages(campaign) -> tuple[str, ...]:
    """English, and each language whose translation carries everything the English campaign has: title, story,
    ask, share text, and a gloss of every letter variant."""
    have = [name for name in CAMPAIGN_TEXT if getattr(campaign, name if name != "story" else "story_html", "")]
    variants = {letter.name for letter in campaign.letters}
    translations = getattr(campaign, "translations", None) or {}
    return tuple(
        code
        for code in CODES
        if code == DEFAULT
        or (
            code in translations
            and all(translations[code].get(name) for name in have)
            and variants <= set(translations[code].get("letters", {}))
        )
    )


def campaign_text(campaign, name: str) -> str:
    """A campaign's `name` ("title", "story_html", "ask", "share_text") in the language being rendered, or in
    English when the campaign has no translation of it."""
    code = current_language().code
    if code != DEFAULT:
        value = ((getattr(campaign, "translations", None) or {}).get(code) or {}).get(name)
        if value:
            return value
    return getattr(campaign, name, "") or ""


def letter_gloss(campaign, variant_name: str) -> str:
    """A short explanation, in the writer's language, of the English letter an office receives."""
    code = current_language().code
    if code == DEFAULT:
        return ""
    entry = (getattr(campaign, "translations", None) or {}).get(code) or {}
    return (entry.get("letters") or {}).get(variant_name, "")


@dataclass(frozen=True)
class Shown:
    """An organizer's words as shown to this reader: in their language when the organizer gave it, else in
    English, and then `english` is true so the page marks that element `lang="en" dir="ltr"`."""

    text: str
    english: bool = False

    def __str__(self) -> str:
        return self.text


def _shown(english_text: str, translated: str | None) -> Shown:
    if current_language().code == DEFAULT or not english_text:
        return Shown(english_text or "")
    return Shown(translated) if translated else Shown(english_text, english=True)


def _entry(translations: dict | None) -> dict:
    return ((translations or {}).get(current_language().code)) or {}


def outcome_text(campaign) -> Shown:
    """How the campaign ended, in the organizer's words (`translations.<code>.outcome_message`)."""
    english = getattr(campaign, "outcome_message", "") or ""
    return _shown(english, _entry(getattr(campaign, "translations", None)).get("outcome_message"))


def timeline_shown(campaign) -> list[tuple[dict, Shown, str]]:
    """The public timeline for the campaign page's loop: each event, its words in the reader's language, and where
    the person was held ("" when the event names no facility). Translated here, not by `_()` in the loop: a
    context function called inside a Jinja loop copies the template context every time."""
    entry = (_entry(getattr(campaign, "translations", None)).get("timeline")) or {}
    rows = []
    for event in public_timeline(campaign):
        english = event.get("event", "")
        held = ""
        if event.get("facility"):
            place = event["facility"] + (f", {event['city']}, {event['state']}" if event.get("city") else "")
            held = gettext("Held at %(place)s", place=place)
        rows.append((event, _shown(english, entry.get(english)), held))
    return rows


def update_text(update, name: str) -> Shown:
    """An update's `title`, `body` (Markdown) or `ask` in the reader's language (`CampaignUpdate.translations`)."""
    return _shown(getattr(update, name, "") or "", _entry(getattr(update, "translations", None)).get(name))


def campaign_partly_english(campaign) -> bool:
    """True when this reader's language is not English and some of the campaign's own words fall back to English:
    a language reached by a typed `?lang=` before its translation is complete, an outcome message or a timeline
    event not yet translated. The page then says so, in the reader's language."""
    code = current_language().code
    if code == DEFAULT or campaign is None:
        return False
    if code not in translated_languages(campaign):
        return True
    if outcome_text(campaign).english:
        return True
    return any(shown.english for _, shown, _ in timeline_shown(campaign))


def public_timeline(campaign) -> list[dict]:
    """The events the public sees (a campaign or its snapshot): retired ones (advocacy.casework.timeline) are left out."""
    return [event for event in getattr(campaign, "timeline", None) or [] if not event.get("retired")]


def compile_catalogs(directory: Path = TRANSLATIONS) -> list[Path]:
    """Build each catalog's .mo beside its .po when the .po is newer (what `scripts/i18n compile` does with
    pybabel; the tests call this, so a plain `pytest` run reads current catalogs). The .mo files are not committed."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    built = []
    for po in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        # Written aside and renamed: parallel test workers may build the same catalog at once.
        partial = mo.with_suffix(f".{os.getpid()}.part")
        with partial.open("wb") as target:
            write_mo(target, catalog)
        os.replace(partial, mo)
        built.append(mo)
    return built
