"""Personal numbers: parsing phone numbers and masking numbers before they are shown in chat."""

from __future__ import annotations

import phonenumbers

from bot.i18n import N_


def parse_cn_phone(text: str) -> str:
    """Return a Chinese phone number in E.164 form, or raise ValueError with a catalog key."""
    cleaned = text.strip().replace(" ", "").replace("-", "")
    if not cleaned:
        raise ValueError(N_("error.phone.empty"))
    try:
        number = phonenumbers.parse(cleaned, "CN")
    except phonenumbers.NumberParseException:
        raise ValueError(N_("error.phone.invalid")) from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(N_("error.phone.invalid"))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def national_phone(e164: str) -> str:
    """Return the number as dialled inside China (13812345678, 059112345678)."""
    number = phonenumbers.parse(e164, "CN")
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return "".join(ch for ch in national if ch.isdigit())


def mask_phone(e164: str | None) -> str:
    """Mask a phone number as 138****5678."""
    if not e164:
        return ""
    digits = national_phone(e164) if e164.startswith("+") else e164
    if len(digits) <= 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def mask_id_number(number: str | None) -> str:
    """Mask a resident ID number as 3501**********123X."""
    if not number:
        return ""
    if len(number) <= 8:
        return "*" * len(number)
    return f"{number[:4]}{'*' * (len(number) - 8)}{number[-4:]}"
