"""Gunicorn settings for production (override any with GUNICORN_CMD_ARGS).

GUNICORN_BIND is the address Gunicorn listens on: loopback by default, so only
the Nginx on the same host reaches it. In a container set it to 0.0.0.0:8000
(the Dockerfile does) and publish the port only to the proxy.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 2))
timeout = 60
graceful_timeout = 30
keepalive = 5
accesslog = "-"
errorlog = "-"
# Gunicorn's own X-Forwarded-Proto handling; the app trusts forwarded headers only from TRUSTED_PROXIES.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
