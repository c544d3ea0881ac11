"""`newsmon web`: the page people look at (each story's timeline, the article stream, feeds, health, feedback) and
/metrics, served by starlette/uvicorn from a view built by reading the topics."""
