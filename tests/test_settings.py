from __future__ import annotations

import pytest

from summarizer import ConfigError, Settings


def test_explicit_beats_environment_beats_default() -> None:
    env = {"SUMMARIZER_MODEL": "from-env", "SUMMARIZER_FUZZY_THRESHOLD": "80"}
    assert Settings.resolve(env=env).model == "from-env"
    assert Settings.resolve(env=env).fuzzy_threshold == 80.0
    assert Settings.resolve(env=env, model="explicit").model == "explicit"
    assert Settings.resolve(env={}).model is None
    assert Settings.resolve(env={}).fuzzy_threshold == Settings().fuzzy_threshold


def test_base_url_and_key_aliases_in_order() -> None:
    env = {"OPENAI_BASE_URL": "http://openai-var/v1", "OPENAI_API_KEY": "k-openai"}
    assert Settings.resolve(env=env).base_url == "http://openai-var/v1"
    env["SUMMARIZER_BASE_URL"] = "http://ours/v1"
    env["SUMMARIZER_API_KEY"] = "k-ours"
    resolved = Settings.resolve(env=env)
    assert (resolved.base_url, resolved.api_key) == ("http://ours/v1", "k-ours")


def test_settings_are_frozen_and_never_show_the_key() -> None:
    settings = Settings.resolve(env={"OPENAI_API_KEY": "sk-test-DO-NOT-PRINT-1234567890"})
    assert "DO-NOT-PRINT" not in repr(settings)
    assert "DO-NOT-PRINT" not in str(settings)
    with pytest.raises(AttributeError):
        settings.model = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"fuzzy_threshold": 120}, "fuzzy_threshold"),
        ({"min_support": -0.1}, "min_support"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"max_reask_rounds": -1}, "re-ask"),
        ({"local_n_ctx": 10}, "local_n_ctx"),
        ({"fetch_max_bytes": 0}, "fetch_max_bytes"),
        ({"fetch_timeout_s": 0}, "fetch_timeout_s"),
    ],
)
def test_impossible_values_raise_config_error(overrides: dict[str, float], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.resolve(env={}, **overrides)


def test_unknown_setting_and_unparsable_environment() -> None:
    with pytest.raises(ConfigError, match="Unknown setting"):
        Settings.resolve(env={}, colour="blue")
    with pytest.raises(ConfigError, match="SUMMARIZER_MAX_TOKENS"):
        Settings.resolve(env={"SUMMARIZER_MAX_TOKENS": "lots"})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0", False), ("false", False), ("No", False), ("off", False),
     ("1", True), ("TRUE", True), ("yes", True), (" on ", True)],
)  # fmt: skip
def test_a_yes_or_no_setting_reads_its_environment_variable(raw: str, expected: bool) -> None:
    settings = Settings.resolve(env={"SUMMARIZER_FIND_EVIDENCE": raw})
    assert settings.find_evidence is expected


def test_a_yes_or_no_setting_refuses_other_words() -> None:
    with pytest.raises(ConfigError, match="SUMMARIZER_FIND_EVIDENCE='maybe' is not true or false"):
        Settings.resolve(env={"SUMMARIZER_FIND_EVIDENCE": "maybe"})
