"""The currencies the payment stand-in takes: ISO 4217 codes of money in circulation, as a real gateway's list.

Written out rather than derived from a library: nothing in the environment keeps the ISO list, and a
new dependency for one set is not worth it. Left out on purpose: fund codes (BOV, CHE, CHW, CLF, COU,
MXV, USN, UYI, UYW), metals (XAU, XAG, XPD, XPT), bond and drawing units (XBA-XBD, XDR, XSU, XUA), the
testing and no-currency codes (XTS, XXX), and codes withdrawn by 2026 (ANG, BGN, CUC, HRK, SLL, ZWL).
Reviewed against ISO 4217 list one, 2026. Case-insensitive on the wire, as at Stripe.
"""

from typing import Annotated

from pydantic import AfterValidator

ISO_4217 = frozenset(
    """
    AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD
    CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP
    GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY
    KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD
    MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR
    PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL
    THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST
    XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
    """.split()
)


def known_currency(value: str) -> str:
    """`value` unchanged (it is part of the request's idempotency fingerprint) when its capitals are a known code."""
    if value.upper() not in ISO_4217:
        raise ValueError(f"{value[:8]!r} is not an ISO 4217 currency code this gateway takes (e.g. EUR, USD, GBP)")
    return value


Currency = Annotated[str, AfterValidator(known_currency)]
