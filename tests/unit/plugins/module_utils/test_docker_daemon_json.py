"""Table-driven tests of the pure daemon.json merge."""

from __future__ import annotations

import json
from typing import Any

import pytest
from ansible_collections.wincontainers.compat.plugins.module_utils.docker_daemon_json import (
    BOM,
    MAX_DEPTH,
    DaemonJsonError,
    json_equal,
    load_daemon_json,
    merge_daemon_json,
    merge_exec_opts,
    parse_daemon_json,
    plan_daemon_json,
    plan_result,
    render_daemon_json,
    split_exec_opt,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.redaction import MASK
from hypothesis import given
from hypothesis import strategies as st

# The Windows daemon.json sample of Microsoft's "Docker Engine on Windows" page
# (https://learn.microsoft.com/en-us/virtualization/windowscontainers/manage-docker/configure-docker-daemon),
# shortened to the keys a Windows host really carries.
WINDOWS_SAMPLE = """{
    "authorization-plugins": [],
    "dns": [],
    "dns-opts": [],
    "dns-search": [],
    "exec-opts": [],
    "storage-driver": "",
    "storage-opts": [],
    "labels": [],
    "log-driver": "",
    "mtu": 0,
    "pidfile": "",
    "data-root": "",
    "cluster-store": "",
    "cluster-advertise": "",
    "debug": true,
    "hosts": [],
    "log-level": "",
    "tlsverify": true,
    "tlscacert": "",
    "tlscert": "",
    "tlskey": "",
    "group": "",
    "default-ulimits": {},
    "bridge": "",
    "fixed-cidr": "",
    "raw-logs": false,
    "registry-mirrors": [],
    "insecure-registries": [],
    "disable-legacy-registry": false
}
"""


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("isolation=hyperv", ("isolation", "hyperv")),
        ("Isolation = Process", ("isolation", "Process")),
        ("native.cgroupdriver=systemd", ("native.cgroupdriver", "systemd")),
        ("a=b=c", ("a", "b=c")),
        ("noequals", None),
        (42, None),
    ],
)
def test_split_exec_opt_reads_entries_as_dockerd_does(entry: object, expected: Any) -> None:
    assert split_exec_opt(entry) == expected


@pytest.mark.parametrize(
    ("current", "wanted", "expected"),
    [
        (None, {"isolation": "hyperv"}, ["isolation=hyperv"]),
        (["isolation=process"], {"isolation": "hyperv"}, ["isolation=hyperv"]),
        (
            ["native.cgroupdriver=systemd", "isolation=process", "x=1"],
            {"isolation": "hyperv"},
            ["native.cgroupdriver=systemd", "isolation=hyperv", "x=1"],
        ),
        # Same value, other spelling: the entry is kept as written (no needless rewrite).
        (["Isolation = hyperv"], {"isolation": "hyperv"}, ["Isolation = hyperv"]),
        # Duplicates of the managed name collapse to the first position.
        (["isolation=process", "a=b", "ISOLATION=hyperv"], {"isolation": "hyperv"}, ["isolation=hyperv", "a=b"]),
        (["isolation=process", "a=b"], {"isolation": None}, ["a=b"]),
        (["a=b"], {"isolation": None}, ["a=b"]),
        (None, {"isolation": "HyperV"}, ["isolation=HyperV"]),
        (["isolation=hyperv"], {"isolation": "default"}, ["isolation=default"]),
        (["garbage", "isolation=process"], {"isolation": "hyperv"}, ["garbage", "isolation=hyperv"]),
    ],
)
def test_merge_exec_opts_by_option_name(current: Any, wanted: dict[str, Any], expected: list[str]) -> None:
    assert merge_exec_opts(current, wanted) == expected


@pytest.mark.parametrize(
    ("current", "wanted", "match"),
    [
        ("isolation=hyperv", {"isolation": "hyperv"}, "must be a list"),
        ([], {"bad=name": "x"}, "without '='"),
        ([], {"": "x"}, "non-empty"),
        ([], {"isolation": ["hyperv"]}, r"exec_opts.isolation must be a string"),
        ([], {"isolation": True}, r"exec_opts.isolation must be a string"),
        ([], {"isolation": "bogus"}, r"exec_opts.isolation must be one of process, hyperv, default .*got 'bogus'"),
        ([], {"Isolation": "hyper-v"}, r"exec_opts.Isolation must be one of process, hyperv, default"),
        ([], {"native.cgroupdriver": "system"}, r"exec_opts.native.cgroupdriver must be one of cgroupfs, systemd"),
    ],
)
def test_merge_exec_opts_rejects_what_dockerd_cannot_read(current: Any, wanted: dict[str, Any], match: str) -> None:
    with pytest.raises(DaemonJsonError, match=match):
        merge_exec_opts(current, wanted)


