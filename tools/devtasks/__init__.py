"""Tasks behind tools/dev.py; they run inside .venv."""
