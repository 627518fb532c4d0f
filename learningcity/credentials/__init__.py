"""What the bytes of a badge look like: Open Badges 2.0 and 3.0 documents, keys, signatures,
status lists, baking and verification.

Pure functions over plain data: nothing here imports Django, touches the database or reads
settings. Callers (the ``badges`` app) pass keys, secrets, clocks and document fetchers in. That
keeps the standards code testable, benchmarkable and reusable on its own.
"""
