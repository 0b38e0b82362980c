"""The question-answering core: plain synchronous code that knows nothing of Telegram or SQLite."""
