"""Message contracts: every record on every newsmon topic is one of these pydantic models (JSON on the wire).

Nothing else in the project defines a message's shape; stages import from here.
"""
from schemas.messages import (
    SCHEMA_VERSION,
    Alert,
    DeadLetter,
    DeadLetterReplay,
    Decision,
    DeliveryRecord,
    DiscoveredArticle,
    ExtractedArticle,
    Feedback,
    FeedCommand,
    FeedMemory,
    FeedState,
    Heartbeat,
    HeldAlert,
    Message,
    RejectedArticle,
    SeenArticle,
    Source,
    StateRecord,
    TopicCommand,
    decode,
    encode,
)
from schemas.topics import Topics, TopicSpec, all_topics, consumed_topics, dlq_topic, topic_name

__all__ = [
    "SCHEMA_VERSION", "Alert", "DeadLetter", "DeadLetterReplay", "Decision", "DeliveryRecord", "DiscoveredArticle",
    "ExtractedArticle", "Feedback", "FeedCommand", "FeedMemory", "FeedState", "Heartbeat", "HeldAlert", "SeenArticle",
    "Message", "RejectedArticle", "Source", "StateRecord", "TopicCommand", "Topics", "TopicSpec",
    "all_topics", "consumed_topics", "decode", "dlq_topic", "encode", "topic_name",
]
