"""django-post-office's side of the comparison. Runs in ITS OWN virtualenv (wire_dpo.py makes
it under ~/.cache/drip-bench/dpo-venv), never in drip's: Django is no drip dependency.

    python dpo_driver.py setup   # migrate, queue the messages of DPO_MESSAGES (untimed)
    python dpo_driver.py send    # `send_queued_mail` until the queue is empty (timed by the
                                 # caller, start-up included, as drip's `drip tick` is)

Settings come from the environment: DPO_DATABASE (`sqlite:PATH` or a postgresql:// URL),
DPO_SCHEMA (PostgreSQL), DPO_SMTP_HOST, DPO_SMTP_PORT, DPO_PROCESSES, DPO_THREADS,
DPO_LOG_LEVEL, DPO_LOCKFILE. `send` prints {"sent": N}.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import django
from django.conf import settings


def _database() -> dict[str, object]:
    raw = os.environ["DPO_DATABASE"]
    if raw.startswith("sqlite:"):
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": raw.removeprefix("sqlite:")}
    url = urlsplit(raw)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": url.path.lstrip("/"),
        "USER": url.username or "",
        "PASSWORD": url.password or "",
        "HOST": url.hostname or "",
        "PORT": url.port or 5432,
        "OPTIONS": {"options": f"-c search_path={os.environ['DPO_SCHEMA']}"},
    }


def _configure() -> None:
    settings.configure(
        DATABASES={"default": _database()},
        INSTALLED_APPS=["django.contrib.contenttypes", "post_office"],
        EMAIL_HOST=os.environ["DPO_SMTP_HOST"],
        EMAIL_PORT=int(os.environ["DPO_SMTP_PORT"]),
        # send_many renders every subject and body as a Django template when queueing
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates"}],
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        POST_OFFICE={
            "BACKENDS": {"default": "django.core.mail.backends.smtp.EmailBackend"},
            "BATCH_SIZE": 100,
            "THREADS_PER_PROCESS": int(os.environ.get("DPO_THREADS", "5")),
            "LOG_LEVEL": int(os.environ.get("DPO_LOG_LEVEL", "1")),
            "DEFAULT_PRIORITY": "medium",
        },
    )
    django.setup()


def setup() -> None:
    from django.core.management import call_command
    from post_office import mail

    call_command("migrate", verbosity=0)
    messages = json.loads(Path(os.environ["DPO_MESSAGES"]).read_text(encoding="utf-8"))
    mail.send_many(
        [
            {
                "sender": m["sender"],
                "recipients": [m["recipient"]],
                "subject": m["subject"],
                "message": m["text"],
                "html_message": m["html"],
                "priority": "medium",
            }
            for m in messages
        ]
    )


def send() -> None:
    from post_office.mail import send_queued_mail_until_done
    from post_office.models import STATUS, Email

    send_queued_mail_until_done(
        lockfile=os.environ["DPO_LOCKFILE"], processes=int(os.environ.get("DPO_PROCESSES", "1"))
    )
    print(json.dumps({"sent": Email.objects.filter(status=STATUS.sent).count()}))


if __name__ == "__main__":
    _configure()
    {"setup": setup, "send": send}[sys.argv[1]]()
