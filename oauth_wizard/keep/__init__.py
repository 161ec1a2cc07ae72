"""What is kept after authorizing (profiles, secrets, status, exports): the keep service."""
