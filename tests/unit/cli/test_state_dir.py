"""The local state folder: credentials made once and private, endpoints written and cleared."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from medialens.state import Endpoints, StateDir


def test_credentials_are_made_once_and_readable_only_by_owner(tmp_path: Path) -> None:
    state = StateDir(tmp_path / "state")
    first = state.credentials()
    second = StateDir(tmp_path / "state").credentials()
    assert first == second
    assert first.access_key_id.startswith("MLLOCAL")
    assert len(first.secret_access_key) >= 30
    mode = stat.S_IMODE((tmp_path / "state" / "credentials.json").stat().st_mode)
    assert mode == 0o600


def test_two_state_folders_get_different_secrets(tmp_path: Path) -> None:
    assert StateDir(tmp_path / "a").credentials() != StateDir(tmp_path / "b").credentials()
    assert StateDir(tmp_path / "a").cursor_signing_key() != StateDir(tmp_path / "b").cursor_signing_key()


def test_cursor_signing_key_is_stable(tmp_path: Path) -> None:
    state = StateDir(tmp_path)
    assert state.cursor_signing_key() == state.cursor_signing_key()
    assert len(state.cursor_signing_key()) == 64


def test_endpoints_round_trip_and_clear(tmp_path: Path) -> None:
    state = StateDir(tmp_path)
    assert state.read_endpoints() is None
    endpoints = Endpoints("http://127.0.0.1:1", "http://127.0.0.1:2/w", "http://127.0.0.1:2/d", "bucket")
    state.write_endpoints(endpoints)
    assert state.read_endpoints() == endpoints
    state.clear_endpoints()
    assert state.read_endpoints() is None


def test_home_variable_chooses_the_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDIALENS_HOME", str(tmp_path / "elsewhere"))
    assert StateDir().root == (tmp_path / "elsewhere").resolve()
