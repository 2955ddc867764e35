"""Public hypothesis strategies and property checkers (needs the ``test`` extra)."""
