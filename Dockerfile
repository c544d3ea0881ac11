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
ENV NEWSMON_TOPIC_DIR=/app/topics/russia-iran NEWSMON_HEARTBEAT_FILE=/tmp/newsmon-heartbeat
ENTRYPOINT ["newsmon"]
