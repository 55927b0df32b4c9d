# One image per service: docker build --build-arg SERVICE=registry .
FROM python:3.11-slim

ARG SERVICE
ARG UV_VERSION=0.13.8
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never \
    SERVICE=${SERVICE} HTTP_HOST=0.0.0.0 PATH=/app/.venv/bin:$PATH

RUN test -n "$SERVICE" && pip install --no-cache-dir "uv==${UV_VERSION}"
# awards renders its documents (DOCX -> PDF) with LibreOffice headless; Liberation Serif stands in for Times New Roman
RUN if [ "$SERVICE" = awards ]; then \
        apt-get update && apt-get install -y --no-install-recommends libreoffice-writer-nogui fonts-liberation2 \
        fonts-dejavu-core && rm -rf /var/lib/apt/lists/*; \
    fi
WORKDIR /app
COPY pyproject.toml uv.lock ./
COPY shared shared
COPY services services
RUN uv sync --frozen --no-dev --package "tdkt-${SERVICE}" \
    && useradd --system --uid 10001 tdkt
USER tdkt

HEALTHCHECK --interval=5s --timeout=3s --start-period=20s --retries=12 \
    CMD python -c "import os, urllib.request; from tdkt_shared.settings import DEFAULT_PORTS; port = os.environ.get('HTTP_PORT') or DEFAULT_PORTS[os.environ['SERVICE']]; urllib.request.urlopen(f'http://127.0.0.1:{port}/readyz', timeout=2)"
CMD ["sh", "-c", "exec tdkt-${SERVICE}"]
