"""Settings for the test suite: the same as production wiring, with tasks run inline.

``DATABASE_URL`` still chooses the database, so ``.ci/run`` runs the suite on SQLite and on
PostgreSQL with the same command.
"""

import os

os.environ.setdefault("TASK_BACKEND", "immediate")

from .settings import *  # noqa: F403
from .settings import CACHES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast: tests only
CACHES = {**CACHES, "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MAP_TILE_URL = ""  # no tile server is ever contacted by the tests
WHITENOISE_AUTOREFRESH = True  # no scan of STATIC_ROOT at start-up in tests
# The demo's 18 months of history (learningcity.demo.insights_data) costs ~20 s per load; the
# demo tests load the demo many times. The one test that needs the history sets it back.
DEMO_HISTORY_LEARNERS = 0
