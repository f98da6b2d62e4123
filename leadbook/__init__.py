"""leadbook: lead cards and daily activity reports in, call lists, funnel and cost out."""

__version__ = "0.1.0"
