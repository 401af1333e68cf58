"""Restricted-entity screening: list loaders, the name-matching engine and the file-to-file command."""
