"""Downloads of stored files (attachments of challenges and answers, project documents)."""

from __future__ import annotations

import os
from typing import Any

from django.http import FileResponse, Http404


def stored_file_response(stored: Any, *, fallback_name: str) -> FileResponse:
    """`stored` (a row with a `file` and its checked `content_type`) as a download the browser
    may not sniff as another type; 404 when the file is gone from the storage."""
    try:
        handle = stored.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=os.path.basename(stored.file.name or fallback_name),
        content_type=stored.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
