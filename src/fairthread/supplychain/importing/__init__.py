"""Importing supplier lists (Open Supply Hub list, ODSAS template, fairthread format) from CSV or XLSX.

``import_file`` runs an import now; ``enqueue_import`` stores the upload and runs it as a background task.
"""

from fairthread.supplychain.importing.service import ImportResult, enqueue_import, import_file

__all__ = ["ImportResult", "enqueue_import", "import_file"]
