"""Members' photos, served from this site: `flask legislators photos` copies each sitting member's official
photo (the unitedstates/images project, public domain) into MEMBER_PHOTOS_DIR as a small JPEG, so the pickers
of organizers and staff show a face without a page loading anything from another origin (CSP img-src 'self').

A member without a stored photo is drawn with initials, as before.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import requests
from flask import current_app

from advocacy import images
from advocacy.http import session

PHOTO_BASE = "https://unitedstates.github.io/images/congress/225x275/"
BIOGUIDE_ID = re.compile(r"^[A-Z][0-9]{6}$")
BOX = (90, 110)  # the stored thumbnail fits this box (the source is 225 x 275)
MAX_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 4_000_000
TIMEOUT = (5, 20)


class PhotoError(Exception):
    """One photo could not be read or is not a usable image; the message says why in a few words."""


@dataclass
class PhotoReport:
    saved: int = 0
    missing: list[str] = field(default_factory=list)  # the source has no photo of this member
    failed: list[tuple[str, str]] = field(default_factory=list)  # (bioguide id, why)
    removed: int = 0  # photos of members no longer sitting

    def summary(self) -> str:
        text = f"Member photos: {self.saved} saved, {len(self.missing)} not in the source, {len(self.failed)} failed"
        return text + (f", {self.removed} removed (no longer sitting)" if self.removed else "") + "."


def photos_dir() -> Path:
    configured = current_app.config.get("MEMBER_PHOTOS_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "member-photos"


def photo_path(bioguide_id: str | None) -> Path | None:
    """The stored photo of a member, or None (no photo, or not a bioguide id: never a path from elsewhere)."""
    if not bioguide_id or not BIOGUIDE_ID.match(bioguide_id):
        return None
    path = photos_dir() / f"{bioguide_id}.jpg"
    return path if path.is_file() else None


def thumbnail(raw: bytes) -> bytes:
    """The image decoded, checked and re-encoded as a small JPEG without metadata."""
    if len(raw) > MAX_BYTES:
        raise PhotoError(f"larger than {MAX_BYTES // (1024 * 1024)} MB")
    try:
        image = images.open_checked(raw, max_pixels=MAX_PIXELS)
    except images.ImageRefused as refused:
        if refused.why == "format":
            raise PhotoError(f"not a JPEG, PNG or WebP image ({refused.kind or 'unknown'})") from None
        if refused.why == "pixels":
            raise PhotoError(f"{refused.width} x {refused.height} pixels is too large") from None
        raise PhotoError("not a readable image") from None
    return images.to_jpeg(image, BOX)[0]


def read_source_photo(source: str, bioguide_id: str) -> bytes | None:
    """The photo as the source holds it (a URL base or a folder of <bioguide id>.jpg), or None when it has none."""
    name = f"{bioguide_id}.jpg"
    if source.startswith(("http://", "https://")):
        url = source if source.endswith("/") else source + "/"
        try:
            with session().get(url + name, timeout=TIMEOUT, stream=True) as response:
                if response.status_code == 404:
                    return None
                if response.status_code != 200:
                    raise PhotoError(f"the source answered {response.status_code}")
                data = response.raw.read(MAX_BYTES + 1, decode_content=True)
        except requests.RequestException as exc:
            raise PhotoError(f"the source cannot be reached ({type(exc).__name__})") from exc
        return data
    path = Path(source) / name
    return path.read_bytes()[: MAX_BYTES + 1] if path.is_file() else None


def sync_photos(source: str, bioguide_ids: list[str], progress=None) -> PhotoReport:
    """Store every member's photo from `source`; remove those of members not in `bioguide_ids`. A photo the
    source lacks, or that fails, keeps the one stored before (if any)."""
    folder = photos_dir()
    folder.mkdir(parents=True, exist_ok=True)
    report = PhotoReport()
    wanted = {b for b in bioguide_ids if BIOGUIDE_ID.match(b)}
    for done, bioguide_id in enumerate(sorted(wanted), 1):
        try:
            raw = read_source_photo(source, bioguide_id)
            if raw is None:
                report.missing.append(bioguide_id)
            else:
                _write(folder / f"{bioguide_id}.jpg", thumbnail(raw))
                report.saved += 1
        except PhotoError as exc:
            report.failed.append((bioguide_id, str(exc)))
        if progress is not None:
            progress(done, len(wanted))
    for stored in folder.glob("*.jpg"):
        if stored.stem not in wanted and BIOGUIDE_ID.match(stored.stem):
            stored.unlink()
            report.removed += 1
    return report


def _write(path: Path, data: bytes) -> None:
    """Replace the file at once: a page never reads half a photo."""
    partial = path.with_suffix(".jpg.partial")
    partial.write_bytes(data)
    os.replace(partial, path)
