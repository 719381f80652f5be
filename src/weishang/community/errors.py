from weishang.core_errors import DomainError


class CommunityError(DomainError):
    pass
