"""Where sync data comes from: the published URLs, a local folder (or ADVOCACY_DATA_DIR), or another URL.

Downloads are streamed through the shared HTTP session with timeouts, a size cap and a progress callback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests

from advocacy.http import session

LEGISLATORS_URL = "https://unitedstates.github.io/congress-legislators/"
ZCCD_URL = "https://raw.githubusercontent.com/OpenSourceActivismTech/us-zipcodes-congress/master/zccd.csv"
LEGISLATOR_FILES = (
    "legislators-current.yaml",
    "legislators-district-offices.yaml",
    "legislators-social-media.yaml",
    "committees-current.yaml",
    "committee-membership-current.yaml",
)
ZCCD_FILE = "zccd.csv"
LEGISLATORS_SUBFOLDER = "congress-legislators"
ZCCD_SUBFOLDER = "zip-districts"
DOWNLOAD_TIMEOUT = (5, 30)  # connect, and between bytes
MAX_BYTES = 64 * 1024 * 1024  # the largest file today is about 1 MB

# progress(filename, bytes_done, bytes_total_or_None)
Progress = Callable[[str, int, int | None], None]


class SyncError(Exception):
    """A sync cannot go ahead; the message is one line naming the file (and field) at fault."""


@dataclass(frozen=True)
class Source:
    """A folder or a URL base; `files` maps a logical file name to where it is read from."""

    description: str
    files: dict[str, str]

    def read(self, name: str, progress: Progress | None = None) -> bytes:
        location = self.files[name]
        if _is_url(location):
            return download(location, name, progress)
        return read_file(Path(location), name, progress)


def _is_url(value: str) -> bool:
    return urlsplit(value).scheme in ("http", "https")


def _find_in_folder(folder: Path, subfolder: str, names: tuple[str, ...]) -> Path | None:
    """The folder itself or its `subfolder`, whichever holds the first of `names`."""
    for candidate in (folder, folder / subfolder):
        if (candidate / names[0]).is_file():
            return candidate
    return None


def legislators_source(option: str | None, data_dir: str = "") -> Source:
    """`--source` (folder or URL base), else ADVOCACY_DATA_DIR, else the published files."""
    return _resolve(option, data_dir, LEGISLATORS_SUBFOLDER, LEGISLATOR_FILES, LEGISLATORS_URL)


def districts_source(option: str | None, data_dir: str = "") -> Source:
    """`--source` (a zccd.csv file, a folder, a URL of the file or a URL base), else ADVOCACY_DATA_DIR,
    else the raw file on GitHub."""
    if option and not _is_url(option) and Path(option).is_file():
        return Source(str(Path(option)), {ZCCD_FILE: str(Path(option))})
    if option and _is_url(option) and urlsplit(option).path.endswith(".csv"):
        return Source(option, {ZCCD_FILE: option})
    base = ZCCD_URL.rsplit("/", 1)[0] + "/"
    return _resolve(option, data_dir, ZCCD_SUBFOLDER, (ZCCD_FILE,), base)


def _resolve(option: str | None, data_dir: str, subfolder: str, names: tuple[str, ...], default_url: str) -> Source:
    if option and _is_url(option):
        base = option if option.endswith("/") else option + "/"
        return Source(base, {n: base + n for n in names})
    if option:
        return _folder_source(Path(option), subfolder, names, "--source")
    if data_dir:
        return _folder_source(Path(data_dir), subfolder, names, "ADVOCACY_DATA_DIR")
    return Source(default_url, {n: default_url + n for n in names})


def _folder_source(folder: Path, subfolder: str, names: tuple[str, ...], origin: str) -> Source:
    if not folder.is_dir():
        raise SyncError(f"{origin} {folder} is not a folder")
    found = _find_in_folder(folder, subfolder, names)
    if found is None:
        raise SyncError(f"{origin} {folder} holds no {names[0]} (looked in it and in {subfolder}/)")
    missing = [n for n in names if not (found / n).is_file()]
    if missing:
        raise SyncError(f"{found / missing[0]}: file not found")
    return Source(str(found), {n: str(found / n) for n in names})


def read_file(path: Path, name: str, progress: Progress | None = None) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SyncError(f"{name}: {size:,} bytes is more than the {MAX_BYTES:,} allowed")
        data = path.read_bytes()
    except OSError as exc:
        raise SyncError(f"{name}: cannot read {path} ({exc.strerror or exc})") from None
    if progress:
        progress(name, len(data), len(data))
    return data


def download(url: str, name: str, progress: Progress | None = None) -> bytes:
    """GET `url` in chunks; a short body, an HTTP error or a stall becomes a one-line SyncError."""
    try:
        with session().get(url, stream=True, timeout=DOWNLOAD_TIMEOUT) as response:
            if response.status_code != 200:
                raise SyncError(f"{name}: {url} answered HTTP {response.status_code}")
            total = response.headers.get("Content-Length")
            total_bytes = int(total) if total and total.isdigit() else None
            if total_bytes is not None and total_bytes > MAX_BYTES:
                raise SyncError(f"{name}: {total_bytes:,} bytes is more than the {MAX_BYTES:,} allowed")
            chunks: list[bytes] = []
            done = 0
            for chunk in response.iter_content(chunk_size=64 * 1024):
                chunks.append(chunk)
                done += len(chunk)
                if done > MAX_BYTES:
                    raise SyncError(f"{name}: more than the {MAX_BYTES:,} bytes allowed")
                if progress:
                    progress(name, done, total_bytes)
    except requests.RequestException as exc:
        raise SyncError(f"{name}: download from {url} failed ({type(exc).__name__})") from None
    if total_bytes is not None and done != total_bytes:
        raise SyncError(f"{name}: download from {url} stopped after {done:,} of {total_bytes:,} bytes")
    if progress and total_bytes is None:
        progress(name, done, done)
    return b"".join(chunks)
