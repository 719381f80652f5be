from weishang.core_errors import DomainError


class TeamError(DomainError):
    pass
