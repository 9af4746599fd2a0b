"""Where a district comes from: a geocoder for street addresses, the ZIP crosswalk for ZIP codes.

Both sit behind small interfaces so the lookup does not care which service answered, and tests serve real
recorded payloads at the HTTP boundary instead of replacing our code.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from dataclasses import dataclass
from typing import Protocol

from flask import current_app
from sqlalchemy import select

from advocacy import http
from advocacy.caching import MISSING, bounded_cache
from advocacy.congress import cache, effective
from advocacy.congress.models import ZipDistrict
from advocacy.extensions import db
from advocacy.places import FIPS_STATE, STATE_FIPS, territory_for_zip

log = logging.getLogger(__name__)

CENSUS_PARAMS = {"benchmark": "Public_AR_Current", "vintage": "Current_Current", "format": "json"}
# Connect and read timeouts: a submission waits at most about (1 + retries) x 4 s before the ZIP decides.
GEOCODER_TIMEOUT = (2.0, 4.0)
GEOCODER_RETRIES = 1
GEOCODER_CACHE_SIZE = 10_000
GEOCODER_CACHE_SECONDS = 24 * 3600
# After this many answers in a row that could not be had, the geocoder is not asked for a while: during an
# outage every submission would otherwise wait out its timeouts (seconds) before the ZIP decides.
GEOCODER_BREAKER_FAILURES = 5
GEOCODER_BREAKER_SECONDS = 30.0
EXTENSION_KEY = "advocacy.congress.geocoder"
_CD_FIELD = re.compile(r"^CD\d+$")
_CD_LAYER = re.compile(r"^(\d+)\D")


@dataclass(frozen=True)
class GeoMatch:
    """Where an address is: the state and district from the geographies, and the point found."""

    state: str
    district: int
    latitude: float | None = None
    longitude: float | None = None
    source: str = "census-geocoder"  # the geocoder that answered, recorded as the letter's lookup_source

    @property
    def location(self) -> tuple[float, float] | None:
        if self.latitude is None or self.longitude is None:
            return None
        return (self.latitude, self.longitude)


class GeocoderUnavailable(Exception):
    """The geocoder timed out, failed, or answered with an error; worth trying again later (not cached)."""


class Geocoder(Protocol):
    name: str  # reported as the lookup's `source` when it answers

    def locate(self, address: str, zip_code: str) -> GeoMatch | None:
        """The district of a street address, None when the address matches nothing;
        raises GeocoderUnavailable when no answer can be had right now."""


def normalize_for_cache(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s-]", " ", text.upper()).split())


def one_line_address(address: str, zip_code: str) -> str:
    return address if zip_code[:5] in address else f"{address}, {zip_code}"


# keyed hash of an address -> its answer (None: no such address), shared by the process's geocoders: the hash
# is under each one's key, so two apps with different keys never read each other's entries.
_answers = bounded_cache("geocoder answers", maxsize=GEOCODER_CACHE_SIZE, ttl=GEOCODER_CACHE_SECONDS)


class CachedGeocoder:
    """What every geocoder shares: one request per address a day, and no address kept in clear.

    The cache key is a keyed hash (HMAC-SHA256 under `key`) of the normalized address, so the cache holds
    nothing that could be matched against a list of addresses without the key. Answers "no such address"
    are cached; GeocoderUnavailable is not (worth trying again). Subclasses implement `_lookup`.
    """

    name = "geocoder"

    clock = staticmethod(time.monotonic)  # tests set their own

    def __init__(self, key: bytes, timeout=GEOCODER_TIMEOUT, retries: int = GEOCODER_RETRIES):
        self.key = key
        self.timeout = timeout
        self.retries = retries
        self.cache = _answers
        self.failures = 0  # answers in a row that could not be had (not thread-exact; it need not be)
        self.resting_until = float("-inf")

    def cache_key(self, address: str, zip_code: str) -> str:
        text = normalize_for_cache(one_line_address(address, zip_code))
        return hmac.new(self.key, f"geocode:{text}".encode(), hashlib.sha256).hexdigest()

    def locate(self, address: str, zip_code: str) -> GeoMatch | None:
        key = self.cache_key(address, zip_code)
        cached = self.cache.get(key, MISSING)
        if cached is not MISSING:
            return cached
        if self.failures >= GEOCODER_BREAKER_FAILURES and self.clock() < self.resting_until:
            raise GeocoderUnavailable("not asked: it failed repeatedly just now")
        try:
            match = self._lookup(one_line_address(address, zip_code))
        except GeocoderUnavailable:
            self.failures += 1
            if self.failures >= GEOCODER_BREAKER_FAILURES:
                self.resting_until = self.clock() + GEOCODER_BREAKER_SECONDS
            raise
        self.failures = 0
        self.cache[key] = match
        return match

    def cached(self, address: str, zip_code: str) -> GeoMatch | None:
        """The answer already known for this address, without asking anyone (e.g. for the thanks page)."""
        return self.cache.get(self.cache_key(address, zip_code))

    def _lookup(self, one_line: str) -> GeoMatch | None:
        raise NotImplementedError

    def _get_json(self, url: str, params: dict) -> dict:
        """GET with timeouts, retrying 5xx and network errors; the answer as a JSON object, or
        GeocoderUnavailable. Never logs the URL or the parameters: they hold the address."""
        last_error = "no attempt"
        for _attempt in range(1 + self.retries):
            try:
                response = http.get(url, params, self.timeout)
            except http.TransportError as exc:
                last_error = exc.reason
                continue
            if response.status >= 500:
                last_error = f"HTTP {response.status}"
                continue
            if response.status != 200:
                log.warning("%s refused: HTTP %s", self.name, response.status)
                raise GeocoderUnavailable(f"HTTP {response.status}")
            try:
                body = response.json()
            except ValueError:
                raise GeocoderUnavailable("the answer is not JSON") from None
            if not isinstance(body, dict):
                raise GeocoderUnavailable("the answer is not a JSON object")
            return body
        log.warning("%s unavailable: %s", self.name, last_error)  # never the address: it is personal data
        raise GeocoderUnavailable(last_error)


class CensusGeocoder(CachedGeocoder):
    """The US Census Geocoder's `geographies/onelineaddress`: free, keyless, and slow on a bad day."""

    name = "census-geocoder"

    def __init__(self, url: str, key: bytes = b"", timeout=GEOCODER_TIMEOUT, retries: int = GEOCODER_RETRIES):
        super().__init__(key, timeout, retries)
        self.url = url

    def _lookup(self, one_line: str) -> GeoMatch | None:
        return parse_census_response(self._get_json(self.url, {"address": one_line, **CENSUS_PARAMS}))


