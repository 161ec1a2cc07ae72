"""The Textual front end: screens only render; sessions do the I/O in workers; launch wires them."""
