"""Settings of the processes started by tests/core/test_kill_recovery.py: Médiane's settings,
with an e-mail backend that writes each message to its own file then waits (the window where a
message is sent but not yet recorded as sent)."""

import os

from mediane.settings import *  # noqa: F403

EMAIL_BACKEND = "tests.core.slow_mail.SlowFileBackend"
EMAIL_FILE_PATH = os.environ.get("MEDIANE_TEST_MAIL_DIR", "")
