"""One verification, assembled from the checks for each format."""

from __future__ import annotations

from .ob2 import _Ob2
from .ob3 import _Ob3DataIntegrity
from .ob3_jwt import _Ob3Jwt
from .ob3_status import _Ob3Status
from .sniff import _Reading


class _Check(_Reading, _Ob3DataIntegrity, _Ob3Status, _Ob3Jwt, _Ob2):
    """One verification: the state gathered so far, and the checks for each format."""
