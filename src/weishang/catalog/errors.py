from weishang.core_errors import DomainError


class CatalogError(DomainError):
    pass
