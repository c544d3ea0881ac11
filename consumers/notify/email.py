"""SMTP email from NEWSMON_SMTP_URL: smtp://user:pass@host:587 (STARTTLS when the server offers it) or
smtps://user:pass@host:465. Each message is multipart (text and HTML). Its Message-ID is derived from the alert,
so an update names its alert in In-Reply-To and References and mail clients thread it, and a message sent twice
after a crash carries the same id (clients drop the copy). A server that cannot be reached is transient; a refused
message is permanent."""
from __future__ import annotations

import re
import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from newsmon.stream import Rejected, Transient


def message_id(seed: str, namespace: str) -> str:
    """A Message-ID that is the same every time for the same seed (alert id and revision) and deployment."""
    clean = lambda s: re.sub(r"[^A-Za-z0-9.\-]", "-", s)  # noqa: E731
    return f"<{clean(seed)}@{clean(namespace)}.newsmon>"


def build_message(sender: str, recipients: tuple[str, ...], subject: str, text: str, html: str | None,
                  msg_id: str, in_reply_to: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, ", ".join(recipients), subject
    msg["Message-ID"] = msg_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    return msg


def send_message(smtp_url: str, msg: EmailMessage, timeout: float = 20.0) -> None:
    parts = urlsplit(smtp_url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise Rejected(f"NEWSMON_SMTP_URL must be smtp://… or smtps://…, not {parts.scheme!r}")
    port = parts.port or (465 if parts.scheme == "smtps" else 25)
    try:
        if parts.scheme == "smtps":
            client = smtplib.SMTP_SSL(parts.hostname, port, timeout=timeout, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(parts.hostname, port, timeout=timeout)
        with client:
            client.ehlo()
            if parts.scheme == "smtp" and client.has_extn("starttls"):
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if parts.username:
                client.login(unquote(parts.username), unquote(parts.password or ""))
            client.send_message(msg)
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPAuthenticationError) as exc:
        raise Rejected(f"smtp refused the message: {exc}") from exc
    except smtplib.SMTPResponseException as exc:
        if exc.smtp_code >= 500:  # 5xx is the server's final word on this message; 4xx asks us to try later
            raise Rejected(f"smtp refused the message: {exc.smtp_code} {exc.smtp_error!r}") from exc
        raise Transient(f"smtp {parts.hostname}:{port} deferred: {exc.smtp_code} {exc.smtp_error!r}") from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise Transient(f"smtp {parts.hostname}:{port} failed: {exc}") from exc
