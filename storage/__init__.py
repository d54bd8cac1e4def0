"""Persistence: the tables, the stores that read and write them, and their migrations.

The rules the stores keep (case lifecycle, slots, live chat limits) are value types in ``routing``;
this package only keeps them in a database (SQLite by default, PostgreSQL for scale).
"""
