"""Records, rules and errors every layer may use; no I/O, so a screen can name them freely."""