class GeocodioGeocoder(CachedGeocoder):
    """Geocodio's `geocode` with `fields=cd`: paid, with the district of each result in its `cd` field."""

    name = "geocodio"

    def __init__(
        self, url: str, api_key: str, key: bytes = b"", timeout=GEOCODER_TIMEOUT, retries: int = GEOCODER_RETRIES
    ):
        super().__init__(key, timeout, retries)
        self.url = url
        self.api_key = api_key

    def _lookup(self, one_line: str) -> GeoMatch | None:
        return parse_geocodio_response(
            self._get_json(self.url, {"q": one_line, "fields": "cd", "api_key": self.api_key})
        )


_OCD_STATE = re.compile(r"/state:([a-z]{2})(?:/|$)")
# Geocodio's accuracy_type values that place an address itself, not only its street, ZIP or city.
GEOCODIO_PRECISE = frozenset({"rooftop", "point", "range_interpolation", "nearest_rooftop_match", "intersection"})


def parse_geocodio_response(body: dict) -> GeoMatch | None:
    """GeoMatch when the address-level results agree on one district; None when nothing matched at the
    address level or the results disagree (a district split inside one result: `proportion` < 1)."""
    results = body.get("results")
    if not isinstance(results, list):
        raise GeocoderUnavailable("the answer has no results" + (" (error)" if body.get("error") else ""))
    found: list[GeoMatch] = []
    for result in results:
        if not isinstance(result, dict) or result.get("accuracy_type") not in GEOCODIO_PRECISE:
            continue
        fields_ = result.get("fields")
        districts = fields_.get("congressional_districts") if isinstance(fields_, dict) else None
        if not isinstance(districts, list):
            raise GeocoderUnavailable("a result without congressional_districts (is fields=cd set?)")
        if len(districts) != 1 or not isinstance(districts[0], dict):
            return None  # the point sits where several districts are possible: never pick one
        cd = districts[0]
        number = cd.get("district_number")
        state_match = _OCD_STATE.search(str(cd.get("ocd_id", "")))
        if not isinstance(number, int) or state_match is None:
            return None
        state = state_match.group(1).upper()
        if state not in STATE_FIPS:
            return None
        location = result.get("location") or {}
        lat, lon = location.get("lat"), location.get("lng")
        numeric = isinstance(lat, int | float) and isinstance(lon, int | float)
        found.append(
            GeoMatch(
                state,
                0 if number == 98 else number,
                float(lat) if numeric else None,
                float(lon) if numeric else None,
                source="geocodio",
            )
        )
    if len({(m.state, m.district) for m in found}) != 1:
        return None
    return found[0]  # results come best first


def _district_code(code: str) -> int | None:
    """ "08" -> 8; "00" (at-large) and "98" (the Census code for DC's and PR's seats) -> 0; "ZZ" (water) -> None."""
    code = code.strip()
    if not code.isdigit():
        return None
    number = int(code)
    return 0 if number == 98 else number


def _newest_district_layer(geographies: dict) -> list | None:
    """The layer named like "119th Congressional Districts"; the newest Congress if several are present."""
    layers = [(name, features) for name, features in geographies.items() if name.endswith("Congressional Districts")]
    if not layers:
        return None
    layers.sort(key=lambda item: int(m.group(1)) if (m := _CD_LAYER.match(item[0])) else -1)
    return layers[-1][1]


