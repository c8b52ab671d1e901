"""The one settings module. Everything that differs between machines comes from the environment.

WUYI_VAR          folder for the SQLite file and uploads (default: ./var)
DATABASE_URL      e.g. postgres://user@127.0.0.1:5432/wuyi (default: SQLite in WAL mode under WUYI_VAR)
SECRET_KEY        Django's signing key (default: a random key made once and kept in WUYI_VAR/secret-key)
WUYI_ID_KEY       key of the HMAC that replaces ID numbers (default: a random key kept in WUYI_VAR/id-key)
WUYI_KEY_PASSPHRASE  encrypts the code-signing private keys at rest (default: random, kept in WUYI_VAR/key-passphrase)
DEBUG             "1" to turn on debug pages
ALLOWED_HOSTS     comma-separated
"""

import os
import secrets
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("WUYI_VAR", Path.cwd() / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = os.environ.get("DEBUG", "") == "1"


def _local_key(name: str) -> str:
    """A random key made on first use and kept beside the database (mode 0600), never a default in the source:
    with a known HMAC key, an ID number could be found again from its HMAC by trying the few candidates."""
    path = VAR_DIR / name
    if not path.exists():
        draft = VAR_DIR / f".{name}.{os.getpid()}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)  # atomic: of two processes starting at once, the first key wins for both
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or _local_key("secret-key")
WUYI_ID_KEY = (os.environ.get("WUYI_ID_KEY") or _local_key("id-key")).encode()
WUYI_KEY_PASSPHRASE = (os.environ.get("WUYI_KEY_PASSPHRASE") or _local_key("key-passphrase")).encode()
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

INSTALLED_APPS = [
    "wuyi",
    "wuyi.places",
    "wuyi.people",
    "wuyi.health",
    "wuyi.accounts",
    "wuyi.access",
    "wuyi.volunteers",
    "wuyi.campaign",
    "wuyi.workforce",
    "wuyi.venues",
    "wuyi.care",
    "wuyi.dashboard",
    "wuyi.synth",
    "ninja",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "wuyi.urls"
WSGI_APPLICATION = "wuyi.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

SQLITE_PATH = VAR_DIR / "wuyi.sqlite3"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", f"sqlite:///{SQLITE_PATH}"))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE: writers queue on the busy timeout instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    # A file (not :memory:) so that the live server of browser tests shares it; one per run so runs don't collide.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", 60)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"  # epidemiological dates are local dates; timestamps are stored in UTC
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on a missing root before the first collectstatic
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login lockout: this many failures within the window locks the account name for the window.
LOGIN_MAX_FAILURES = int(os.environ.get("WUYI_LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("WUYI_LOGIN_LOCKOUT_MINUTES", "15"))

DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
