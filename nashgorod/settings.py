"""Settings for nashgorod, read from the environment.

With no environment at all this is a development setup on SpatiaLite with an
embedded Celery broker (files under var/), so the whole portal runs with no
database or Redis server. Production sets DEBUG=false, SECRET_KEY,
DATABASE_URL=postgis://… and REDIS_URL.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from nashgorod import env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = env.get_dir("NASHGOROD_VAR_DIR", BASE_DIR / "var")

DEBUG = env.get_bool("DEBUG", True)
SECRET_KEY = env.get_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.get_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.humanize",
    "leaflet",
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_gis",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Project apps, in import order: an app imports only the apps above it.
    "accounts",
    "places",
    "organizations",
    "issues",
    "volunteers",
    "loyalty",
    "notifications",
    "moderation",
    "backoffice",
    "stats",
    "api",
    "open311",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

if not DEBUG:
    # Static files from the collected folder; runserver serves them in development.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "nashgorod.urls"
WSGI_APPLICATION = "nashgorod.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "nashgorod.context_processors.portal",
                "notifications.context_processors.bell",
            ],
            "libraries": {"portal": "nashgorod.portal_tags"},
        },
    },
]

DATABASES = {
    "default": env.get_database("DATABASE_URL", f"spatialite:///{VAR_DIR / 'nashgorod.sqlite3'}"),
}
# Read (and checked) whatever the database, used for PostGIS.
CONN_MAX_AGE = env.get_int("CONN_MAX_AGE", 60, minimum=0)
if DATABASES["default"]["ENGINE"].endswith("spatialite"):
    # The embedded default must work on a fresh checkout: its folder may not exist yet.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # The file lives under var/; SQLite waits for a writer instead of failing
    # at once when the worker and the web server write together.
    # WAL lets readers and one writer work side by side; IMMEDIATE takes the
    # write lock at BEGIN so that two writers queue instead of deadlocking.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20, init_command="PRAGMA journal_mode=WAL;", transaction_mode="IMMEDIATE"
    )
    SPATIALITE_LIBRARY_PATH = "mod_spatialite"
else:
    DATABASES["default"]["CONN_MAX_AGE"] = CONN_MAX_AGE
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
# ModelBackend, the logged-in user read by SQL compiled once (accounts.backends).
AUTHENTICATION_BACKENDS = ["accounts.backends.PortalBackend"]
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский")]
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.get_dir("STATIC_ROOT", VAR_DIR / "static")
MEDIA_URL = "/media/"
MEDIA_ROOT = env.get_dir("MEDIA_ROOT", VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Photos are decoded and checked in our own pipeline; Django only has to
# accept bodies that large (five photos of up to 20 MB each).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Reference data (../shared/data beside the project by default).
REFERENCE_DATA_DIR = env.get_dir("REFERENCE_DATA_DIR", BASE_DIR.parent / "shared" / "data")
# What manage.py generate_city adds after the reports, in this order (issues imports neither).
CITY_GENERATOR_EXTENSIONS = ["volunteers.generator.generate_inspections", "loyalty.generator.generate_ledger"]

# Volunteer inspections (volunteers.conf): the share of «done» answers of the
# last days that the daily sample sends to volunteers, and how long a taken
# task stays the volunteer's alone.
INSPECTION_SAMPLE_PERCENT = env.get_int("INSPECTION_SAMPLE_PERCENT", 5, minimum=0)
if INSPECTION_SAMPLE_PERCENT > 100:
    raise ImproperlyConfigured(
        f"INSPECTION_SAMPLE_PERCENT={INSPECTION_SAMPLE_PERCENT} is not valid: at most 100."
    )
INSPECTION_SAMPLE_DAYS = env.get_int("INSPECTION_SAMPLE_DAYS", 3, minimum=1)
INSPECTION_TAKE_HOURS = env.get_int("INSPECTION_TAKE_HOURS", 48, minimum=1)

# E-mail: printed to the console unless EMAIL_URL says otherwise.
_email = env.get_email("EMAIL_URL", "consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
for _key in ("EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD"):
    if _email.get(_key):
        globals()[_key] = _email[_key]
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
# The portal's address in e-mails' links.
SITE_URL = env.get_url("SITE_URL", "http://localhost:8000", ("http", "https"))
DEFAULT_FROM_EMAIL = env.get_str("DEFAULT_FROM_EMAIL", "Наш город <noreply@nashgorod.local>")

# Celery: Redis when REDIS_URL is set; otherwise a broker kept in files under
# var/celery, so that the worker and the beat scheduler really run with no
# server at all.
REDIS_URL = env.get_url("REDIS_URL", None, ("redis", "rediss"))
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_ALWAYS_EAGER = env.get_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Publishing must not hang a web request when the broker is down: fail fast,
# the caller logs it and the scheduler's sweeps redo the work later.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0.1, "interval_step": 0.2}
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 2}
    CELERY_RESULT_BACKEND = None
else:
    _queue = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }

# The cache is shared by the web server, the worker and the scheduler: Redis
# when there is one, files under var/ otherwise. Nothing in it is precious: a
# Redis that is down or hung reads as an empty cache after half a second
# (nashgorod.cache), not as a server error.
CACHES = {
    "default": (
        {
            "BACKEND": "nashgorod.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    )
}

# Sessions are kept in the database and, with Redis, read from the cache
# (written to both): a logged-in request then makes no query for its session.
# A Redis that is down reads as a miss, and the database answers.
SESSION_ENGINE = "django.contrib.sessions.backends." + ("cached_db" if REDIS_URL else "db")

# Maps: OpenStreetMap tiles unless configured otherwise.
MAP_TILES_URL = env.get_str("MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILES_ATTRIBUTION = env.get_str("MAP_TILES_ATTRIBUTION", "© участники OpenStreetMap")
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (55.7522, 37.6156),
    "DEFAULT_ZOOM": 10,
    "MIN_ZOOM": 8,
    "MAX_ZOOM": 19,
    "TILES": [("OpenStreetMap", MAP_TILES_URL, {"attribution": MAP_TILES_ATTRIBUTION})],
    "ATTRIBUTION_PREFIX": "Наш город",
    "RESET_VIEW": False,
}

# The mobile app's API (/api/v1/, the api app): a token for the app, the
# session for the browser; one error shape (api.exceptions); every list paged.
API_THROTTLE_RATES = {
    # Reports a user may file per hour through the API (the web form has its own checks).
    "reports": env.get_str("API_REPORTS_RATE", "30/hour"),
    # Login attempts per client address and per e-mail.
    "login": env.get_str("API_LOGIN_RATE", "20/min"),
    "login_email": env.get_str("API_LOGIN_EMAIL_RATE", "10/min"),
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.PortalTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_THROTTLE_RATES": API_THROTTLE_RATES,
    "EXCEPTION_HANDLER": "api.exceptions.handle",
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Наш город: API мобильного приложения",
    "DESCRIPTION": "Сообщения о проблемах города, их ход, уведомления и баллы; очереди редакции и исполнителей.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and ReDoc from our own static files: the docs work offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ReportStatusEnum": "issues.models.Status",
        "RequestKindEnum": "issues.models.OrganizationRequest.Kind",
        "RewardKindEnum": "loyalty.models.Reward.Kind",
    },
}

if not DEBUG:
    SESSION_COOKIE_SECURE = env.get_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.get_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Debian 12 ships GDAL 3.6; we never open spatial references or files that a
# user supplies (boundaries come from our own reference data folder).
SILENCED_SYSTEM_CHECKS = ["gis.W001"]
