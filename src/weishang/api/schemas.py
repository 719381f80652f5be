"""Input types shared by the API's schemas. Text never carries control characters (the web forms
refuse them in InputGuardMiddleware; PostgreSQL cannot store a NUL); ids fit a bigint column."""

from typing import Annotated

from pydantic import Field, StringConstraints

from weishang.inputs import BIGINT_MAX

CONTROL_FREE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


def Text(max_length: int, *, min_length: int = 0):  # noqa: N802 - reads as a type
    return Annotated[
        str,
        StringConstraints(min_length=min_length, max_length=max_length, pattern=CONTROL_FREE),
    ]


Id = Annotated[int, Field(ge=1, le=BIGINT_MAX)]

# A key in a path: one segment, so no slash, dot, space, percent sign or control character.
PathKey = Annotated[
    str, StringConstraints(min_length=1, max_length=120, pattern=r"^[^\x00-\x20\x7f/\\.?#%]+$")
]
