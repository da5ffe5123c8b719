FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir . && useradd --create-home portal \
    && mkdir -p /app/var && chown portal /app/var
USER portal
ENV PORTAL_VAR_DIR=/app/var
RUN SECRET_KEY=build-only ACK_CHAIN_KEY=build-only python manage.py collectstatic --no-input -v0
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
