"""Messages to people: the outbox, its transports and the in-app inbox (see docs/channels.md)."""
