"""Where the local runtime keeps its state between commands.

The state folder (default `.medialens/` in the working directory, or `$MEDIALENS_HOME`) holds:
- `credentials.json`  the access key pair the local API accepts (made at first start, mode 0600)
- `endpoints.json`    the URLs of the running platform, written by `medialens up`
- `platform.pid`      the pid of the running `medialens up`
- `snapshot/`         the S3 objects and DynamoDB items saved when the platform stops
- `library.json`      the operator library's definitions registered at the last start
- `journal/`          every confirmed write since that snapshot (see `medialens.durability`)
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path

from medialens_helper.settings import DEFAULT_REGION

HOME_ENV = "MEDIALENS_HOME"


@dataclass(frozen=True)
class LocalCredentials:
    access_key_id: str
    secret_access_key: str
    region: str = DEFAULT_REGION


@dataclass(frozen=True)
class Endpoints:
    moto_url: str
    workflow_api: str
    dataplane_api: str
    dataplane_bucket: str
    inspect_url: str = ""  # the local Discover and asset pages ("" when they are not served)
    engines: dict[str, str] = field(default_factory=dict)  # hosted engine name -> its base URL


class StateDir:
    """A folder of local-runtime state; every path the runtime writes is below it."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = (root or Path(os.environ.get(HOME_ENV, ".medialens"))).resolve()

    @property
    def snapshot_dir(self) -> Path:
        return self.root / "snapshot"

    @property
    def journal_dir(self) -> Path:
        return self.root / "journal"

    @property
    def dynamodb_journal_dir(self) -> Path:
        """The journal of the DynamoDB process (`runtime/service_process.py`)."""
        return self.root / "journal-dynamodb"

    @property
    def pid_file(self) -> Path:
        return self.root / "platform.pid"

    @property
    def log_file(self) -> Path:
        return self.root / "platform.log"

    @property
    def library_record(self) -> Path:
        """What the operator library registered at the last start (`medialens.library_registration`)."""
        return self.root / "library.json"

    @property
    def search_index(self) -> Path:
        """The local search index the consumer fills from the dataplane stream (SQLite FTS5)."""
        return self.root / "search.sqlite3"

    def ensure(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)

    def credentials(self) -> LocalCredentials:
        """The local key pair, made once with a cryptographic random source."""
        path = self.root / "credentials.json"
        if path.exists():
            return LocalCredentials(**json.loads(path.read_text()))
        self.ensure()
        creds = LocalCredentials(
            access_key_id="MLLOCAL" + secrets.token_hex(6).upper(),
            secret_access_key=secrets.token_urlsafe(30),
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(asdict(creds), handle)
        return creds

    def cursor_signing_key(self) -> str:
        """The dataplane's cursor-signing key, kept with the state it protects."""
        path = self.root / "cursor-signing.key"
        if not path.exists():
            self.ensure()
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
        return path.read_text().strip()

    def write_endpoints(self, endpoints: Endpoints) -> None:
        self.ensure()
        (self.root / "endpoints.json").write_text(json.dumps(asdict(endpoints), indent=2))

    def read_endpoints(self) -> Endpoints | None:
        path = self.root / "endpoints.json"
        if not path.exists():
            return None
        return Endpoints(**json.loads(path.read_text()))

    def clear_endpoints(self) -> None:
        (self.root / "endpoints.json").unlink(missing_ok=True)
        self.pid_file.unlink(missing_ok=True)