def test_merge_keeps_foreign_keys_and_their_order() -> None:
    current = json.loads(WINDOWS_SAMPLE)
    merged = merge_daemon_json(current, {"debug": False, "mtu": 1400}, {"isolation": "hyperv"}, ["dns"])
    assert list(merged) == [key for key in current if key != "dns"]
    assert merged["exec-opts"] == ["isolation=hyperv"]
    assert merged["debug"] is False
    assert merged["mtu"] == 1400
    for key in set(current) - {"exec-opts", "debug", "mtu", "dns"}:
        assert merged[key] == current[key]
    assert current["exec-opts"] == [], "the input must not be modified"


def test_merge_appends_new_keys_and_removes_only_named_ones() -> None:
    merged = merge_daemon_json({"b": 1, "a": 2}, {"c": {"nested": [1]}}, remove=["a", "zz"])
    assert list(merged.items()) == [("b", 1), ("c", {"nested": [1]})]


def test_merge_refuses_exec_opts_in_settings_and_set_remove_clashes() -> None:
    with pytest.raises(DaemonJsonError, match="use exec_opts"):
        merge_daemon_json({}, {"exec-opts": ["isolation=hyperv"]})
    with pytest.raises(DaemonJsonError, match="both set and removed: debug"):
        merge_daemon_json({}, {"debug": True}, remove=["debug"])


def test_removing_an_absent_exec_opt_does_not_create_the_key() -> None:
    assert merge_daemon_json({"debug": True}, exec_opts={"isolation": None}) == {"debug": True}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, None),
        ("", {}),
        ("  \n", {}),
        ('{"debug": true}', {"debug": True}),
        (BOM + '{"debug": true}', {"debug": True}),
    ],
)
def test_parse_daemon_json(text: Any, expected: Any) -> None:
    assert parse_daemon_json(text) == expected


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('{"debug": true,}', r"C:\\d\.json is not valid JSON: .* at line 1 column 15"),
        ('{\n  "a": 1\n  "b": 2\n}', r"line 3 column 3"),
        ('["isolation=hyperv"]', r"holds a JSON list, expected a JSON object"),
    ],
)
def test_parse_daemon_json_names_the_file_and_the_position(text: str, match: str) -> None:
    with pytest.raises(DaemonJsonError, match=match):
        parse_daemon_json(text, "C:\\d.json")


def test_plan_no_change_keeps_the_text_byte_for_byte() -> None:
    text = '{"exec-opts":["isolation=hyperv"],   "debug":true}'
    plan = plan_daemon_json(text, "/d.json", {"debug": True}, {"isolation": "hyperv"})
    assert not plan.changed
    assert plan.after_text == text


def test_plan_change_renders_json_and_diff() -> None:
    plan = plan_daemon_json(
        '{"exec-opts": ["isolation=process"], "debug": true}', "/d.json", exec_opts={"isolation": "hyperv"}
    )
    assert plan.changed
    assert json.loads(plan.after_text) == {"exec-opts": ["isolation=hyperv"], "debug": True}
    result = plan_result(plan, "/d.json", diff=True)
    assert result["diff"]["before"] != result["diff"]["after"]
    assert json.loads(result["diff"]["after"]) == result["config"]
    assert result["previous_config"] == {"exec-opts": ["isolation=process"], "debug": True}
    assert "diff" not in plan_result(plan, "/d.json", diff=False)


@pytest.mark.parametrize(
    ("text", "settings", "changed"),
    [
        (None, {}, False),  # nothing asked, nothing to create
        (None, {"debug": True}, True),
        ("", {"debug": True}, True),
        ("{}", {}, False),
    ],
)
def test_plan_absent_and_empty_files(text: Any, settings: dict[str, Any], changed: bool) -> None:
    assert plan_daemon_json(text, "/d.json", settings).changed is changed


def test_plan_warns_about_a_byte_order_mark() -> None:
    plan = plan_daemon_json(BOM + '{"debug": true}', "/d.json", {"debug": False})
    assert plan.warnings and "byte order mark" in plan.warnings[0]
    assert not plan.after_text.startswith(BOM)
    assert not plan.before_text.startswith(BOM)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
option_names = st.sampled_from(["isolation", "native.cgroupdriver", "other"])


