"""The knowledge base (data/causes.toml): complete against the contract, consistent with what
other modules emit, and a broken file is refused with a message naming the entry."""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path

import pytest
import tomli_w
from doctor_kit import REFERENCE

from oauth_wizard.doctor import knowledge
from oauth_wizard.doctor.facts import VOCABULARY
from oauth_wizard.doctor.knowledge import KnowledgeError

PACKAGE = Path(__file__).resolve().parents[2] / "oauth_wizard"
RAW = resources.files("oauth_wizard").joinpath("data/causes.toml").read_text("utf-8")


def contract_ids() -> set[str]:
    text = (REFERENCE / "diagnosis.md").read_text("utf-8")
    section = text.split("## Cause ids")[1].split("## Facts vocabulary")[0]
    return set(re.findall(r"^\| `([a-z0-9_]+)` \|", section, re.M))


def test_every_contract_id_has_an_entry() -> None:
    ids = contract_ids()
    assert len(ids) == 46
    assert ids <= set(knowledge.load().causes)
    assert ids == set(knowledge.CONTRACT_IDS)


def test_every_cause_id_another_module_emits_is_known() -> None:
    kb = knowledge.load()
    emitted: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text("utf-8")
        emitted |= set(re.findall(r"\bcause(?:_id)?\s?=\s?\"([a-z_]+)\"", text))
        emitted |= set(re.findall(r"\bmake\(\"([a-z_]+)\"", text))
        # FlowError(message, fix, cause) and subclasses, possibly over several lines
        emitted |= set(re.findall(r"(?:FlowError|CommandError|__init__)\((?:[^()]|\([^()]*\))"
                                  r"{0,300}?, \"([a-z]+_[a-z_]+)\"\)", text))
        for group in re.findall(r"candidates=\(([^)]*)\)", text):
            emitted |= set(re.findall(r"\"([a-z_]+)\"", group))
    assert {"secret_store", "consent_denied", "spapi_endpoint_wrong"} <= emitted
    assert emitted - set(kb.causes) == set()


def test_every_entry_is_complete() -> None:
    kb = knowledge.load()
    for cause in kb.causes.values():
        assert cause.title and cause.explanation and cause.fix and cause.source, cause.id
        assert any("`oauth-wizard " in step for step in cause.fix), cause.id
        assert cause.signals or cause.facts, cause.id
    # Every pattern is used by a cause or a stage rule, so none is dead weight.
    used = {r.signal for c in kb.causes.values() for r in c.signals} | set(kb.signal_stages)
    for name, _ in kb.patterns:
        assert f"text:{name}" in used, name


def test_retired_mechanisms_carry_their_date_and_modern_fix() -> None:
    kb = knowledge.load()
    dates = {cid: c.retired.date for cid, c in kb.causes.items() if c.retired}
    assert dates == {"sigv4_missing_aws_credentials": "2023-10-02",
                     "sigv4_region_mismatch": "2023-10-02",
                     "sigv4_security_token_invalid": "2023-10-02",
                     "sigv4_signature_invalid": "2023-10-02",
                     "sigv4_signature_expired": "2023-10-02",
                     "iam_arn_mismatch": "2023-10-02", "mws_retired": "2024-03-31",
                     "authorization_api_retired": "2024-03-27"}
    assert all(kb.causes[c].retired.modern_fix for c in dates)


@pytest.mark.parametrize("cause", ["oauth_uris_missing", "not_primary_user",
                                   "marketplace_not_in_app", "token_request_malformed",
                                   "grantless_scope_not_allowed", "wrong_region_endpoint",
                                   "spapi_endpoint_wrong", "business_entity_unsupported",
                                   "user_lacks_permission", "client_secret_invalid_or_expired"])
def test_uncertain_reference_facts_are_marked_for_the_user(cause: str) -> None:
    assert "uncertain" in knowledge.load().causes[cause].explanation


