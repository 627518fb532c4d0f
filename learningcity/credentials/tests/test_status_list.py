from __future__ import annotations

import base64
import contextlib
import gzip
import json
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learningcity.credentials import status_list
from learningcity.credentials.tests.test_documents import KIT, kit_or_skip

# Bitstring Status List v1.0 example: 16KB of zero bits.
SPEC_EXAMPLE = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_the_minimum_length_is_16kb_of_bits() -> None:
    assert status_list.MIN_LENGTH == 131_072
    assert len(status_list.new()) == 16_384


def test_encode_is_gzip_then_multibase_base64url_without_padding() -> None:
    bits = status_list.new()
    status_list.set_bit(bits, 3)
    encoded = status_list.encode(bits)
    assert encoded.startswith("uH4sI")
    assert "=" not in encoded
    assert gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "==")) == bytes(bits)


def test_encode_is_deterministic() -> None:
    assert status_list.encode(status_list.new()) == status_list.encode(status_list.new())


def test_round_trip() -> None:
    bits = status_list.new(status_list.MIN_LENGTH * 2)
    for index in (0, 1, 7, 8, 94567, status_list.MIN_LENGTH * 2 - 1):
        status_list.set_bit(bits, index)
    assert status_list.decode(status_list.encode(bits)) == bits


def test_the_spec_example_decodes_to_an_empty_list() -> None:
    bits = status_list.decode(SPEC_EXAMPLE)
    assert len(bits) * 8 == status_list.MIN_LENGTH
    assert not any(bits)


def test_the_pre_multibase_form_is_accepted() -> None:
    assert status_list.decode(SPEC_EXAMPLE[1:]) == status_list.decode(SPEC_EXAMPLE)


def test_index_zero_is_the_left_most_bit_of_the_first_byte() -> None:
    bits = status_list.new()
    status_list.set_bit(bits, 0)
    status_list.set_bit(bits, 15)
    assert bits[0] == 0x80
    assert bits[1] == 0x01
    assert status_list.bit_is_set(bits, 0)
    assert status_list.bit_is_set(bits, 15)
    assert not status_list.bit_is_set(bits, 1)


def test_set_bit_can_clear() -> None:
    bits = status_list.new()
    status_list.set_bit(bits, 9)
    status_list.set_bit(bits, 9, False)
    assert not any(bits)


@pytest.mark.parametrize("index", [-1, status_list.MIN_LENGTH, True, "5"])
def test_indexes_outside_the_list_are_refused(index: object) -> None:
    with pytest.raises(status_list.StatusListError):
        status_list.bit_is_set(status_list.new(), index)  # type: ignore[arg-type]


def test_short_lists_are_refused_for_herd_privacy() -> None:
    with pytest.raises(status_list.StatusListError, match="131072"):
        status_list.encode(bytes(100))
    with pytest.raises(status_list.StatusListError, match="STATUS_LIST_LENGTH_ERROR"):
        status_list.decode("u" + _b64(gzip.compress(bytes(100))))
    assert len(status_list.decode("u" + _b64(gzip.compress(bytes(100))), minimum_length=0)) == 100


@pytest.mark.parametrize(
    ("encoded", "message"),
    [
        ("", "multibase"),
        ("zH4sI", "multibase"),
        ("uH4s!I", "base64url"),
        ("uH4sIé", "base64url"),
        ("u" + "A" * 5, "bad length"),
        ("u" + _b64(b"not gzip at all"), "GZIP"),
        ("u" + _b64(gzip.compress(bytes(16384))[:-10]), "truncated"),
        ("u" + _b64(gzip.compress(bytes(16384)) + b"junk"), "after the GZIP"),
    ],
)
def test_malformed_lists_say_what_is_wrong(encoded: str, message: str) -> None:
    with pytest.raises(status_list.StatusListError, match=message):
        status_list.decode(encoded)


def test_a_decompression_bomb_is_refused() -> None:
    bomb = "u" + _b64(gzip.compress(bytes(status_list.MAX_DECODED_BYTES + 1)))
    assert len(bomb) < 50_000
    with pytest.raises(status_list.StatusListError, match="refused"):
        status_list.decode(bomb)


def test_overlong_input_is_refused_before_decoding() -> None:
    with pytest.raises(status_list.StatusListError, match="too long"):
        status_list.decode("u" + "A" * (5 * 1024 * 1024))


@settings(max_examples=500)
@given(st.text(max_size=300))
def test_decoding_any_string_gives_a_list_or_a_status_list_error(encoded: str) -> None:
    with contextlib.suppress(status_list.StatusListError):
        status_list.decode(encoded)


_VALID = status_list.encode(status_list.new())


@settings(max_examples=500)
@given(st.data())
def test_decoding_a_mutated_list_gives_a_list_or_a_status_list_error(data: st.DataObject) -> None:
    encoded = list(_VALID)
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(encoded) - 1))
        action = data.draw(st.sampled_from(["replace", "delete", "insert"]))
        character = data.draw(st.characters())
        if action == "replace":
            encoded[position] = character
        elif action == "delete":
            del encoded[position]
        else:
            encoded.insert(position, character)
    with contextlib.suppress(status_list.StatusListError):
        status_list.decode("".join(encoded))


def test_digital_bazaars_status_list_library_reads_our_bits(tmp_path: Path) -> None:
    """Independent check of the bit order: @digitalbazaar/vc-bitstring-status-list (the
    library verify-ob3 uses) decodes our encodedList and sees exactly our bits."""
    kit_or_skip()
    bits = status_list.new()
    set_indexes = [0, 9, 94567, status_list.MIN_LENGTH - 1]
    for index in set_indexes:
        status_list.set_bit(bits, index)
    script = tmp_path / "read.mjs"
    script.write_text(
        """
import {createRequire} from 'node:module';
const [kit, encodedList, ...indexes] = process.argv.slice(2);
const require = createRequire(kit + '/js/loader.mjs');
const {BitstringStatusList} = await import(
  'file://' + require.resolve('@digitalbazaar/vc-bitstring-status-list'));
const list = await BitstringStatusList.decode({encodedList});
process.stdout.write(JSON.stringify({
  length: list.length, status: indexes.map(i => list.getStatus(Number(i)))}));
"""
    )
    probe = [*set_indexes, 1, 8, 94566]
    completed = subprocess.run(
        ["node", str(script), str(KIT), status_list.encode(bits), *map(str, probe)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert result["length"] == status_list.MIN_LENGTH
    assert result["status"] == [True] * len(set_indexes) + [False, False, False]