def _state_of(geographies: dict, feature: dict) -> str | None:
    states = geographies.get("States")
    if isinstance(states, list) and states and isinstance(states[0], dict) and states[0].get("STUSAB") in STATE_FIPS:
        return states[0]["STUSAB"]
    fips = str(feature.get("STATE") or str(feature.get("GEOID", ""))[:2])
    return FIPS_STATE.get(fips)


def _match_from(match: dict) -> GeoMatch | None:
    geographies = match.get("geographies")
    if not isinstance(geographies, dict):
        raise GeocoderUnavailable("a match without geographies")
    features = _newest_district_layer(geographies)
    if features is None:
        raise GeocoderUnavailable("no congressional district layer")
    if not features:
        return None  # the point is in no district (open water)
    feature = features[0]
    if not isinstance(feature, dict) or "GEOID" not in feature:
        raise GeocoderUnavailable("the congressional district layer holds an error")  # e.g. {"status": "..."}
    code = next((str(v) for k, v in feature.items() if _CD_FIELD.match(k)), str(feature["GEOID"])[2:])
    district = _district_code(code)
    state = _state_of(geographies, feature)
    if district is None or state is None:
        return None
    coordinates = match.get("coordinates") or {}
    lon, lat = coordinates.get("x"), coordinates.get("y")
    numeric = isinstance(lat, int | float) and isinstance(lon, int | float)
    return GeoMatch(state, district, float(lat) if numeric else None, float(lon) if numeric else None)


def parse_census_response(body: dict) -> GeoMatch | None:
    """GeoMatch for one clear answer; None when nothing (or several districts) matched; GeocoderUnavailable
    when the answer holds an error instead of a district."""
    result = body.get("result")
    if not isinstance(result, dict):
        errors = body.get("errors")
        raise GeocoderUnavailable("the answer has no result" + (" (errors)" if errors else ""))
    matches = result.get("addressMatches")
    if not isinstance(matches, list):
        raise GeocoderUnavailable("the answer has no addressMatches")
    found = {m for m in (_match_from(match) for match in matches if isinstance(match, dict)) if m is not None}
    if len({(m.state, m.district) for m in found}) != 1:
        return None  # no match, or matches in different districts: never pick one silently
    return min(found, key=lambda m: (m.latitude is None, m.latitude or 0, m.longitude or 0))


def make_geocoder(settings, key: bytes) -> CachedGeocoder:
    """The geocoder the settings choose: ADVOCACY_GEOCODER=census (default) or geocodio."""
    if settings.geocoder == "geocodio":
        return GeocodioGeocoder(settings.geocodio_url, settings.geocodio_api_key, key)
    return CensusGeocoder(settings.geocoder_url, key)


def geocoder() -> CachedGeocoder:
    """The app's geocoder, created on first use (so building the app does no I/O and opens nothing)."""
    found = current_app.extensions.get(EXTENSION_KEY)
    if found is None:
        settings = current_app.config["ADVOCACY_SETTINGS"]
        made = make_geocoder(settings, current_app.config["PSEUDONYM_KEY"])
        found = current_app.extensions.setdefault(EXTENSION_KEY, made)
    return found


class ZipCrosswalk:
    """ZIP (ZCTA) → districts from the `zip_districts` table, by primary-key range scan, cached per process."""

    name = "zip-crosswalk"

    def districts_for(self, zip5: str) -> tuple[tuple[str, int], ...]:
        """Every (state, district) the ZIP touches, sorted; () for a ZIP we do not know."""
        data = cache.current()
        table = data.zip_table
        due = effective.due_release("districts", data) if data.pending is None or data.pending else None
        if due is not None:  # a new Congress's crosswalk is in effect and not yet copied into the table
            table = effective.ahead_zip_table(due, data)
        elif table is None:
            table = self._load_all(data)
        found = table.get(zip5)
        if found is None:
            place = territory_for_zip(zip5)
            found = ((place, 0),) if place else ()  # GU, VI, AS, MP: one at-large seat each, not in the crosswalk
        return found

    @staticmethod
    def _load_all(data) -> dict[str, tuple[tuple[str, int], ...]]:
        """The crosswalk (42,033 rows, a few MB) in one ordered scan, kept until the next sync."""
        with data.lock:
            if data.zip_table is not None:
                return data.zip_table
            table: dict[str, list[tuple[str, int]]] = {}
            rows = db.session.execute(
                select(ZipDistrict.zcta, ZipDistrict.state, ZipDistrict.district).order_by(
                    ZipDistrict.zcta, ZipDistrict.state, ZipDistrict.district
                )
            )
            for zcta, state, district in rows:
                table.setdefault(zcta, []).append((state, district))
            data.zip_table = {z: tuple(d) for z, d in table.items()}
            return data.zip_table


crosswalk = ZipCrosswalk()
