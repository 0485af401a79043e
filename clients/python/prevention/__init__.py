"""prevention: the Python client of a project's ``prevention serve``.

Every write goes through the project's pipeline (lock, validate, backup, atomic commit, verify),
so Python agents share JSON files with Node agents without corrupting them or losing writes.

    from prevention import Client

    with Client() as client:
        client.bus("bmad/agents/core/shared_context.json").publish("build.requested", {"story": 12})

Agents on the old bus change one import line: ``from prevention.legacy_bus import publish, ...``.
"""

from .client import Bus, Client, CommitResult, default_source, last_seq_of
from .errors import PreventionError

__all__ = ["Bus", "Client", "CommitResult", "PreventionError", "default_source", "last_seq_of"]
__version__ = "0.1.0"