def test_questions_ask_about_vocabulary_facts_with_valid_choices() -> None:
    kb = knowledge.load()
    for fact, question in kb.questions.items():
        assert fact in VOCABULARY and question.ask.endswith(("?", "."))
        assert question.choices or question.reveals, fact
    asked = {q for c in kb.causes.values() for q in c.questions}
    assert asked <= set(kb.questions)


def test_the_default_file_is_loaded_once() -> None:
    assert knowledge.load() is knowledge.load()


def _broken(change) -> str:
    data = tomllib.loads(RAW)
    change(data)
    return tomli_w.dumps(data)


def _set(path: list, value):
    def change(data: dict) -> None:
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return change


@pytest.mark.parametrize(("change", "names"), [
    (lambda d: d["causes"].pop("marketplace_not_in_app"), "marketplace_not_in_app"),
    (_set(["causes", "beta_missing_for_draft", "facts", 0, "when"], ["app_stat=draft"]),
     "app_stat"),
    (_set(["causes", "beta_missing_for_draft", "facts", 0, "when"], "app_state=drafty"),
     "drafty"),
    (_set(["causes", "throttled", "signals", 0, "signal"], "http:4290"), "http:4290"),
    (_set(["causes", "throttled", "signals", 0, "signal"], "text:no_such_pattern"),
     "no_such_pattern"),
    (_set(["causes", "throttled", "signals", 0, "weight"], "high"), "weight"),
    (_set(["patterns", "fragment"], "(a+)+b"), "patterns.fragment"),
    (_set(["patterns", "fragment"], "(unclosed"), "does not compile"),
    (_set(["causes", "mws_retired", "retired", "date"], "March 2024"), "retired.date"),
    (_set(["causes", "throttled", "colour"], "red"), "colour"),
    (_set(["causes", "throttled", "fix"], ["Back off and retry."]), "oauth-wizard"),
    (_set(["causes", "throttled", "source"], "a blog"), "source"),
    (_set(["causes", "throttled", "questions"], ["favourite_colour"]), "favourite_colour"),
    (_set(["questions", "hybrid", "choices"], ["perhaps"]), "perhaps"),
    (_set(["causes", "throttled", "via"], ["browser"]), "via"),
    (_set(["signal_stages", "lwa:*"], ["browser"]), "signal_stages"),
])
def test_a_broken_entry_is_refused_by_name(change, names: str) -> None:
    with pytest.raises(KnowledgeError) as info:
        knowledge.parse(_broken(change))
    assert names in str(info.value) and str(info.value).startswith("causes.toml")


def test_broken_toml_and_missing_file() -> None:
    with pytest.raises(KnowledgeError, match="not valid TOML"):
        knowledge.parse(RAW + "\n[causes.throttled\n")
    with pytest.raises(KnowledgeError, match="cannot read"):
        knowledge.load("/nonexistent/causes.toml")


def test_a_valid_copy_loads_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "causes.toml"
    path.write_text(RAW, "utf-8")
    assert set(knowledge.load(path).causes) == set(knowledge.load().causes)


def test_the_shipped_compiled_json_matches_the_toml_so_the_fast_start_is_real():
    """diagnose reads causes.compiled.json instead of parsing the TOML; a stale file would
    quietly cost the start-up it exists to save."""
    from oauth_wizard.doctor import knowledge_compiled

    found = knowledge_compiled.compiled_data(RAW)
    assert found is not None, (
        f"data/causes.compiled.json is stale: run {knowledge_compiled.REGENERATE}")
    compiled, needles = found
    assert compiled == tomllib.loads(RAW)
    assert list(compiled["causes"]) == list(tomllib.loads(RAW)["causes"])  # order breaks ties
    assert needles and set(needles) <= set(compiled["patterns"])


def test_a_stale_compiled_json_is_ignored_and_the_toml_decides():
    from oauth_wizard.doctor import knowledge_compiled

    edited = RAW.replace("[causes.", "# edited\n[causes.", 1)
    assert knowledge_compiled.compiled_data(edited) is None
    assert knowledge.parse(edited).causes.keys() == knowledge.load().causes.keys()
