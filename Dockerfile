FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
      python3 python3-venv python3-dev gcc gdal-bin libgdal-dev libsqlite3-mod-spatialite \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN python3 -m venv /venv && /venv/bin/pip install --no-cache-dir -r requirements.txt
ENV PATH=/venv/bin:$PATH DJANGO_SETTINGS_MODULE=nashgorod.settings PYTHONUNBUFFERED=1
COPY . .
RUN mkdir -p /data/var
EXPOSE 8000
