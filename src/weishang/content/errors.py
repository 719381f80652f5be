from weishang.core_errors import DomainError


class ContentError(DomainError):
    pass
