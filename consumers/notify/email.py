"""SMTP email from NEWSMON_SMTP_URL: smtp://user:pass@host:587 (STARTTLS when the server offers it) or
smtps://user:pass@host:465. A server that cannot be reached is transient; a refused message is permanent."""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

from newsmon.stream import Rejected, Transient


def send_email(smtp_url: str, sender: str, recipients: tuple[str, ...], subject: str, body: str,
               message_id_seed: str, timeout: float = 20.0) -> None:
    parts = urlsplit(smtp_url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise Rejected(f"NEWSMON_SMTP_URL must be smtp://… or smtps://…, not {parts.scheme!r}")
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, ", ".join(recipients), subject
    # A stable Message-ID lets mail clients drop a duplicate if a crash made us send twice.
    msg["Message-ID"] = make_msgid(idstring=message_id_seed, domain="newsmon")
    msg.set_content(body)
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
