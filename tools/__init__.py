"""Developer tools: the local stack runner and a terminal chat client."""
