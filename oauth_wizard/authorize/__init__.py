"""One authorization attempt: consent URL, both legs, code exchange, stored token."""
