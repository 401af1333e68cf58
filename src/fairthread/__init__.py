"""fairthread: modern slavery due diligence for fashion supply chains."""

__version__ = "0.1.0"
