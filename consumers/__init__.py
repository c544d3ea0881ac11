"""The consuming stages: extract (fetch + text), decide (match + judge), notify (Slack / email).

Each stage is a pure function here plus a thin Kafka loop (newsmon.stream) around it.
"""
