"""From what Amazon said and what is known, the ranked causes with their fixes."""
