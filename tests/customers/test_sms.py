import logging

from weishang.customers.sms import LogSmsSender


def test_the_demo_sender_logs_that_a_code_was_sent_never_the_code_nor_the_full_number(caplog):
    with caplog.at_level(logging.INFO, logger="weishang.sms"):
        LogSmsSender().send_login_code(mobile="13912345678", code="482913")
    assert caplog.messages == ["Login code sent to 139****5678 (demo: not delivered)"]
    assert "482913" not in caplog.text and "13912345678" not in caplog.text
