"""newsmon: the application shell (settings, CLI, local broker, the shared Kafka loop, replay)."""
