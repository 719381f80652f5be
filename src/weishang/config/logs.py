"""Logging: every record to stderr, where the process manager collects it. In production one JSON
object per line (python-json-logger: tracebacks, extras and escaping done right, so a traceback
or a hostile value never splits or forges a line); in the demo, readable text."""

from pythonjsonlogger.core import RESERVED_ATTRS

JSON_FIELDS = "%(levelname)s %(name)s %(request_id)s %(message)s"
TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


def config(*, debug: bool, level: str) -> dict:
    """The LOGGING setting (``logging.config.dictConfig``)."""
    json_formatter = {
        "()": "pythonjsonlogger.json.JsonFormatter",
        "fmt": JSON_FIELDS,
        "timestamp": True,  # ISO 8601 in UTC, milliseconds
        "rename_fields": {"levelname": "level", "name": "logger", "exc_info": "traceback"},
        # Django passes the request object along with its records; its id is already there.
        "reserved_attrs": [*RESERVED_ATTRS, "request"],
        "json_ensure_ascii": False,
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "weishang.config.request_id.RequestIdFilter"}},
        "formatters": {"json": json_formatter, "text": {"format": TEXT_FORMAT}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "filters": ["request_id"],
                "formatter": "text" if debug else "json",
            }
        },
        "root": {"handlers": ["stderr"], "level": level},
        # Django's own handlers print only with DEBUG on and mail nobody; its records go to root.
        "loggers": {"django": {"handlers": [], "level": level, "propagate": True}},
    }
