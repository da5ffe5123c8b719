# Policy Portal image: web (gunicorn), worker and beat (Celery), migrate and backup all run it.
FROM python:3.11-slim-bookworm
# Pango for PDFs; postgresql-client (15, as the compose `db` service) for scripts/backup and restore.
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core curl postgresql-client \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
COPY . .
# The volumes' mount points exist in the image and belong to `portal` (uid 1000): Docker gives a
# new named volume the owner of its mount point, so evidence uploads, audit packs and backups
# can be written by the user the containers run as.
RUN pip install --no-cache-dir . && useradd --create-home --uid 1000 portal \
    && mkdir -p /app/var /data/private /backups \
    && chown portal:portal /app/var /data/private /backups
USER portal
ENV PORTAL_VAR_DIR=/app/var PRIVATE_STORAGE_ROOT=/data/private BACKUP_DIR=/backups \
    LOG_FORMAT=json PYTHONUNBUFFERED=1
RUN SECRET_KEY=build-only ACK_CHAIN_KEY=build-only python manage.py collectstatic --no-input -v0
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--timeout", "60"]
