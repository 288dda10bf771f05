"""samples.yaml, the sample patients: the committed file covers the names that break emails,
and every mistake is told at its line, like sequences.yaml's."""

from __future__ import annotations

from pathlib import Path

import pytest

from drip import errors, sequences_yaml
from drip.service import samples

ROOT = Path(__file__).resolve().parents[2]
CAUSES = ("muscle-injury", "not-sure")


def _problems(text: str) -> list[str]:
    with pytest.raises(errors.ContentError) as raised:
        sequences_yaml.load_samples(text, file="samples.yaml", causes=CAUSES)
    return [str(p) for p in raised.value.problems]


def test_the_committed_samples_have_a_name_none_a_long_one_and_one_beyond_ascii() -> None:
    found = sequences_yaml.load_samples(
        (ROOT / "samples.yaml").read_text(encoding="utf-8"), file="samples.yaml"
    )
    names = [s.name for s in found]
    assert "" in names
    assert any(len(name) > 40 for name in names)
    assert any(not name.isascii() for name in names)
    assert any(name and name.isascii() and len(name) < 10 for name in names)
    assert len({s.timezone for s in found}) == len(found)
    assert all(s.stands_for("muscle-injury") for s in found)


def test_causes_narrow_a_sample_to_those_causes() -> None:
    text = (
        "patients:\n"
        "  - {id: ana, name: Ana, timezone: Europe/Lisbon, causes: [not-sure]}\n"
        "  - {id: ben, name: Ben, timezone: Europe/Lisbon}\n"
    )
    found = samples.Samples(
        patients=sequences_yaml.load_samples(text, file="s.yaml", causes=CAUSES), source="s.yaml"
    )
    assert [s.id for s in found.for_cause("muscle-injury")] == ["ben"]
    assert [s.id for s in found.for_cause("not-sure")] == ["ana", "ben"]
    assert found.pick("muscle-injury", None).id == "ben"
    assert found.pick("muscle-injury", "ana").id == "ana"
    with pytest.raises(errors.UsageError, match=r"no sample patient 'cid' in s\.yaml"):
        found.pick("muscle-injury", "cid")


def test_every_mistake_is_told_at_its_line() -> None:
    text = (
        "patients:\n"
        "  - id: Ana Maria\n"  # 2
        "    name: Ana\n"
        "    timezone: Europe/Lisbon\n"
        "  - id: ben\n"  # 5
        "    name: Ben\n"
        "    timezone: Europe/Lisbon\n"
        "    causes: [muscle-injuries]\n"  # 8
        "  - id: ben\n"  # 9
        "    name: Bob\n"
        "    timzone: UTC\n"  # 11
        "  - id: cy\n"
        f'    name: "{"C" * 81}"\n'  # 13
        "    timezone: UTC\n"
    )
    problems = _problems(text)
    assert problems[0].startswith('samples.yaml:2:9: patients[0].id: id "Ana Maria" is not a slug')
    assert problems[1] == (
        'samples.yaml:8:14: patients[1].causes[0]: "muscle-injuries" is not a cause of '
        'sequences.yaml (did you mean "muscle-injury"?)'
    )
    assert problems[2].startswith("samples.yaml:9:5: patients[2].timezone: missing key")
    assert (
        problems[3] == 'samples.yaml:9:9: patients[2].id: id "ben" is used twice: make each unique'
    )
    assert problems[4].startswith('samples.yaml:11:5: patients[2].timzone: unknown key "timzone"')
    assert problems[5] == (
        "samples.yaml:13:11: patients[3].name: the name is 81 characters long (at most 80): "
        "sign-up refuses such a name, so no patient has it"
    )


def test_an_empty_list_and_a_file_that_is_not_a_mapping() -> None:
    assert _problems("patients: []\n") == [
        "samples.yaml:1:11: patients: no patients: list at least one"
    ]
    assert _problems("- id: ana\n")[0].startswith("samples.yaml:1:1: the file must be a mapping")


def test_a_broken_file_is_shown_and_drip_s_own_samples_stand_in(tmp_path: Path) -> None:
    path = tmp_path / "samples.yaml"
    path.write_text('patients:\n  - id: "ana\n', encoding="utf-8")
    found = samples.load(path)
    assert found.patients == samples.DEFAULT
    assert found.source == f"drip's own sample patients ({path} has problems)"
    assert str(found.problems[0]).startswith(f'{path}:2:9: YAML syntax error: the " that opens')
    with pytest.raises(errors.ContentError):
        samples.strict(path)
