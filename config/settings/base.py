"""Settings shared by every environment; each value can come from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(os.environ.get("HUDDLE_DATA_DIR", BASE_DIR / "data"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "config",  # the project's own commands: backup, restore, requeue_interrupted_tasks
    "knowledge",
    "knowledge.semantic",
    "knowledge.sitesearch",
    "coaching",
    "identity",
    "djangosaml2",
    "leaderboard",
    "notifications",
    "chat",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "wagtailmedia",
    # No "modelsearch" here: wagtail.search is its app config; two of them break every index update.
    "modelcluster",
    "taggit",
    "django_comments_xtd",
    "django_comments",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sites",
    "django.contrib.staticfiles",
    "django.contrib.syndication",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.RefuseNulBytesMiddleware",  # PostgreSQL cannot take NUL in text
    "config.middleware.DatabaseUnavailableMiddleware",  # outside sessions: their lookups fail too
    "config.middleware.StorageFullMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "djangosaml2.middleware.SamlSessionMiddleware",  # SAML sign-in's own cookie, only while signing in
    "django.middleware.common.CommonMiddleware",
    "knowledge.links.RequestOriginMiddleware",  # e-mail links go where the request came
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "identity.access.SessionRecordMiddleware",  # so deactivating someone can end their sessions
    "config.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "config.sites.CachedSiteMiddleware",  # the site and home page from the cache, not two queries
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out sign-in into the lockout page
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "wagtail.contrib.settings.context_processors.settings",
                "config.context_processors.navigation",
                "notifications.context_processors.bell",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'huddle.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers carry on while one request writes; the timeout waits out short write locks.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # While the database restarts, fail fast with the 503 page rather than hang a worker.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = int(os.environ.get("DB_CONNECT_TIMEOUT", "3"))
    if _statement_timeout := int(os.environ.get("DB_STATEMENT_TIMEOUT", "20")):
        DATABASES["default"]["OPTIONS"]["options"] = f"-c statement_timeout={_statement_timeout}s"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# First the sign-in throttle (django-axes), then Django's ModelBackend with each user's
# permissions kept in the cache (two queries a page).
AUTHENTICATION_BACKENDS = ["config.throttling.LoginThrottleBackend", "config.permissions.CachedPermissionsBackend"]

# The company directory (identity/): its groups become Huddle roles and leaderboard teams at every
# sign-in, e.g. DIRECTORY_ROLE_GROUPS="huddle-reps=Reps,huddle-marketing=Marketing,huddle-managers=Managers".
# Someone in none of the mapped groups gets DIRECTORY_DEFAULT_ROLE (empty: no role).
from identity.configuration import ldap_settings, parse_mapping, saml_settings, scim_settings  # noqa: E402

DIRECTORY_ROLE_GROUPS = parse_mapping(os.environ.get("DIRECTORY_ROLE_GROUPS", ""))
DIRECTORY_TEAM_GROUPS = parse_mapping(os.environ.get("DIRECTORY_TEAM_GROUPS", ""))
DIRECTORY_DEFAULT_ROLE = os.environ.get("DIRECTORY_DEFAULT_ROLE", "Reps")
# LDAP or Active Directory sign-in (django-auth-ldap), on when LDAP_SERVER_URI is set: README, "Signing in".
if os.environ.get("LDAP_SERVER_URI"):
    globals().update(ldap_settings(os.environ))
    AUTHENTICATION_BACKENDS.insert(1, "identity.ldap.DirectoryBackend")
# SAML 2.0 sign-in (djangosaml2), on when SAML_IDP_METADATA is set: README, "Signing in".
SAML_CSP_HANDLER = ""  # the site sets no Content-Security-Policy header for djangosaml2 to extend
if os.environ.get("SAML_IDP_METADATA"):
    globals().update(saml_settings(os.environ, os.environ.get("SAML_SITE_URL", "http://127.0.0.1:8000")))
    AUTHENTICATION_BACKENDS.insert(1, "identity.saml.SamlBackend")
# OpenID Connect sign-in (django-allauth), one button per provider in OIDC_PROVIDERS (JSON): README,
# "Signing in". Only the provider's routes are mounted (identity/oidc.py), none of allauth's account pages.
from identity.configuration import oidc_settings  # noqa: E402

INSTALLED_APPS += [
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
]
MIDDLEWARE.insert(MIDDLEWARE.index("axes.middleware.AxesMiddleware"), "allauth.account.middleware.AccountMiddleware")
globals().update(oidc_settings(os.environ))
# LOCAL_SIGN_IN=off refuses passwords (site and admin) except for the BREAK_GLASS_USERS accounts.
LOCAL_SIGN_IN = os.environ.get("LOCAL_SIGN_IN", "on").strip().lower() not in {"off", "0", "false", "no"}
BREAK_GLASS_USERS = env_list("BREAK_GLASS_USERS")
AUTHENTICATION_BACKENDS.insert(-1, "identity.local_sign_in.PasswordSignInSwitch")  # just before Django's own
# SCIM 2.0 provisioning at /scim/v2/ (identity/scim/), on once SCIM_TOKEN is set or a token is made in the admin.
SCIM_TOKEN = os.environ.get("SCIM_TOKEN", "")
SCIM_SERVICE_PROVIDER = scim_settings()

# Sign-in throttling (config/throttling.py): an account, or an address, is locked after this many
# failed sign-ins, on the site and at /admin/login/ alike, until the lockout ends by itself.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks (this order: see the handler)
# An address (a whole office behind one) gets more: the handler scales its count to the account's.
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", "20"))
AXES_HANDLER = "config.throttling.AccountOrAddressHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.throttling.lockout_response"
AXES_CLIENT_IP_CALLABLE = "config.throttling.client_ip"
AXES_VERBOSE = False
# Proxies whose X-Forwarded-For names the visitor (the same list gunicorn trusts).
TRUSTED_PROXIES = env_list("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Password-reset e-mails: per e-mail address, and per visitor's address (count/seconds).
PASSWORD_RESET_RATE = os.environ.get("PASSWORD_RESET_RATE", "3/3600")
PASSWORD_RESET_RATE_PER_ADDRESS = os.environ.get("PASSWORD_RESET_RATE_PER_ADDRESS", "10/3600")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"
# With passwords off, /admin/ sends people to the site's sign-in page: the company buttons are there.
WAGTAILADMIN_LOGIN_URL = "wagtailadmin_login" if LOCAL_SIGN_IN else LOGIN_URL

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "static_collected"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Where a proxy serves protected media from: "" serves files from Django itself,
# "nginx" answers with X-Accel-Redirect, "apache" with X-Sendfile.
MEDIA_ACCEL = os.environ.get("MEDIA_ACCEL", "")
MEDIA_ACCEL_PREFIX = os.environ.get("MEDIA_ACCEL_PREFIX", "/protected-media/")
# nginx's location for files that are only downloaded (HTML, SVG, anything not video, audio or image).
MEDIA_DOWNLOAD_PREFIX = os.environ.get("MEDIA_DOWNLOAD_PREFIX", "/protected-download/")
STORAGES = {
    # A write that fails midway (a full disk) removes its half-written file.
    "default": {"BACKEND": "config.storage.MediaStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # bigger uploads stream to a temp file on disk
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
VIDEO_MAX_UPLOAD_BYTES = int(os.environ.get("VIDEO_MAX_UPLOAD_MB", "500")) * 1024 * 1024

SITE_ID = 1
SITE_DOMAIN = os.environ.get("SITE_DOMAIN", "127.0.0.1:8000")

# E-mail: console by default, SMTP from EMAIL_URL (smtp://user:pass@host:587?tls=1).
EMAIL_URL = os.environ.get("EMAIL_URL", "console:")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "huddle@localhost")
if EMAIL_URL.startswith("smtp"):
    from urllib.parse import parse_qs, unquote, urlparse

    _email = urlparse(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or 25
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_TLS = parse_qs(_email.query).get("tls", ["0"])[0] in {"1", "true"}
    EMAIL_USE_SSL = _email.scheme == "smtps"
elif EMAIL_URL.startswith("locmem"):
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Cache: Redis when REDIS_URL is set (sessions use it too), else in-process memory.
IN_PROCESS_CACHE = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CACHE_MAX_ENTRIES", "20000"))},
}
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "TIMEOUT": 300,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # Django's default of 300 entries held the cards of about a dozen pages: a reader moving
    # between 30 tag pages found each one's cards evicted (15 queries instead of 4, bench/pages.py).
    CACHES = {"default": IN_PROCESS_CACHE}

# Processes serving requests (config/gunicorn.py sets it for its workers): above 1, the cache
# must be shared (REDIS_URL), or a permission change or a posting limit holds in one process only.
WEB_CONCURRENCY = int(os.environ.get("WEB_CONCURRENCY", "1"))

# Slack and Teams. Outgoing messages go to each channel's incoming webhook (set in the admin); a
# slow receiver is given up on after CHAT_WEBHOOK_TIMEOUT seconds and tried again later.
CHAT_WEBHOOK_TIMEOUT = float(os.environ.get("CHAT_WEBHOOK_TIMEOUT", "10"))
# The Slack app (deploy/slack/manifest.yml): its signing secret turns on /slack/commands and
# /slack/interactivity; without it they answer 404.
SLACK_SIGNING_SECRET = os.environ.get("SLACK_SIGNING_SECRET", "")
# Slack user -> Huddle user by e-mail: from SLACK_USER_EMAILS ("U012AB=ana@example.com,U034CD=...")
# first, else Slack's users.info with the bot token (scope users:read.email) at SLACK_API_URL.
SLACK_USER_EMAILS = dict(
    pair.split("=", 1) for pair in os.environ.get("SLACK_USER_EMAILS", "").replace(" ", "").split(",") if "=" in pair
)
SLACK_BOT_TOKEN = os.environ.get("SLACK_BOT_TOKEN", "")
SLACK_API_URL = os.environ.get("SLACK_API_URL", "https://slack.com/api/")

# Background work: inline unless a worker is configured (TASKS_BACKEND=database).
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "immediate")
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
        }[TASKS_BACKEND]
    }
}

# Search: one index for the site search, Page.objects.search() and the admin.
SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND", "whoosh")
SEARCH_INDEX_PATH = Path(os.environ.get("SEARCH_INDEX_PATH", DATA_DIR / "whoosh_index"))
_search_backends = {
    "whoosh": {"BACKEND": "knowledge.search.whoosh", "PATH": str(SEARCH_INDEX_PATH)},
    "database": {"BACKEND": "modelsearch.backends.database"},
    "opensearch": {
        "BACKEND": "modelsearch.backends.opensearch2",
        "URLS": [os.environ.get("OPENSEARCH_URL", "http://localhost:9200")],
        "INDEX": os.environ.get("OPENSEARCH_INDEX", "huddle"),
    },
}
WAGTAILSEARCH_BACKENDS = {"default": _search_backends[SEARCH_BACKEND]}
MODELSEARCH_BACKENDS = WAGTAILSEARCH_BACKENDS
# Search by meaning (sentence embeddings computed on this machine); off for very small machines.
SEMANTIC_SEARCH = env_bool("SEMANTIC_SEARCH", True)
# Threads the encoder uses per process: 1 suits several web workers side by side.
SEMANTIC_SEARCH_THREADS = int(os.environ.get("SEMANTIC_SEARCH_THREADS", "1"))

WAGTAIL_SITE_NAME = "Huddle"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", f"http://{SITE_DOMAIN}")
WAGTAIL_ENABLE_UPDATE_CHECK = False  # no network here
WAGTAIL_USER_EDIT_FORM_USE_GRAVATAR = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILDOCS_SERVE_METHOD = "serve_view"
TAGGIT_CASE_INSENSITIVE = True
TAGGIT_TAGS_FROM_STRING = "knowledge.tagging.tags_from_string"  # one spelling per tag, admin included

# Comments: threaded two levels, likes, no e-mail confirmation for signed-in users.
COMMENTS_APP = "django_comments_xtd"
COMMENTS_XTD_MAX_THREAD_LEVEL = 1
COMMENTS_XTD_CONFIRM_EMAIL = False
COMMENTS_XTD_SALT = os.environ.get("COMMENTS_SALT", "huddle-comments").encode()
COMMENTS_XTD_FROM_EMAIL = DEFAULT_FROM_EMAIL
COMMENTS_XTD_CONTACT_EMAIL = DEFAULT_FROM_EMAIL
COMMENTS_XTD_API_GET_USER_AVATAR = "knowledge.comments.no_avatar"  # never Gravatar
COMMENTS_XTD_APP_MODEL_OPTIONS = {
    "default": {"allow_flagging": False, "allow_feedback": True, "show_feedback": True, "who_can_post": "users"}
}

# Knowledge: how long a verification lasts, how fast one person may post.
TIP_VERIFICATION_DAYS = int(os.environ.get("TIP_VERIFICATION_DAYS", "90"))
POST_RATE_LIMIT = os.environ.get("POST_RATE_LIMIT", "10/60")  # posts per seconds, per user

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusals_in_one_line": {"()": "config.log_filters.RefusalsInOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # Once, through the root's handler: Django's own console handler printed each request
    # problem a second time under DEBUG. A 403 or 404 is a line, not a traceback.
    "loggers": {"django.request": {"handlers": ["console"], "filters": ["refusals_in_one_line"], "propagate": False}},
}

# Static files: collected into STATIC_ROOT for production; in development and tests
# whitenoise finds them in place, so nothing needs collecting first.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = env_bool("WHITENOISE_AUTOREFRESH", True)

# Coaching media: wagtailmedia holds the uploads; each kind checked by name and by content too
# (an empty list would switch wagtailmedia's extension check off).
WAGTAILMEDIA = {
    "MEDIA_MODEL": "wagtailmedia.Media",
    "AUDIO_EXTENSIONS": ["mp3", "m4a", "ogg", "wav", "flac"],
    "VIDEO_EXTENSIONS": ["mp4", "webm"],
    "MEDIA_FORM_BASE": "coaching.forms.MediaAdminForm",
}

# Leaderboard fair play: how often one kind of activity scores per person per day, and how
# often helpful marks between the same two people score in any seven days.
LEADERBOARD_DAILY_CAP = int(os.environ.get("LEADERBOARD_DAILY_CAP", "20"))
LEADERBOARD_HELPFUL_PAIR_WEEKLY_CAP = int(os.environ.get("LEADERBOARD_HELPFUL_PAIR_WEEKLY_CAP", "3"))
# django-ninja as an app serves the /api/docs Swagger UI from its static files instead of a CDN.
INSTALLED_APPS.append("ninja")
