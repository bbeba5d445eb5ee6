"""GridPrograms settings modules; DJANGO_SETTINGS_MODULE names one of them.

- `config.settings.base`: production and development (manage.py, config/wsgi.py, config/asgi.py).
- `config.settings.test`: the test suite (pyproject.toml's [tool.pytest.ini_options]).
- `config.settings.security`: a topic module that base.py reads in (login, CSP, headers).

This package itself defines no settings.
"""
