"""Unpacking a user's zip: Lambda's layout, and nothing lands outside its folder."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest

from medialens.runtime.user_code import (
    NOT_A_ZIP_MESSAGE,
    UnsafeArchiveError,
    archive_problem,
    layer_paths,
    unpack,
)


def _zip(entries: dict[str, bytes], *, link: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        if link is not None:
            info = zipfile.ZipInfo(link)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def test_unpack_makes_one_folder_per_content(tmp_path: Path) -> None:
    data = _zip({"app.py": b"X = 1\n", "pkg/mod.py": b"Y = 2\n"})

    first = unpack(data, tmp_path)
    again = unpack(data, tmp_path)

    assert first == again
    assert (first / "app.py").read_text() == "X = 1\n"
    assert (first / "pkg" / "mod.py").read_text() == "Y = 2\n"
    assert unpack(_zip({"app.py": b"X = 3\n"}), tmp_path) != first


@pytest.mark.parametrize("name", ["../escape.py", "/abs/escape.py", "pkg/../../escape.py"])
def test_entries_outside_the_folder_are_refused(tmp_path: Path, name: str) -> None:
    data = _zip({"app.py": b"", name: b"bad"})

    assert archive_problem(data) is not None
    with pytest.raises(UnsafeArchiveError):
        unpack(data, tmp_path / "code")
    assert not (tmp_path / "escape.py").exists()
    assert list((tmp_path / "code").iterdir()) == []  # the partial folder is gone too


def test_symbolic_links_are_refused(tmp_path: Path) -> None:
    data = _zip({"app.py": b""}, link="passwd")

    assert "symbolic link" in str(archive_problem(data))
    with pytest.raises(UnsafeArchiveError):
        unpack(data, tmp_path)


def test_not_a_zip_has_lambdas_message() -> None:
    assert archive_problem(b"plain text") == NOT_A_ZIP_MESSAGE
    assert archive_problem(_zip({"app.py": b""})) is None


def test_layer_paths_follow_the_opt_python_layout(tmp_path: Path) -> None:
    assert layer_paths(tmp_path, "python3.12") == [
        tmp_path / "python" / "lib" / "python3.12" / "site-packages",
        tmp_path / "python",
    ]
