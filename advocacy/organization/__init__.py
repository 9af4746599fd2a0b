"""Who runs this site: the organization's name, logo, contact and privacy text, shown on every public page
and in every email, and the public address links are built from (ADVOCACY_ORG_* and ADVOCACY_SITE_URL)."""
