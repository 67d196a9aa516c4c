# The GCM regional review service. Build: docker build -t gcm-review .
# Front-end assets come from npm in their own stage; nothing third-party is committed.
FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim AS app
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_COMPILE_BYTECODE=1 \
    PATH="/opt/venv/bin:$PATH"
RUN pip install --no-cache-dir "uv>=0.5" && useradd --create-home --uid 1000 gcm
WORKDIR /srv/gcm
COPY pyproject.toml uv.lock .python-version README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY alembic.ini ./
COPY migrations ./migrations
COPY app ./app
RUN uv sync --frozen --no-dev
COPY --from=assets /build/node_modules ./node_modules
RUN gcm assets && gcm i18n compile && rm -rf node_modules && mkdir -p var && chown gcm:gcm var
USER gcm
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
# Apply migrations and reference data, then serve.
CMD ["sh", "-c", "gcm db upgrade && gcm seed && exec gcm serve --host 0.0.0.0 --port 8000 --workers ${GCM_WORKERS:-2}"]
