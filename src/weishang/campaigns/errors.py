from weishang.core_errors import DomainError


class CampaignError(DomainError):
    pass
