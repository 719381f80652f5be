"""Individual income tax withheld from commission paid to a person: pure rules in integer fen.

Commission paid to an individual distributor is labour income (劳务报酬所得), on which the brand
withholds tax (预扣预缴) when it pays. The brand chooses one of two rules:

* a flat rate in basis points of the gross payout;
* the labour-income withholding formula of 《个人所得税扣缴申报管理办法（试行）》 (State Taxation
  Administration announcement 2018 No. 61) Art. 8 with its 预扣率表二 (居民个人劳务报酬所得
  预扣预缴适用), whose upper bands keep the former 加成征收 of unusually high payments:

  - income of one payment ≤ 4 000 yuan: deduct 800 yuan; above 4 000 yuan: deduct 20 %; what is
    left is the withholding taxable amount (预扣预缴应纳税所得额);
  - taxable ≤ 20 000 yuan: 20 %; 20 000–50 000 yuan: 30 % minus the quick deduction 2 000 yuan;
    above 50 000 yuan: 40 % minus 7 000 yuan. The bands apply to the taxable amount, not to the
    income (worked example: income 60 000 → taxable 48 000 → 48 000 × 30 % − 2 000 = 12 400).

  《个人所得税法实施条例》 Art. 14(1): labour income that recurs from the same item counts as one
  payment per month (属于同一项目连续性收入的，以一个月内取得的收入为一次). Commission is such
  income, so the formula runs on the month's total and each payout withholds the month's tax so
  far minus what earlier payouts that month already withheld (``labour_withholding_increment_fen``).

This is withholding only: the year's tax is settled by the person's annual reconciliation
(汇算清缴), where labour income joins his comprehensive income.
"""

from fractions import Fraction

FULL_BP = 10_000
DEDUCTION_THRESHOLD_FEN = 400_000  # 4 000 yuan
FIXED_DEDUCTION_FEN = 80_000  # 800 yuan
PERCENT_DEDUCTION_BP = 2_000  # 20 %
# 预扣率表二: (upper bound of the taxable amount in fen or None, rate in bp, quick deduction fen)
LABOUR_BANDS = (
    (2_000_000, 2_000, 0),
    (5_000_000, 3_000, 200_000),
    (None, 4_000, 700_000),
)


def _round_half_up(amount: Fraction) -> int:
    """Tax is stated to the fen; half a fen rounds up."""
    return int((amount * 2 + 1) // 2)


def flat_withholding_fen(gross_fen: int, rate_bp: int) -> int:
    """A flat rate on the gross payout, rounded half up to the fen."""
    if gross_fen < 0 or not 0 <= rate_bp <= FULL_BP:
        raise ValueError("gross must be >= 0 and the rate between 0 and 10000 bp")
    return _round_half_up(Fraction(gross_fen * rate_bp, FULL_BP))


def labour_taxable_fen(income_fen: int) -> Fraction:
    """预扣预缴应纳税所得额 of one payment: income less 800 yuan, or less 20 % above 4 000 yuan."""
    if income_fen < 0:
        raise ValueError("income must be >= 0")
    if income_fen <= DEDUCTION_THRESHOLD_FEN:
        return Fraction(max(0, income_fen - FIXED_DEDUCTION_FEN))
    return Fraction(income_fen * (FULL_BP - PERCENT_DEDUCTION_BP), FULL_BP)


def labour_withholding_fen(income_fen: int) -> int:
    """Tax withheld on one payment of labour income (预扣率表二), rounded half up to the fen."""
    taxable = labour_taxable_fen(income_fen)
    for upper, rate_bp, quick_fen in LABOUR_BANDS:
        if upper is None or taxable <= upper:
            return _round_half_up(taxable * rate_bp / FULL_BP - quick_fen)
    raise AssertionError("the last band is open-ended")


def labour_withholding_increment_fen(
    *, gross_fen: int, month_gross_before_fen: int, month_withheld_before_fen: int
) -> int:
    """What this payout withholds when the month's payouts count as one payment: the tax on the
    month's total including it, less what the month's earlier payouts withheld (never below 0,
    never above this payout)."""
    if min(gross_fen, month_gross_before_fen, month_withheld_before_fen) < 0:
        raise ValueError("amounts must be >= 0")
    due = labour_withholding_fen(month_gross_before_fen + gross_fen)
    return min(gross_fen, max(0, due - month_withheld_before_fen))
