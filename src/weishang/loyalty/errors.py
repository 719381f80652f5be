from weishang.core_errors import DomainError


class LoyaltyError(DomainError):
    pass
