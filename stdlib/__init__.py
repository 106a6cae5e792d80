"""The psyc standard library: `.psy` sources (this file only makes the folder installable)."""
