"""Every notice loads; a broken file fails with the file, the field and what is wrong."""

import shutil
from pathlib import Path

import pytest
import yaml

from policies import NoticeFileError, load_notice_file, load_notices
from policies.loader import NOTICE_DIR
from policies.validate import main as validate_main

SOURCE = Path(__file__).resolve().parents[3] / "shared" / "notices"
GOOD = NOTICE_DIR / "jianyang-2020-engineering-senior.yml"


def test_every_notice_file_loads():
    index = load_notices()
    assert len(index) == 5
    for notice in index.all():
        assert notice.contacts, notice.id
        assert notice.windows, notice.id


def test_every_notice_names_an_existing_source_text():
    for notice in load_notices().all():
        assert notice.source_file == f"{notice.id}.txt"
        if SOURCE.is_dir():  # shared/ sits beside the checkout here and in CI
            assert (SOURCE / notice.source_file).is_file(), notice.source_file


def _broken(tmp_path, mutate):
    data = yaml.safe_load(GOOD.read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / GOOD.name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "mutate,field,words",
    [
        (lambda d: d["fees"][0].update(amount="三百二"), "fees.0.amount", "integer"),
        (lambda d: d["fees"][0].pop("clause"), "fees.0.clause", "field required"),
        (lambda d: d["windows"][0].update(end_time="25:00"), "windows.0.end_time", "HH:MM"),
        (lambda d: d["windows"][0].update(start="2020-10-01"), "windows", "after end"),
        (lambda d: d.update(levels=["chief_engineer"]), "levels.0", "permitted"),
        (lambda d: d["fees"][0].update(stated=False), "fees.0", "must not carry an amount"),
        (lambda d: d.update(colour="red"), "colour", "extra fields not permitted"),
        (lambda d: d["contacts"][0].update(phones=[], address=None, email=None), "contacts.0", "no phone"),
    ],
)
def test_broken_file_names_file_field_and_problem(tmp_path, mutate, field, words):
    path = _broken(tmp_path, mutate)
    with pytest.raises(NoticeFileError) as err:
        load_notice_file(path)
    message = str(err.value)
    assert str(path) in message
    assert field in message
    assert words in message


def test_id_must_match_file_name(tmp_path):
    path = tmp_path / "other-name.yml"
    shutil.copy(GOOD, path)
    with pytest.raises(NoticeFileError, match="must equal the file name"):
        load_notice_file(path)


def test_invalid_yaml_is_reported(tmp_path):
    path = tmp_path / "x.yml"
    path.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(NoticeFileError, match="not valid YAML"):
        load_notice_file(path)


def test_validate_command_reports_the_problem(tmp_path, capsys):
    _broken(tmp_path, lambda d: d["fees"][0].update(amount="x"))
    assert validate_main([str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "INVALID" in err and "fees.0.amount" in err
    assert validate_main([]) == 0
