"""The base of every error a user can cause; each domain raises its own subclass."""


class DomainError(Exception):
    code = "invalid"

    def __init__(self, message, *, code: str | None = None):
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code
