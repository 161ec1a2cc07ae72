"""The I/O behind the screens, run in workers: an attempt, keep-and-use, the demo, the doctor."""
