"""Interface strings of the Telegram channel in Spanish and English (knowledge texts live in knowledge/).

Strings are plain text; `t()` fills `{placeholders}` and callers escape the result for HTML.
"""

from __future__ import annotations

LANGS = ("es", "en")

_TEXTS: dict[str, tuple[str, str]] = {
    # Commands shown in Telegram's menu (setMyCommands).
    "cmd_start": ("Empezar", "Start"),
    "cmd_help": ("Qué puedo hacer", "What I can do"),
    "cmd_ayuda": ("Ayuda", "Help"),
    "cmd_servicios": ("Ver servicios por categoría", "Browse services by category"),
    "cmd_eventos": ("Próximos eventos", "Upcoming events"),
    "cmd_idioma": ("Cambiar idioma (es/en)", "Change language (es/en)"),
    "cmd_recordatorios": ("Mis recordatorios de eventos", "My event reminders"),
    "cmd_region": ("Elegir mi región", "Choose my region"),
    "cmd_misdatos": ("Lo que guardas sobre mí", "What you keep about me"),
    "cmd_olvidame": ("Borrar todos mis datos", "Delete all my data"),
    "cmd_privacidad": ("Aviso de privacidad", "Privacy notice"),
    "cmd_pendientes": ("Preguntas sin respuesta", "Unanswered questions"),
    "cmd_estadisticas": ("Estadísticas", "Statistics"),
    "cmd_recargar": ("Recargar la base de conocimiento", "Reload the knowledge base"),
    "cmd_exportar": ("Exportar preguntas sin respuesta (CSV)", "Export unanswered questions (CSV)"),
    # Citizens.
    "welcome": (
        "¡Hola! Soy el asistente de servicios digitales del Estado peruano. "
        "Escríbeme tu pregunta, por ejemplo: «¿Cómo renuevo mi DNI?»",
        "Hi! I am the assistant for Peru's digital government services. "
        "Type your question, for example: “How do I renew my DNI?”",
    ),
    "help": (
        "Escríbeme tu pregunta con tus palabras y te respondo con los pasos, costos y el enlace oficial.\n\n"
        "/servicios — ver servicios por categoría\n"
        "/eventos — próximos eventos\n"
        "/recordatorios — tus recordatorios de eventos\n"
        "/region — elegir tu región\n"
        "/idioma — cambiar idioma (español/inglés)\n"
        "/misdatos, /olvidame, /privacidad — tus datos\n"
        "/ayuda — este mensaje\n\n"
        "No compartas datos personales (DNI, claves, direcciones): no los necesito.",
        "Ask me in your own words and I answer with the steps, fees and the official link.\n\n"
        "/servicios — browse services by category\n"
        "/eventos — upcoming events\n"
        "/recordatorios — your event reminders\n"
        "/region — choose your region\n"
        "/idioma — change language (Spanish/English)\n"
        "/misdatos, /olvidame, /privacidad — your data\n"
        "/help — this message\n\n"
        "Do not share personal data (ID numbers, passwords, addresses): I do not need them.",
    ),
    "deep_link_unknown": (
        "No encontré ese tema; puede que ya no esté disponible. Escríbeme tu pregunta.",
        "I could not find that topic; it may no longer be available. Type your question.",
    ),
    "text_only": (
        "Por ahora solo leo mensajes de texto. Escríbeme tu pregunta, por favor.",
        "For now I can only read text messages. Please type your question.",
    ),
    "edited": (
        "Vi que editaste un mensaje: solo leo mensajes de texto nuevos. Envíame la pregunta de nuevo, por favor.",
        "I saw you edited a message: I only read new text messages. Please send the question again.",
    ),
    "empty": (
        "Tu mensaje está vacío. Escríbeme tu pregunta, por ejemplo: «¿Cómo obtengo mi firma digital?»",
        "Your message is empty. Type your question, for example: “How do I get a digital signature?”",
    ),
    "too_long": (
        "Tu mensaje es muy largo; respondo según su comienzo. Si no es lo que buscabas, "
        "envíame una pregunta corta.",
        "Your message is very long, so I answered based on its beginning. If that is not what you "
        "wanted, send me a short question.",
    ),
    "helpful_question": ("¿Te sirvió?", "Was this helpful?"),
    "yes": ("👍 Sí", "👍 Yes"),
    "no": ("👎 No", "👎 No"),
    "details": ("📋 Pasos y requisitos", "📋 Steps and requirements"),
    "feedback_thanks": ("¡Gracias por tu respuesta!", "Thanks for your feedback!"),
    "feedback_sorry": (
        "Gracias. Revisaremos esta respuesta para mejorarla. Puedes escribir tu pregunta con otras "
        "palabras o ver /servicios.",
        "Thanks. We will review this answer to improve it. You can rephrase your question or see /servicios.",
    ),
    "stale_button": (
        "Esta opción ya no está disponible. Escribe tu pregunta o usa /servicios.",
        "This option is no longer available. Type your question or use /servicios.",
    ),
    "browse_services": ("📚 Ver servicios", "📚 Browse services"),
    # Browsing.
    "categories_title": ("Elige una categoría:", "Choose a category:"),
    "category_title": ("{category} — elige un servicio:", "{category} — choose a service:"),
    "no_services": ("Aún no hay servicios cargados.", "No services are loaded yet."),
    "previous": ("◀ Anterior", "◀ Previous"),
    "next": ("Siguiente ▶", "Next ▶"),
    "back_to_categories": ("↩ Categorías", "↩ Categories"),
    "page": ("Página {page} de {pages}", "Page {page} of {pages}"),
    # Language.
    "choose_language": ("Elige tu idioma:", "Choose your language:"),
    "language_set": ("Listo, te responderé en español.", "Done, I will answer in English."),
    "language_unknown": ("Idiomas disponibles: es, en.", "Available languages: es, en."),
    # Admins.
    "not_available": ("Este comando no está disponible.", "This command is not available."),
    "admin_private_only": (
        "Usa los comandos de administración en un chat privado con el bot.",
        "Use the admin commands in a private chat with the bot.",
    ),
    "pending_none": ("No hay preguntas pendientes de revisión. 🎉", "No questions waiting for review. 🎉"),
    "pending_title": ("Preguntas sin respuesta (pendientes: {count})", "Unanswered questions (pending: {count})"),
    "pending_line": (
        "«{text}» — {count} {times} (grupo #{gid})",
        "“{text}” — {count} {times} (group #{gid})",
    ),
    "times_one": ("vez", "time"),
    "times_many": ("veces", "times"),
    "pending_answered": ("   ya la responde: {entry}", "   already answered by: {entry}"),
    "pending_closest": ("   entradas más cercanas: {entries}", "   closest entries: {entries}"),
    "pending_no_closest": (
        "   ninguna entrada se le acerca: python -m bot review new {gid} crea una",
        "   no entry comes close: python -m bot review new {gid} creates one",
    ),
    "pending_hint": (
        "➕ agrega la pregunta a esa entrada como una forma más de preguntarla, marca el grupo como "
        "resuelto y recarga; ✅ solo lo marca como resuelto; 🚫 lo ignora. Para una entrada nueva: "
        "python -m bot review new GRUPO.",
        "➕ adds the question to that entry as one more way to ask it, marks the group resolved and "
        "reloads; ✅ only marks it resolved; 🚫 ignores it. For a new entry: python -m bot review new GROUP.",
    ),
    "add_button": ("➕ Añadir a: {title}", "➕ Add to: {title}"),
    "resolve_button": ("✅ Resuelta por: {title}", "✅ Answered by: {title}"),
    "ignore_button": ("🚫 Ignorar", "🚫 Ignore"),
    "added": (
        "✅ «{question}» es ahora una pregunta de {entry}; el grupo quedó resuelto.",
        "✅ “{question}” is now a phrasing of {entry}; the group is resolved.",
    ),
    "added_reloaded": (
        "Base de conocimiento recargada: quien lo pregunte así recibe esa respuesta.",
        "Knowledge base reloaded: whoever asks it this way gets that answer.",
    ),
    "added_not_reloaded": (
        "El archivo se guardó, pero la base no se recargó ({errors}); sigo con la versión anterior.",
        "The file was saved, but the base was not reloaded ({errors}); I keep the previous version.",
    ),
    "added_not_answered": (
        "Base recargada, pero esa pregunta aún no recibe esta respuesta directa (ofrezco opciones): "
        "revisa por qué con python -m bot ask \"{question}\" --explain.",
        "Base reloaded, but that question still does not get this answer directly (I offer choices): "
        "see why with python -m bot ask \"{question}\" --explain.",
    ),
    "added_toast": ("Agregada a {title}.", "Added to {title}."),
    "add_refused": ("⚠️ No se agregó: {reason}", "⚠️ Not added: {reason}"),
    "add_refused_toast": ("No se agregó: mira el mensaje.", "Not added: see the message."),
    "resolved": ("✅ Grupo #{gid} resuelto con {entry}.", "✅ Group #{gid} resolved with {entry}."),
    "ignored": ("🚫 Grupo #{gid} ignorado.", "🚫 Group #{gid} ignored."),
    "group_gone": ("Ese grupo ya fue revisado.", "That group was already reviewed."),
    "stats_title": ("Estadísticas de los últimos {days} días", "Statistics for the last {days} days"),
    "stats_questions": ("Preguntas: {questions}", "Questions: {questions}"),
    "stats_answered": ("Respondidas: {answered} ({share})", "Answered: {answered} ({share})"),
    "stats_feedback": ("Opiniones: 👍 {yes} · 👎 {no}", "Feedback: 👍 {yes} · 👎 {no}"),
    "stats_top": ("Más consultadas:", "Most asked:"),
    "stats_chart": ("Preguntas por día", "Questions per day"),
    "reload_failed": (
        "No se recargó: la base de conocimiento tiene errores. Sigo respondiendo con la versión anterior.",
        "Not reloaded: the knowledge base has errors. I keep answering with the previous version.",
    ),
    "reload_more": ("… y {count} más", "… and {count} more"),
    "reload_ok": (
        "Base de conocimiento recargada: {services} servicios, {events} eventos.",
        "Knowledge base reloaded: {services} services, {events} events.",
    ),
    "reload_warnings": ("Advertencias: {count}", "Warnings: {count}"),
    "reload_answerable": (
        "Preguntas pendientes que ahora tienen respuesta: {count}",
        "Pending questions that now have an answer: {count}",
    ),
    "export_caption": (
        "Preguntas sin respuesta: {count} filas.",
        "Unanswered questions: {count} rows.",
    ),
    "export_empty": ("No hay preguntas sin respuesta para exportar.", "There are no unanswered questions to export."),
    "error": (
        "Lo siento, tuve un problema al responder. Inténtalo de nuevo en un momento.",
        "Sorry, I had a problem answering. Please try again in a moment.",
    ),
}


def t(key: str, lang: str, **values: object) -> str:
    """The interface text `key` in `lang` (Spanish unless lang is "en"), with `values` filled in."""
    es, en = _TEXTS[key]
    text = en if lang == "en" else es
    return text.format(**values) if values else text

