"""Personal data never reaches the database: what is masked, and what must stay readable."""

from __future__ import annotations

import pytest

from bot.core.privacy import mask_personal_data

MASKED = [
    # DNI
    ("mi dni es 45678912", "mi dni es [DNI]"),
    ("DNI:45678912, no puedo entrar", "DNI:[DNI], no puedo entrar"),
    ("dni 45678912-3 vencido", "dni [DNI] vencido"),
    # DNI written with separators
    ("mi dni es 45.678.912", "mi dni es [DNI]"),
    ("dni 45 678 912", "dni [DNI]"),
    ("dni 45-678-912", "dni [DNI]"),
    ("dni 4567 8912", "dni [DNI]"),
    ("dni 4567-8912 vencido", "dni [DNI] vencido"),
    ("dni 45.678.912-3", "dni [DNI]"),
    ("mi DNI: 45.678.912, ayuda", "mi DNI: [DNI], ayuda"),
    ("pagué el 00525, dni 45 678 912", "pagué el 00525, dni [DNI]"),
    # Carné de extranjería
    ("mi carné de extranjería N° 001234567 venció", "mi carné de extranjería N° [CE] venció"),
    ("carnet de extranjeria 000987654", "carnet de extranjeria [CE]"),
    ("CE: 12345678 perdido", "CE: [CE] perdido"),
    ("tengo el 001234567 vencido", "tengo el [CE] vencido"),
    # RUC
    ("mi ruc 10456789123 está suspendido", "mi ruc [RUC] está suspendido"),
    ("RUC 20123456789", "RUC [RUC]"),
    ("ruc 20-12345678-9", "ruc [RUC]"),
    ("ruc: 20 123 456 789", "ruc: [RUC]"),
    ("ruc 20.123.456.789", "ruc [RUC]"),
    ("ruc 10-456-789-123 de persona natural", "ruc [RUC] de persona natural"),
    ("ruc 10 45678912 3", "ruc [RUC]"),
    # Mobiles
    ("llámame al 987654321", "llámame al [TELEFONO]"),
    ("cel 987 654 321 por favor", "cel [TELEFONO] por favor"),
    ("cel 987-654-321", "cel [TELEFONO]"),
    ("cel 987.654.321", "cel [TELEFONO]"),
    ("mi celular +51 987 654 321", "mi celular [TELEFONO]"),
    ("mi celular +51987654321", "mi celular [TELEFONO]"),
    ("whatsapp 0051 987 654 321", "whatsapp [TELEFONO]"),
    ("whatsapp 51987654321", "whatsapp [TELEFONO]"),
    # Landlines
    ("llamé al (01) 411-8000 y nada", "llamé al [TELEFONO] y nada"),
    ("teléfono 01 411 8000", "teléfono [TELEFONO]"),
    ("fijo (044) 123456", "fijo [TELEFONO]"),
    ("fijo 411-8000", "fijo [TELEFONO]"),
    ("(+51) 1 411-8000", "[TELEFONO]"),
    # E-mail
    ("escríbeme a juan.perez99@gmail.com", "escríbeme a [EMAIL]"),
    ("correo: maria_q+gob@hotmail.com.pe ok", "correo: [EMAIL] ok"),
    # Cards and bank accounts
    ("tarjeta 4111 1111 1111 1111 rechazada", "tarjeta [TARJETA] rechazada"),
    ("tarjeta 4111-1111-1111-1111", "tarjeta [TARJETA]"),
    ("visa 4111111111111111", "visa [TARJETA]"),
    ("cci 00212345678901234567", "cci [TARJETA]"),
    # Several at once
    ("soy 45678912, cel 999888777, mail a@b.pe", "soy [DNI], cel [TELEFONO], mail [EMAIL]"),
]

KEPT = [
    "pagué S/ 41 con el código 00525",
    "cuánto cuesta en 2026",
    "cambio de domicilio S/ 34 (código 00730)",
    "llamé a Aló MAC 1800",
    "según el D.S. 004-2019-JUS",
    "la Ley 27444 y la Ley 345-2023",
    "cita el 15/03/2026 a las 10:30",
    "vence el 2026-03-15",
    "línea gratuita 0800-10828",
    "cuesta S/ 1 250.50",
    "tengo 65 años",
    "expediente 2026-000123",
    # numbers that look a bit like a grouped DNI or RUC but are not personal
    "código de pago 00525",
    "el trámite en 2026",
    "pagué S/ 41",
    "cuesta S/ 120.90",
    "cuesta S/ 12.345.678 el proyecto",
    "llama a Aló MAC al 1800",
    "según la ley 27806",
    "según el ds 085-2023-pcm",
    "según el dl 1412",
    "la R.M. 0123-2024-PCM",
    "la cita es el 27/11/2026 a las 7:30",
    "entre 2025 2026 y 2019-2023",
]


@pytest.mark.parametrize(("text", "expected"), MASKED)
def test_personal_data_is_masked(text: str, expected: str) -> None:
    assert mask_personal_data(text) == expected


@pytest.mark.parametrize("text", KEPT)
def test_codes_years_amounts_and_public_lines_stay_readable(text: str) -> None:
    assert mask_personal_data(text) == text


def test_masking_is_idempotent() -> None:
    once = mask_personal_data("dni 45678912, cel +51 987 654 321, a@b.pe")
    assert mask_personal_data(once) == once
