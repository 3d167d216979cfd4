"""Mission Commander benchmarks: `python -m bench full` (make bench) or `python -m bench smoke`."""
