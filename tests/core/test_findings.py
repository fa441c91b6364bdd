"""The findings registry and how a finding prints: codes, severities, safe text, paths."""

from __future__ import annotations

import pickle
import re

import pytest
from pydantic import ValidationError

from gpudc.core.errors import SCHEMA, SpecError, format_path, issues_from_validation_error
from gpudc.core.findings import CHECKS, CODE_PATTERN, MISSING, Severity, printable, register, show_value
from gpudc.environment.load import parse_environment
from gpudc.environment.plan import plan_environment  # noqa: F401 - registers the environment's checks


def test_every_registered_check_has_a_well_formed_unique_code_and_a_title() -> None:
    assert len(CHECKS) >= 25
    for code, check in CHECKS.items():
        assert re.match(CODE_PATTERN, code)
        assert check.code == code
        assert check.title and check.title[0].isupper()
        assert isinstance(check.severity, Severity)


def test_a_code_cannot_be_registered_twice() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        register("GPUDC-SPEC-001", Severity.ERROR, "Again")
    with pytest.raises(ValueError, match="must look like"):
        register("POWER-1", Severity.ERROR, "Bad code")


def test_a_finding_prints_path_message_value_and_fix() -> None:
    finding = SCHEMA.finding("sites[0].pue", "must be <= 3", fix="use the annual PUE", value=30)
    assert str(finding) == "sites[0].pue: must be <= 3, got 30; use the annual PUE"
    assert finding.as_json() == {
        "code": "GPUDC-SPEC-001",
        "severity": "error",
        "path": "sites[0].pue",
        "message": "must be <= 3",
        "fix": "use the annual PUE",
        "value": "30",
    }


def test_ansi_escapes_never_reach_the_terminal() -> None:
    # A hostile key could fake a green "ok" line in a CI log.
    finding = SCHEMA.finding("sites[0].\x1b[32mOK", "is not a known field", value="\x1b[2K\u202eevil")
    text = str(finding)
    assert "\x1b" not in text and "\u202e" not in text
    assert "\\x1b[32mOK" in text
    assert printable("a\u2028b") == "a\\u2028b"


def test_long_values_are_cut_and_huge_integers_summarised() -> None:
    assert len(show_value("x" * 4_000_000)) < 100
    assert show_value(10**5000) == "a whole number of about 5001 digits"
    assert len(printable("y" * 10_000)) < 300


def test_mapping_keys_are_never_shown_as_list_indices() -> None:
    data = {"labels": {"gpudc.io/x": "a"}, "rows": [{"name": "a"}]}
    assert format_path(["labels", "gpudc.io/x"], data) == "labels['gpudc.io/x']"
    assert format_path(["rows", 0, "name"], data) == "rows[0].name"


def test_a_discriminator_value_is_not_a_path_segment() -> None:
    raw = {"type": "context", "context": "x", "foo": 1}
    from gpudc.cluster.spec import ClusterSpec

    with pytest.raises(ValidationError) as caught:
        ClusterSpec.model_validate(
            {
                "name": "a",
                "kubernetes": raw,
                "gpu_operator": {"chart_version": "v26.7.0", "driver": {"mode": "operator"}},
            }
        )
    paths = [f.path for f in issues_from_validation_error(caught.value, {"kubernetes": raw})]
    assert paths == ["kubernetes.foo"]


def test_a_kubeconfig_pasted_into_config_key_is_not_echoed() -> None:
    kubeconfig = "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: SECRETSECRET\n" * 3
    site = {
        "name": "a",
        "location": {"city": "X", "country": "US"},
        "region": "r",
        "zone": "z",
        "pue": 1.2,
        "wue_l_per_kwh": 0,
        "grid_carbon_g_per_kwh": 0,
        "utilisation": 0.5,
        "kubernetes": {"type": "kubeconfig-secret", "config_key": kubeconfig},
        "gpu_operator": {"chart_version": "v26.7.0", "driver": {"mode": "operator"}},
    }
    with pytest.raises(SpecError) as caught:
        parse_environment({"sites": [site]})
    text = str(caught.value)
    assert "SECRETSECRET" not in text and "apiVersion" not in text
    assert "a text of 243 characters on 13 lines" in text
    assert "sites[0].kubernetes.config_key" in text


def test_fullwidth_digits_are_not_digits() -> None:
    from gpudc.gpu_operator.spec import DriverSpec

    with pytest.raises(ValidationError):
        DriverSpec.model_validate(
            {"mode": "host", "version": "\uff15\uff18\uff10.\uff19\uff15.\uff10\uff15"}
        )  # fullwidth 580.95.05
    assert DriverSpec.model_validate({"mode": "host", "version": "580.95.05"}).version == "580.95.05"


def test_a_misspelt_key_is_one_finding_with_the_key_it_meant() -> None:
    from gpudc.site.spec import HallSpec

    hall = {
        "name": "h1",
        "power_kw": 100,
        "cooling": "air",
        "rack_power_KW": 20,
        "rack_units": 42,
        "rows": [{"name": "a", "racks": 1}],
    }
    with pytest.raises(ValidationError) as caught:
        HallSpec.model_validate(hall)
    assert [str(f) for f in issues_from_validation_error(caught.value, hall)] == [
        "rack_power_KW: is not a known field; did you mean rack_power_kw?"
    ]


def test_yaml_words_and_mapping_keys_in_findings() -> None:
    assert (show_value(True), show_value(None)) == ("true", "null")
    from gpudc.nodepool.spec import NodePoolSpec

    pool = {
        "name": "p",
        "hall": "h",
        "node_model": "m",
        "nodes": 1,
        "provisioner": {"type": "capi"},
        "labels": {"Bad Key": "x"},
    }
    with pytest.raises(ValidationError) as caught:
        NodePoolSpec.model_validate(pool)
    found = [str(f) for f in issues_from_validation_error(caught.value, pool)]
    assert "provisioner: 'type' must be one of 'capi-metal3', 'cks', 'existing', got 'capi'" in found
    assert any(line.startswith("labels['Bad Key']: the key must be a label key") for line in found)


def test_a_finding_without_a_value_crosses_processes() -> None:
    """The fleet pickles each stack's findings back to the command (`gpudc plan --all`)."""
    error = SpecError.single("out", "cannot be written", fix="choose another --out", check=SCHEMA)
    (finding,) = pickle.loads(pickle.dumps(error.issues))
    assert finding.value is MISSING
    assert str(finding) == str(error.issues[0])
