# One image for every newsmon stage; compose.yaml picks the stage with `command`.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY schemas ./schemas
COPY producers ./producers
COPY consumers ./consumers
COPY newsmon ./newsmon
COPY topics ./topics
RUN pip install . && useradd --system --uid 10001 newsmon
USER newsmon
# Every topic folder under /app/topics is followed (compose mounts ./topics there); topics added with
# `newsmon topic add` are written under NEWSMON_HOME, which must be writable.
ENV NEWSMON_TOPICS_DIR=/app/topics NEWSMON_HOME=/tmp/newsmon NEWSMON_HEARTBEAT_FILE=/tmp/newsmon-heartbeat
ENTRYPOINT ["newsmon"]
