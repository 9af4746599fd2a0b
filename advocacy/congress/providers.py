"""Where a district comes from: a geocoder for street addresses, the ZIP crosswalk for ZIP codes.

Both sit behind small interfaces so the lookup does not care which service answered, and tests serve real
recorded payloads at the HTTP boundary instead of replacing our code.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from typing import Protocol

import requests
from flask import current_app
from sqlalchemy import select

from advocacy.congress import cache
from advocacy.congress.cache import MISSING, LRUCache
from advocacy.congress.models import ZipDistrict
from advocacy.congress.states import FIPS_STATE, STATE_FIPS, territory_for_zip
from advocacy.extensions import db
from advocacy.http import session

log = logging.getLogger(__name__)

CENSUS_PARAMS = {"benchmark": "Public_AR_Current", "vintage": "Current_Current", "format": "json"}
GEOCODER_TIMEOUT = 5.0
GEOCODER_RETRIES = 1
GEOCODER_CACHE_SIZE = 10_000
GEOCODER_CACHE_SECONDS = 24 * 3600
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


class CensusGeocoder:
    """The US Census Geocoder's `geographies/onelineaddress`: free, keyless, and slow on a bad day."""

    name = "census-geocoder"

    def __init__(self, url: str, timeout: float = GEOCODER_TIMEOUT, retries: int = GEOCODER_RETRIES):
        self.url = url
        self.timeout = timeout
        self.retries = retries
        # Keys are hashes, so the cache holds no address in clear.
        self.cache = LRUCache(maxsize=GEOCODER_CACHE_SIZE, ttl=GEOCODER_CACHE_SECONDS)

    def locate(self, address: str, zip_code: str) -> GeoMatch | None:
        one_line = address if zip_code[:5] in address else f"{address}, {zip_code}"
        key = hashlib.sha256(normalize_for_cache(one_line).encode()).hexdigest()
        cached = self.cache.get(key)
        if cached is not MISSING:
            return cached
        match = parse_census_response(self._fetch(one_line))
        self.cache.put(key, match)
        return match

    def _fetch(self, one_line: str) -> dict:
        last_error = "no attempt"
        for _attempt in range(1 + self.retries):
            try:
                response = session().get(self.url, params={"address": one_line, **CENSUS_PARAMS}, timeout=self.timeout)
            except requests.RequestException as exc:
                last_error = type(exc).__name__
                continue
            if response.status_code >= 500:
                last_error = f"HTTP {response.status_code}"
                continue
            if response.status_code != 200:
                raise GeocoderUnavailable(f"HTTP {response.status_code}")
            try:
                body = response.json()
            except ValueError:
                raise GeocoderUnavailable("the answer is not JSON") from None
            if not isinstance(body, dict):
                raise GeocoderUnavailable("the answer is not a JSON object")
            return body
        log.warning("census geocoder unavailable: %s", last_error)  # never the address: it is personal data
        raise GeocoderUnavailable(last_error)


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


def geocoder() -> Geocoder:
    """The app's geocoder, created on first use (so building the app does no I/O and opens nothing)."""
    found = current_app.extensions.get(EXTENSION_KEY)
    if found is None:
        settings = current_app.config["ADVOCACY_SETTINGS"]
        found = current_app.extensions.setdefault(EXTENSION_KEY, CensusGeocoder(settings.geocoder_url))
    return found


class ZipCrosswalk:
    """ZIP (ZCTA) → districts from the `zip_districts` table, by primary-key range scan, cached per process."""

    name = "zip-crosswalk"

    def districts_for(self, zip5: str) -> tuple[tuple[str, int], ...]:
        """Every (state, district) the ZIP touches, sorted; () for a ZIP we do not know."""
        data = cache.current()
        table = data.zip_table
        if table is None:
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
