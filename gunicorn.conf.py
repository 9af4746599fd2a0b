"""gunicorn settings: `gunicorn -c gunicorn.conf.py wsgi:app`.

The access log writes the path without its query string (%(U)s, not %(r)s): the representatives API takes a
street address as a query parameter, and personal data never goes into logs.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss'
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
