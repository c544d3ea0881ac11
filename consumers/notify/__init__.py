"""Notify stage: alerts → Slack incoming webhook and/or SMTP email, once per (alert, revision, channel)."""
