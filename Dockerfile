# CUBE-PRO production image: Gunicorn serving the Flask app; put Nginx (nginx.conf) in front.
# Build: docker build -t cube-pro .   Run: see README "Production".

FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY scripts/copy-assets.mjs scripts/
RUN mkdir -p cube/static && npm run --silent build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CUBE_ENV=production
WORKDIR /app
# Fonts for work-order PDFs: DejaVu Sans for Latin, Greek, Cyrillic, Arabic, Hebrew...; Droid Sans Fallback
# (TrueType, which ReportLab embeds) for Chinese, Japanese and Korean.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core=2.37-6 fonts-droid-fallback=1:6.0.1r16-1.1 \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
COPY --from=assets /src/cube/static/vendor cube/static/vendor
# The translations the app reads are compiled from the committed .po catalogues.
RUN python -m cube.catalogues compile
RUN useradd --system --uid 10001 --home-dir /app cube \
    && mkdir -p /app/instance \
    && chown -R cube /app/instance
USER 10001
# Inside the container Gunicorn must listen on the container's own interface, not its loopback,
# for the proxy to reach it. Publish the port to the proxy only (a private network, or
# `-p 127.0.0.1:8000:8000` with Nginx on the host), and set TRUSTED_PROXIES to the proxy's
# address so that nobody else's X-Forwarded-For is believed. BASE_URL is required.
ENV GUNICORN_BIND=0.0.0.0:8000
EXPOSE 8000
# The check sends BASE_URL's host name: the app answers 400 to hosts outside TRUSTED_HOSTS.
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
  CMD ["python", "-c", "import os,sys,urllib.parse,urllib.request; host=urllib.parse.urlsplit(os.environ['BASE_URL']).netloc; sys.exit(urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:8000/readyz', headers={'Host': host})).status != 200)"]
# Migrate, then serve on GUNICORN_BIND (above). Workers and threads come from GUNICORN_CMD_ARGS when set.
CMD ["sh", "-c", "flask --app wsgi db upgrade && exec gunicorn --config gunicorn.conf.py wsgi:app"]