@given(
    current=st.dictionaries(
        st.text(min_size=1, max_size=8).filter(lambda k: k != "exec-opts"), json_values, max_size=6
    ),
    opts=st.lists(st.tuples(option_names, st.sampled_from(["hyperv", "process", "x"])), max_size=4),
    settings=st.dictionaries(st.sampled_from(["debug", "mtu", "new"]), json_values, max_size=2),
    wanted=st.lists(
        st.sampled_from(
            [
                ("isolation", "hyperv"),
                ("isolation", "process"),
                ("isolation", None),
                ("native.cgroupdriver", "systemd"),
                ("native.cgroupdriver", None),
                ("other", "x"),
                ("other", None),
            ]
        ),
        max_size=3,
    ).map(dict),
)
def test_merge_properties(
    current: dict[str, Any], opts: list[tuple[str, str]], settings: dict[str, Any], wanted: dict[str, Any]
) -> None:
    current = {**current, "exec-opts": [f"{n}={v}" for n, v in opts]}
    merged = merge_daemon_json(current, settings, wanted)
    # foreign keys untouched
    for key, value in current.items():
        if key not in settings and key != "exec-opts":
            assert merged[key] == value
    # foreign exec-opts untouched, managed ones exactly as wanted
    managed = {name.lower() for name in wanted}
    kept = [e for e in current["exec-opts"] if e.split("=", 1)[0] not in managed]
    assert [e for e in merged["exec-opts"] if e.split("=", 1)[0] not in managed] == kept
    for name, value in wanted.items():
        values = [e.split("=", 1)[1] for e in merged["exec-opts"] if e.split("=", 1)[0] == name]
        assert values == ([] if value is None else [value])
    # idempotent, and the rendered text reads back as the same object
    assert merge_daemon_json(merged, settings, wanted) == merged
    assert parse_daemon_json(render_daemon_json(merged)) == merged


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('{"a": NaN}', r"holds 'NaN' at /a, a number dockerd cannot read"),
        ('{"a": {"b": [1, Infinity]}}', r"holds 'Infinity' at /a/b/1"),
        ('{"a": -Infinity}', r"holds '-Infinity' at /a"),
        ('{"log-opts": {"max-size": 1e400}}', r"holds '1e400' at /log-opts/max-size"),
        ('{"x/y~z": -1E+999}', r"at /x~1y~0z"),
        ('{"big": 1%s}' % ("0" * 5000), r"holds '10000000000000000000\.\.\. at /big"),
        ("[" * 100000 + "]" * 100000, r"nested too deeply"),
        ('{"a": ' + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "}", rf"nested deeper than {MAX_DEPTH} levels"),
    ],
)
def test_numbers_and_depths_dockerd_cannot_read_are_refused_by_key_path(text: str, match: str) -> None:
    with pytest.raises(DaemonJsonError, match=match):
        plan_daemon_json(text, "/etc/docker/daemon.json", {"debug": True})


def test_large_but_finite_numbers_are_kept_exactly() -> None:
    text = '{"a": 1.7976931348623157e308, "b": %s, "c": 0.1}' % ("9" * 300)
    plan = plan_daemon_json(text, "/d.json", {"debug": True})
    assert json.loads(plan.after_text) == {"a": 1.7976931348623157e308, "b": int("9" * 300), "c": 0.1, "debug": True}


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), {"deep": [float("-inf")]}])
def test_settings_that_are_not_json_are_refused_by_key_path(bad: Any) -> None:
    with pytest.raises(DaemonJsonError, match=r"settings holds '(nan|inf|-inf)' at /x"):
        merge_daemon_json({}, {"x": bad})


@pytest.mark.parametrize(
    ("left", "right", "equal"),
    [
        (True, 1, False),
        (False, 0, False),
        (1, 1.0, False),
        (1, 1, True),
        (1.5, 1.5, True),
        (None, False, False),
        ("1", 1, False),
        ([1, True], [1, True], True),
        ([1, True], [1, 1], False),
        ([1], (1,), True),
        ({"a": 1, "b": [True]}, {"b": [True], "a": 1}, True),
        ({"a": 1}, {"a": True}, False),
        ({"a": 1}, {"a": 1, "b": None}, False),
        ([1, 2], [1], False),
    ],
)
def test_json_equal_compares_types(left: Any, right: Any, equal: bool) -> None:
    assert json_equal(left, right) is equal
    assert json_equal(left=right, right=left) is equal  # symmetric


def test_a_setting_of_another_json_type_is_a_change() -> None:
    assert plan_daemon_json('{"debug": 1}', "/d.json", {"debug": True}).changed
    assert plan_daemon_json('{"mtu": 1400.0}', "/d.json", {"mtu": 1400}).changed
    assert not plan_daemon_json('{"debug": true}', "/d.json", {"debug": True}).changed


