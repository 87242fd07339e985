"""An e-mail backend for the kill tests: one file per message (`<id>.eml`, written whole), then
a pause of MEDIANE_TEST_MAIL_DELAY seconds before returning, so a test can kill the process after
a message is out and before the sender records it."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class SlowFileBackend(BaseEmailBackend):
    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        folder = Path(settings.EMAIL_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            name = uuid.uuid4().hex
            partial = folder / f".{name}.tmp"
            partial.write_bytes(message.message().as_bytes())
            os.replace(partial, folder / f"{name}.eml")
            time.sleep(float(os.environ.get("MEDIANE_TEST_MAIL_DELAY", "0.2")))
        return len(email_messages)
