"""The journal's framing, torn tails, group commit and segments, on a real folder."""

from __future__ import annotations

import threading
from pathlib import Path

from medialens.durability import changes as ch
from medialens.durability.journal import Journal, read_records, segment_numbers


def _write(folder: Path, *payloads: bytes) -> None:
    journal = Journal(folder)
    for payload in payloads:
        journal.sync(journal.append(payload))
    journal.close()


def test_records_come_back_in_order(tmp_path: Path) -> None:
    _write(tmp_path, b"one", b"", b"three" * 1000)
    assert list(read_records(tmp_path)) == [b"one", b"", b"three" * 1000]


def test_a_torn_last_record_is_ignored_and_cut_before_new_appends(tmp_path: Path) -> None:
    _write(tmp_path, b"first", b"second")
    segment = tmp_path / "00000001.log"
    whole = segment.read_bytes()
    segment.write_bytes(whole[:-3])  # the crash came in the middle of the last write
    assert list(read_records(tmp_path)) == [b"first"]
    _write(tmp_path, b"after the restart")
    assert list(read_records(tmp_path)) == [b"first", b"after the restart"]


def test_a_record_whose_checksum_fails_ends_the_segment(tmp_path: Path) -> None:
    _write(tmp_path, b"good", b"flipped", b"never reached")
    segment = tmp_path / "00000001.log"
    data = bytearray(segment.read_bytes())
    data[8 + 4 + 8 + 2] ^= 0xFF  # a byte inside the second payload
    segment.write_bytes(bytes(data))
    assert list(read_records(tmp_path)) == [b"good"]


def test_concurrent_appends_are_all_durable_once_synced(tmp_path: Path) -> None:
    journal = Journal(tmp_path)

    def writer(number: int) -> None:
        for index in range(50):
            journal.sync(journal.append(f"{number}:{index}".encode()))

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    journal.close()
    records = list(read_records(tmp_path))
    assert sorted(records) == sorted(f"{n}:{i}".encode() for n in range(4) for i in range(50))
    for number in range(4):  # each writer's records in its own order
        mine = [r for r in records if r.startswith(f"{number}:".encode())]
        assert mine == [f"{number}:{i}".encode() for i in range(50)]


def test_rotation_starts_a_segment_and_compaction_drops_older_ones(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.sync(journal.append(b"old"))
    new_segment = journal.rotate()
    journal.sync(journal.append(b"new"))
    assert segment_numbers(tmp_path) == [1, 2]
    assert list(read_records(tmp_path, new_segment)) == [b"new"]
    journal.drop_before(new_segment)
    journal.close()
    assert segment_numbers(tmp_path) == [2]
    assert Journal(tmp_path).segment == 2  # a restart appends to the newest segment


def test_change_records_round_trip_with_bodies_and_absences() -> None:
    changes: list[ch.Change] = [
        ch.ObjectState("bucket", "a/b.json", b'{"x": 1}', "application/json", {"owner": "me"}),
        ch.ObjectState("bucket", "gone", None),
        ch.ItemState("table", {"Id": {"S": "1"}}, {"Id": {"S": "1"}, "N": {"N": "2"}}),
        ch.ItemState("table", {"Id": {"S": "2"}}, None),
        ch.StateMachineState("arn:sm", "sm", '{"StartAt": "A"}', "arn:role"),
        ch.ObjectState("bucket", "second body", b"\x00\xff binary"),
    ]
    assert ch.decode(ch.encode(changes)) == changes
