import pytest

from weishang.customers.sms import MemorySmsSender
from weishang.notifications import channels
from weishang.outbound import Declined, Unavailable


@pytest.fixture
def texts():
    """The SMS notices sent, as the phone receives them (mobile, words)."""
    MemorySmsSender.notices.clear()
    yield MemorySmsSender.notices
    MemorySmsSender.notices.clear()


class FlakyChannel(channels.Channel):
    """A test channel carrying every event, answering as ``answers`` says, one per call:
    "ok", "silent" (no answer) or "refuse"."""

    code = "flaky"
    answers: list[str] = []
    sent: list[str] = []

    def carries(self, event):
        return True

    def reaches(self, customer):
        return True

    def send(self, *, message, customer, key):
        answer = self.answers.pop(0) if self.answers else "ok"
        if answer == "silent":
            raise Unavailable("timed out")
        if answer == "refuse":
            raise Declined("template not approved")
        if answer == "broken":
            raise KeyError("bug")
        self.sent.append(key)
        return f"ref-{key}"


@pytest.fixture
def flaky(settings):
    settings.NOTIFICATION_CHANNELS = ["tests.notifications.conftest.FlakyChannel"]
    channels._configured.cache_clear()
    FlakyChannel.answers, FlakyChannel.sent = [], []
    yield FlakyChannel
    channels._configured.cache_clear()
