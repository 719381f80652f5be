from weishang.core_errors import DomainError


class OrderError(DomainError):
    pass


class PriceChanged(OrderError):
    code = "price_changed"
