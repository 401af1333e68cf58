"""Facility matching: one facility, one record (engine in ``engine/``, commands in ``management/``)."""
