"""The ``--insecure-storage`` file's refusals carry their kind and a way out, the writability
check asks about the directory that will hold the file, the file stays hand-editable, and
``keys`` lists what is in it (issue 14: each was unheld by any test)."""

from __future__ import annotations

import json

import pytest

from oauth_wizard.keep import file_secrets
from oauth_wizard.keep.file_secrets import FileSecretStore
from oauth_wizard.keep.secrets import FILE_FORMAT_VERSION, SecretStoreError

A = "oauth-wizard:shop:refresh:NA:A1"
B = "oauth-wizard:shop:client_secret"
TOKEN = "Atzr|IwEBIfileSecretsHeld0123456789abcdef"
SECRET = "amzn1.oa2-cs.v1." + "cd" * 32


def quiet(path) -> FileSecretStore:
    return FileSecretStore(path, lambda _m: None)


@pytest.mark.parametrize("nested", [False, True])
async def test_the_writability_check_asks_about_the_nearest_directory_that_exists(
        tmp_path, monkeypatch, nested):
    asked: list[str] = []

    def no(path, _mode):
        asked.append(str(path))
        return False
    monkeypatch.setattr(file_secrets.os, "access", no)
    target = (tmp_path / "new" / "dir" / "s.json") if nested else (tmp_path / "s.json")
    with pytest.raises(SecretStoreError) as info:
        await quiet(target).check(write=True)
    assert asked == [str(tmp_path)]
    err = info.value
    assert err.kind == "file_error" and err.options and "--config-dir" in err.fix


async def test_an_unreadable_file_is_a_file_error_with_a_way_out(tmp_path, monkeypatch):
    store = quiet(tmp_path / "s.json")
    await store.set(A, TOKEN)

    def refuse(_self):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(type(store.path), "read_bytes", refuse)
    with pytest.raises(SecretStoreError) as info:
        await store.get(A)
    assert info.value.kind == "file_error" and info.value.options
    assert str(store.path) in str(info.value)


@pytest.mark.parametrize(("content", "says"), [
    (b'{\n  "format_version": 1,\n  "secrets": {\n', "line 4"),
    (b"\xff\xfe not text", "not UTF-8"),
    (b'{"format_version": 9, "secrets": {}}', "format_version"),
    (b'{"format_version": 1, "secrets": {"k": 5}}', "secrets"),
])
async def test_a_damaged_file_is_corrupt_named_where_and_left_untouched(tmp_path, content, says):
    path = tmp_path / "s.json"
    path.write_bytes(content)
    path.chmod(0o600)
    with pytest.raises(SecretStoreError) as info:
        await quiet(path).get(A)
    err = info.value
    assert err.kind == "file_corrupt" and err.options and says in str(err)
    with pytest.raises(SecretStoreError):
        await quiet(path).set(A, TOKEN)
    assert path.read_bytes() == content


async def test_the_file_is_indented_sorted_json_a_person_can_edit(tmp_path):
    store = quiet(tmp_path / "s.json")
    await store.set(A, TOKEN)  # A sorts after B: written in the order they came, it would not
    await store.set(B, SECRET)
    expected = {"format_version": FILE_FORMAT_VERSION, "secrets": {A: TOKEN, B: SECRET}}
    assert store.path.read_text("utf-8") == json.dumps(expected, indent=2, sort_keys=True) + "\n"


async def test_keys_lists_every_entry_sorted_and_says_it_read_the_file(tmp_path):
    said: list[str] = []
    store = FileSecretStore(tmp_path / "s.json", said.append)
    assert await store.keys() == [] and not said  # no file: nothing read, nothing said
    await store.set(A, TOKEN)
    await store.set(B, SECRET)
    said.clear()
    assert await store.keys() == sorted([A, B])
    assert len(said) == 1 and str(store.path) in said[0]
    assert TOKEN not in said[0] and SECRET not in said[0]


async def test_keys_are_sorted_even_from_a_hand_edited_file(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"format_version": FILE_FORMAT_VERSION,
                                "secrets": {A: TOKEN, B: SECRET}}))  # A before B: unsorted
    path.chmod(0o600)
    assert await quiet(path).keys() == [B, A]
