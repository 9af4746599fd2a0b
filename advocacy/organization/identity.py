"""The organization as the public sees it, from the settings read once at start."""

from __future__ import annotations

from dataclasses import dataclass, replace

from flask import current_app, has_request_context, request

from advocacy.auth.mail import site_url_from
from advocacy.config import Settings
from advocacy.organization.settings import saved_settings

DEFAULT_NAME = "Advocacy"


@dataclass(frozen=True)
class Organization:
    name: str
    logo_url: str
    contact_email: str
    privacy_text: str
    site_url: str

    @property
    def named(self) -> bool:
        """Whether an operator has named the organization (else the pages say so rather than pretend)."""
        return self.name != DEFAULT_NAME


def organization_from(settings: Settings) -> Organization:
    return Organization(
        name=settings.org_name or DEFAULT_NAME,
        logo_url=settings.org_logo_url,
        contact_email=settings.org_contact_email,
        privacy_text=settings.org_privacy_text,
        site_url=settings.site_url.rstrip("/"),
    )


def current_organization() -> Organization:
    """The environment's values, with what an admin saved on /admin/organization over them field by field."""
    base = organization_from(current_app.config["ADVOCACY_SETTINGS"])
    saved = saved_settings()
    if not saved:
        return base
    if "site_url" in saved:
        saved = {**saved, "site_url": saved["site_url"].rstrip("/")}
    return replace(base, **saved)


site_url_from(lambda: current_organization().site_url)  # account emails (auth) link under the same address


def public_url(path: str) -> str:
    """An absolute link for people outside this machine: under ADVOCACY_SITE_URL when set, else under the host
    the browser asked for (behind a proxy, ADVOCACY_PROXY_COUNT makes that the forwarded host), never the
    address the server happens to listen on."""
    site = current_organization().site_url
    if site:
        return site + path
    if has_request_context():
        return request.host_url.rstrip("/") + path
    return path
