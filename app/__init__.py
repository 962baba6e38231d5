"""warroom: a terminal dashboard for the person running a production incident."""

__version__ = "0.1.0"
