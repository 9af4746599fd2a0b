"""The CWC HTTP client: /v2/offices, /v2/validate and /v2/message, with timeouts and clear outcomes.

A 2xx means delivered. A 4xx is permanent and its reason is kept, except a duplicate DeliveryId
(the message already arrived: delivered) and 401/403/408/429 (our key or their load: retried).
A 5xx, a timeout or a refused connection is transient. Reasons never quote the request URL,
which carries the API key.
"""

from __future__ import annotations

import json
import logging
import re
import xml.etree.ElementTree as ET  # noqa: S405 - parsing CWC's own error replies, size-limited below
from dataclasses import dataclass
from enum import StrEnum

import requests

from advocacy import caching, http
from advocacy.caching import bounded_cache
from advocacy.send_errors import PermanentError, TransientError, scrub

log = logging.getLogger(__name__)

DUPLICATE = re.compile(r"duplicate|already (been )?(received|delivered|submitted|exists|used)", re.IGNORECASE)
RETRYABLE_4XX = {401, 403, 408, 425, 429}
MAX_ERROR_BODY = 20_000


class Outcome(StrEnum):
    DELIVERED = "sent"
    DUPLICATE = "duplicate"  # CWC already has this DeliveryId: it arrived on an earlier attempt


@dataclass
class CwcClient:
    base_url: str
    api_key: str
    timeout: tuple[float, float] = (5.0, 30.0)

    def _url(self, path: str) -> str:
        return f"{self.base_url.rstrip('/')}/v2/{path}"

    def _post(self, path: str, xml: bytes) -> requests.Response:
        try:
            return http.session().post(
                self._url(path),
                params={"apikey": self.api_key},
                data=xml,
                headers={
                    "Content-Type": "application/xml; charset=utf-8",
                    "Accept": "application/xml, application/json",
                },
                timeout=self.timeout,
            )
        except requests.Timeout:
            raise TransientError(f"CWC did not answer /v2/{path} within {self.timeout[1]:g} s") from None
        except requests.ConnectionError:
            raise TransientError(f"could not connect to CWC for /v2/{path}") from None
        except requests.RequestException as exc:
            raise TransientError(f"CWC request failed ({type(exc).__name__})") from None

    def deliver(self, xml: bytes) -> Outcome:
        return self._outcome("message", self._post("message", xml))

    def validate(self, xml: bytes) -> Outcome:
        return self._outcome("validate", self._post("validate", xml))

    def offices(self) -> frozenset[str]:
        """The MemberOffice codes CWC currently accepts."""
        try:
            response = http.session().get(
                self._url("offices"),
                params={"apikey": self.api_key},
                headers={"Accept": "application/json"},
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise TransientError(f"could not fetch the CWC offices list ({type(exc).__name__})") from None
        if response.status_code != 200:
            raise TransientError(f"CWC offices list answered {response.status_code}")
        try:
            data = response.json()
        except ValueError:
            raise TransientError("CWC offices list is not JSON") from None
        codes = set()
        for item in data if isinstance(data, list) else data.get("offices", []):
            code = item if isinstance(item, str) else (item.get("code") or item.get("office_code") or "")
            if isinstance(code, str) and code.strip():
                codes.add(code.strip().upper())
        return frozenset(codes)

    @staticmethod
    def _outcome(path: str, response: requests.Response) -> Outcome:
        status = response.status_code
        if 200 <= status < 300:
            return Outcome.DELIVERED
        reason = error_reason(response)
        if 400 <= status < 500 and status not in RETRYABLE_4XX:
            if DUPLICATE.search(reason):
                return Outcome.DUPLICATE
            raise PermanentError(f"CWC refused /v2/{path} ({status}): {reason or 'no reason given'}")
        if status in (401, 403):
            raise TransientError(f"CWC refused our API key ({status}); check ADVOCACY_CWC_API_KEY")
        raise TransientError(f"CWC answered {status} to /v2/{path}" + (f": {reason}" if reason else ""))


def error_reason(response: requests.Response) -> str:
    """The error text from a CWC reply: <Error> elements, a JSON error, or the start of the body."""
    body = response.content[:MAX_ERROR_BODY]
    text = body.decode("utf-8", "replace").strip()
    if not text:
        return ""
    if text.startswith("<") and "<!DOCTYPE" not in text[:200].upper() and "<!ENTITY" not in text.upper():
        try:
            root = ET.fromstring(body)  # noqa: S314 - no DTDs or entities (checked above), bounded size
            errors = [e.text.strip() for e in root.iter() if e.tag.lower() == "error" and e.text and e.text.strip()]
            if errors:
                return scrub("; ".join(errors))
        except ET.ParseError:
            pass
    if text.startswith("{"):
        try:
            data = json.loads(text)
            if isinstance(data, dict):
                message = data.get("error") or data.get("message") or data.get("errors")
                if message:
                    return scrub(message if isinstance(message, str) else json.dumps(message))
        except ValueError:
            pass
    return scrub(re.sub(r"<[^>]+>", " ", text))


# --- The offices list, cached per process -------------------------------------------------------

# base URL -> (when the list was fetched, when we last tried, the list or None); gone a day after the last fetch
_offices = bounded_cache("cwc offices lists", maxsize=16, ttl=86400)
RETRY_FAILED_FETCH_AFTER = 60.0


def known_offices(client: CwcClient, ttl: float, *, fetch: bool = True) -> frozenset[str] | None:
    """The cached CWC offices list, refreshed after `ttl` seconds; None when we have none.

    `fetch=False` never does I/O. A failed fetch keeps the stale list (if any) and is not
    repeated for a minute, so a CWC outage does not add a request to every delivery.
    """
    key = client.base_url
    now = caching.now()
    fetched_at, tried_at, codes = _offices.get(key, (0.0, None, None))
    fresh = codes is not None and now - fetched_at < ttl
    if fresh or not fetch or (tried_at is not None and now - tried_at < RETRY_FAILED_FETCH_AFTER):
        return codes
    try:
        new_codes = client.offices() or None
    except TransientError as exc:
        log.warning("cwc offices list unavailable: %s", exc.reason)
        _offices[key] = (fetched_at, now, codes)
        return codes
    _offices[key] = (now, now, new_codes)
    return new_codes
