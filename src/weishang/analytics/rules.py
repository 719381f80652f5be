"""The GMV factors (seed 003: private-domain GMV = customers × frequency × conversion × average
order value), pure. Each factor is an exact fraction, so the four multiply back to the period's
GMV in whole fen, always; the pages round them only to show them."""

from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Sales:
    """A period's orders kept (not refunded in full), their buyers and GMV."""

    orders: int
    buyers: int
    gmv_fen: int

    @property
    def aov_fen(self) -> Fraction | None:
        return Fraction(self.gmv_fen, self.orders) if self.orders else None


@dataclass(frozen=True)
class Factors:
    """``reached``: people reached (share-link visitors and buyers, each once); ``buyers``:
    customers with an order kept (not refunded in full); ``orders``: those orders; ``gmv_fen``:
    what they paid less every refund."""

    reached: int
    buyers: int
    orders: int
    gmv_fen: int

    @property
    def conversion(self) -> Fraction | None:
        """Buyers per person reached."""
        return Fraction(self.buyers, self.reached) if self.reached else None

    @property
    def frequency(self) -> Fraction | None:
        """Orders per buyer."""
        return Fraction(self.orders, self.buyers) if self.buyers else None

    @property
    def aov_fen(self) -> Fraction | None:
        """GMV per order."""
        return Fraction(self.gmv_fen, self.orders) if self.orders else None

    def product_fen(self) -> Fraction:
        """reached × conversion × frequency × AOV; a factor with nothing to divide by means a
        count of zero, and so a product of zero."""
        parts = (self.conversion, self.frequency, self.aov_fen)
        if any(part is None for part in parts):
            return Fraction(0)
        conversion, frequency, aov = parts
        return self.reached * conversion * frequency * aov


def change(now, before) -> Fraction | None:
    """The relative change from ``before`` to ``now``; None when there was nothing before."""
    if now is None or before is None or before == 0:
        return None
    return (Fraction(now) - Fraction(before)) / Fraction(before)
