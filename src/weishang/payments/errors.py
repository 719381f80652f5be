from weishang.core_errors import DomainError


class PaymentError(DomainError):
    pass
