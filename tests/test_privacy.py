"""Personal data never reaches the database: what is masked, and what must stay readable."""

from __future__ import annotations

import time

import pytest

from bot.core.privacy import mask_personal_data, personal_tokens

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
    # Digits one at a time, or grouped with slashes or dots
    ("mi dni 4 5 6 7 8 9 1 9", "mi dni [DNI]"),
    ("cel 9 8 7 6 5 4 3 2 1", "cel [TELEFONO]"),
    ("llámame 987/654/331", "llámame [TELEFONO]"),
    ("dni 45/678/912", "dni [DNI]"),
    ("tarjeta 4111.1111.1111.1137", "tarjeta [TARJETA]"),
    ("tarjeta 4111/1111/1111/1137", "tarjeta [TARJETA]"),
    ("ruc 2 0 1 2 3 4 5 6 7 8 9", "ruc [RUC]"),
    # E-mail written to dodge filters
    ("correo ana.torres @ gmail.com gracias", "correo [EMAIL] gracias"),
    ("luis arroba gmail punto com", "[EMAIL]"),
    ("rosa(at)hotmail.com", "[EMAIL]"),
    ("mi correo es pedro.r arroba yahoo punto com punto pe", "mi correo es [EMAIL]"),
    # Dates of birth
    ("nací el 12/03/1985", "nací el [FECHA]"),
    ("fecha de nacimiento: 01-02-2020", "fecha de nacimiento: [FECHA]"),
    ("mi hijo nació el 3 de agosto de 2024", "mi hijo nació el [FECHA]"),
    ("12/03/85 es mi fecha", "[FECHA] es mi fecha"),
    ("el 1985-03-12", "el [FECHA]"),
    ("12 de marzo de 1985", "[FECHA]"),
    # Street addresses with a number
    ("vivo en jr. ayacucho 123, cercado", "vivo en [DIRECCION], cercado"),
    ("av. arequipa 1234", "[DIRECCION]"),
    ("Av. Javier Prado Este 4200 piso 2", "[DIRECCION] piso 2"),
    ("calle los pinos 456", "[DIRECCION]"),
    ("psje. san martín nro 12", "[DIRECCION]"),
    ("jirón de la unión n° 512", "[DIRECCION]"),
    ("mz. b lt. 5 comas", "[DIRECCION] comas"),
    # Names the citizen gives
    ("me llamo Ana Torres y perdí mi dni", "me llamo [NOMBRE] y perdí mi dni"),
    ("hola, mi nombre es luis quispe, quiero mi pasaporte", "hola, mi nombre es [NOMBRE], quiero mi pasaporte"),
    ("soy María del Carmen Rojas", "soy [NOMBRE]"),
    ("Hola, soy Miguel, tengo 35 años", "Hola, soy [NOMBRE], tengo 35 años"),
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
    # near the new formats, but not personal
    "pagué con el código 01810 en Págalo",
    "el código 01810 no funciona en 2026",
    "la tasa es S/ 120.90",
    "la cita es el 15/03/2026",
    "vence el 12/03/26",
    "soy de Lima",
    "soy extranjero y mi carné vence",
    "mi nombre es incorrecto en el dni",
    "en la avenida Brasil me pusieron una papeleta",
    "la muni de la av. arequipa",
    "¿qué es el @ en un correo?",
    "escribo a mesa de partes punto com",
    "pasos 1 2 3",
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


def test_a_lone_surrogate_is_replaced_not_dropped_and_the_text_can_be_stored() -> None:
    masked = mask_personal_data("mi dni \ud800 es 45678912")
    assert masked == "mi dni \ufffd es [DNI]"
    masked.encode("utf-8")  # what SQLite needs; a lone surrogate would raise here


@pytest.mark.parametrize(
    "text",
    ["1" * 20_000, " ".join("7" * 10_000), ".".join("7" * 10_000), "a" * 20_000 + "@", "a." * 10_000, "+51" * 7_000],
)
def test_masking_a_huge_message_takes_milliseconds(text: str) -> None:
    started = time.perf_counter()
    mask_personal_data(text)
    assert time.perf_counter() - started < 0.5  # linear; the quadratic version took 3 to 11 s here


def test_name_pieces_are_folded_so_the_normalised_copy_loses_them_too() -> None:
    tokens = personal_tokens("me llamo José Pérez y vivo en jr. ayacucho 123")
    assert tokens["jose"] == "NOMBRE" and tokens["perez"] == "NOMBRE"
    assert tokens["ayacucho"] == "DIRECCION"
