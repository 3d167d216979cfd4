"""Mission Commander's WebSocket gateway (Cloud Run): authenticates, stores
each learner message as a turn document, and relays agent turns back."""
