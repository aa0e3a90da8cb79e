# syntax=docker/dockerfile:1
# Image of the QMI portal: one image for the web process (gunicorn), the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=qmi.settings

# System libraries of WeasyPrint (dossier PDFs) and fonts to render them.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libharfbuzz0b libjpeg62-turbo \
        fonts-dejavu-core fonts-liberation \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 qmi \
    && useradd --system --uid 10001 --gid qmi --home-dir /app --shell /usr/sbin/nologin qmi

WORKDIR /app

# Dependencies first, in their own layer: with only pyproject.toml present, `pip install .`
# installs every dependency (and an empty distribution of the portal). The code itself runs
# from /app (PYTHONPATH), so that BASE_DIR is /app with templates/, static/ and locale/.
COPY pyproject.toml ./
RUN pip install . && rm -rf build *.egg-info

COPY . .

# Static files (served by WhiteNoise) and translations are built into the image. The secret key
# here only lets the settings load during the build; the containers get the real one at run time.
RUN SECRET_KEY=build-only-not-a-secret DEBUG=False DATABASE_URL=sqlite:////tmp/build.sqlite3 \
        python manage.py collectstatic --noinput \
    && SECRET_KEY=build-only-not-a-secret DEBUG=False DATABASE_URL=sqlite:////tmp/build.sqlite3 \
        python manage.py compile_translations \
    && rm -f /tmp/build.sqlite3 \
    && mkdir -p /app/media/private /app/var \
    && chown -R qmi:qmi /app/media /app/var

USER qmi

EXPOSE 8000
CMD ["gunicorn", "qmi.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
