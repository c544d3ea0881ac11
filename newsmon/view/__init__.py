"""What people look at (the page, `newsmon status`, /metrics), built by reading newsmon's own topics: no second
database. `model.View` is the in-memory view and its queries; `follow` keeps it current from Kafka; `health`
reads consumer lag and topic sizes; `timeline` arranges a story."""
