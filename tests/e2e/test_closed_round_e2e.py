"""A pre-assessment over REST on servers whose today is after the round: the verdict names the round
it judges by, says that round is over, and whom to ask (issue 23). On the 2024 servers, apart from
the other dialogues (tests/e2e/test_assessment_e2e.py, on the 2022 ones) so that each pytest run of
make test starts only the servers it needs."""

import pytest

from tests.e2e.applicant import CZ_ENGINEER, Dialogue

pytestmark = [pytest.mark.model, pytest.mark.e2e]


def test_a_verdict_after_its_round_closed_says_so_and_whom_to_ask(shared_2024):
    """The servers' today is 2024-10-30: 长治's 2022 round closed on 2022-08-25."""
    d = Dialogue(shared_2024.servers["rasa"])
    result = d.run("我能报长治的中级吗", CZ_ENGINEER)
    assert "按长工信〔2022〕139号（长治2022年度），您符合申报工程师的条件" in result
    assert "这一轮已于2022年8月25日截止" in result and "尚未收录" in result and "0355-3036240" in result
    assert "下一步" not in result and "还剩" not in result