def test_duplicate_keys_warn_with_their_path_and_the_last_value_wins() -> None:
    text = '{"a": 1, "o": {"k": [{"x": 1, "x": 2}], "k2": 0}, "a": 2, "a": 3}'
    config, warnings = load_daemon_json(text, "/d.json")
    assert config == {"a": 3, "o": {"k": [{"x": 2}], "k2": 0}}
    assert list(config) == ["a", "o"]
    assert warnings == [
        "/d.json: key 'a' appears more than once in the object at /; dockerd uses its last value, "
        "so does this module, and a rewrite keeps only that one",
        "/d.json: key 'x' appears more than once in the object at /o/k/0; dockerd uses its last value, "
        "so does this module, and a rewrite keeps only that one",
    ]
    assert plan_daemon_json(text, "/d.json").warnings == warnings


def test_a_duplicate_object_overwritten_by_a_later_value_is_not_misattributed() -> None:
    _config, warnings = load_daemon_json('{"a": {"x": 1, "x": 2}, "a": [{}], "b": {"y": 1}}')
    assert [w.split(" appears")[0] for w in warnings] == ["daemon.json: key 'a'"]


SECRET_TEXT = """{
  "registry-mirrors": ["https://ci:s3cret@mirror.example.com", "https://T0KEN@m2.example.com"],
  "proxies": {"http-proxy": "http://:pw-s3cret@proxy:3128", "https-proxy": "u:pw2-s3cret@proxy:3128"},
  "exec-opts": ["isolation=process"]
}
"""


@pytest.mark.parametrize("diff", [True, False])
def test_results_and_diffs_never_show_secrets_but_the_write_keeps_them(diff: bool) -> None:
    plan = plan_daemon_json(SECRET_TEXT, "/d.json", exec_opts={"isolation": "hyperv"})
    result = plan_result(plan, "/d.json", diff=diff)
    shown = json.dumps(result)
    for secret in ("s3cret", "T0KEN", "pw-s3cret", "pw2-s3cret"):
        assert secret not in shown
    assert result["config"]["registry-mirrors"] == [
        f"https://ci:{MASK}@mirror.example.com",
        f"https://{MASK}@m2.example.com",
    ]
    assert result["previous_config"]["proxies"]["https-proxy"] == f"u:{MASK}@proxy:3128"
    assert json.loads(plan.after_text)["registry-mirrors"][0] == "https://ci:s3cret@mirror.example.com"
    if diff:
        assert json.loads(result["diff"]["after"])["exec-opts"] == ["isolation=hyperv"]
        assert json.loads(result["diff"]["before"])["exec-opts"] == ["isolation=process"]


@pytest.mark.parametrize(
    "text",
    [
        '{"registry-mirrors": ["https:\\/\\/ci:s3cret@mirror"]}',  # JSON's escaped slashes
        '{"registry-mirrors": ["https://ci:s3cret@mirror"], "registry-mirrors": []}',  # a shadowed duplicate
        '{"registry-mirrors": ["https://ci:s3\\u0063ret@mirror"]}',
    ],
)
def test_the_diff_hides_secrets_the_raw_text_spells_differently(text: str) -> None:
    for settings in ({}, {"debug": True}):
        result = plan_result(plan_daemon_json(text, "/d.json", settings), "/d.json", diff=True)
        assert "s3cret" not in result["diff"]["before"] and "s3cret" not in result["diff"]["after"]


def test_the_diff_shows_the_file_as_written_when_it_holds_no_secret() -> None:
    text = '{\n    "debug": true\n}\n'
    result = plan_result(plan_daemon_json(text, "/d.json", {"debug": False}), "/d.json", diff=True)
    assert result["diff"]["before"] == text
    assert result["diff"]["after"] == '{\n  "debug": false\n}\n'


any_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=10,
)


def _strict_json(text: str) -> Any:
    def refuse(token: str) -> Any:
        raise AssertionError(f"rendered {token}, which is not JSON")

    return json.loads(text, parse_constant=refuse)


@given(current=st.dictionaries(st.text(max_size=5), any_json_values, max_size=4), settings=any_json_values)
def test_what_is_written_is_always_json_and_rereads_as_the_same_typed_content(current: Any, settings: Any) -> None:
    """Whatever the file and the settings hold, a plan either refuses clearly or renders strict JSON."""
    text = json.dumps(current)  # Python writes NaN and Infinity here, as a careless tool would
    settings = {"s": settings}
    try:
        plan = plan_daemon_json(text, "/d.json", settings)
    except DaemonJsonError as exc:
        assert "/d.json holds" in str(exc) or "settings holds" in str(exc)
        return
    assert json_equal(_strict_json(plan.after_text), plan.after)
    assert json_equal(plan.after["s"], settings["s"])
    assert not plan_daemon_json(plan.after_text, "/d.json", settings).changed
