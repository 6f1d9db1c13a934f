"""Sending e-mail: over SMTP when MAIL_SERVER is set; in development without a mail server,
into the outbox table that /dev/outbox shows; otherwise not at all.

Only background jobs send (notifications, invitations): `send_mail` raises when the server
cannot be reached or refuses for now (the job tries again later), and raises `Bounce` when
the server refuses the recipient for good (a 5xx answer: the address is recorded, never
retried).
"""
from __future__ import annotations

import json
import smtplib
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY

from flask import current_app

from .clock import utcnow
from .extensions import db

_POLICY = SMTP_POLICY.clone(max_line_length=998)
#: What send_mail did: sent over SMTP, written to the development outbox.
SMTP, OUTBOX = "smtp", "outbox"


class MailError(Exception):
    """The mail server could not take the message now; the message says why (never an
    address: job failures are read by admins)."""


class Bounce(Exception):
    """The mail server refused the recipient for good (a 5xx answer)."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"{code} {reason}")
        self.code = code
        self.reason = reason


class OutboxMessage(db.Model):
    """An e-mail as it would have been sent, kept in development instead of sending it."""

    __tablename__ = "dev_outbox"

    id = db.Column(db.Integer, primary_key=True)
    to = db.Column(db.String(254), nullable=False)
    subject = db.Column(db.String(300), nullable=False)
    body = db.Column(db.Text, nullable=False)
    #: JSON: the extra headers (List-Unsubscribe ...).
    headers = db.Column(db.Text, nullable=False, default="{}")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    @property
    def header_items(self):
        return sorted(json.loads(self.headers or "{}").items())


def uses_outbox() -> bool:
    """True in development when no mail server is named: mail goes to /dev/outbox."""
    cfg = current_app.config
    return not cfg.get("MAIL_SERVER") and cfg.get("APP_ENV") == "development"


def mail_enabled() -> bool:
    """True when e-mail goes somewhere: a mail server, or the development outbox."""
    return bool(current_app.config.get("MAIL_SERVER")) or uses_outbox()


def base_url() -> str:
    """Where the workspace is reached, for links in e-mails sent by jobs (no request there):
    BASE_URL, else SERVER_NAME with PREFERRED_URL_SCHEME, else http://localhost."""
    cfg = current_app.config
    if cfg.get("BASE_URL"):
        return cfg["BASE_URL"].rstrip("/")
    if cfg.get("SERVER_NAME"):
        return f"{cfg.get('PREFERRED_URL_SCHEME') or 'http'}://{cfg['SERVER_NAME']}"
    return "http://localhost"


def build_message(to: str, subject: str, body: str,
                  headers: dict[str, str] | None = None) -> EmailMessage:
    """A plain-text message from MAIL_FROM. Headers are not folded below RFC 5322's 998
    characters: Python folds a subject with non-ASCII words so that it reads back with two
    spaces."""
    message = EmailMessage(policy=_POLICY)
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message


def send_mail(to: str, subject: str, body: str,
              headers: dict[str, str] | None = None) -> str | None:
    """Send a plain-text message: SMTP, OUTBOX, or None when e-mail is off.

    Raises Bounce when the server refuses the recipient for good, MailError when it cannot
    take the message now.
    """
    if uses_outbox():
        db.session.add(OutboxMessage(to=to, subject=subject[:300], body=body,
                                     headers=json.dumps(headers or {}), created_at=utcnow()))
        db.session.flush()
        return OUTBOX
    if not current_app.config.get("MAIL_SERVER"):
        return None
    _send_smtp(build_message(to, subject, body, headers))
    return SMTP


def _send_smtp(message: EmailMessage) -> None:
    cfg = current_app.config
    try:
        with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=10) as smtp:
            if cfg["MAIL_USE_TLS"]:
                smtp.starttls()
            if cfg["MAIL_USERNAME"]:
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        code, reason = next(iter(exc.recipients.values()), (0, b""))
        reason = reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)
        if 500 <= code < 600:
            raise Bounce(code, reason[:400]) from None
        raise MailError(f"The mail server refused the recipient for now ({code}).") from None
    except smtplib.SMTPResponseException as exc:
        raise MailError(f"The mail server answered {exc.smtp_code}.") from None
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"The mail server could not be reached ({type(exc).__name__}).") \
            from None
