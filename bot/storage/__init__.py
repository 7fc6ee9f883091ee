"""Storage: one ``Database(url)`` (``db``, a leaf), every table declared once (``tables``), the Alembic
migrations run explicitly at start (``migrate``), the repositories (``assessments``: saved assessments
with case codes and the unanswered inbox; ``feedback``), retention (``purge``) and the masking of
personal numbers applied before anything is stored or logged (``privacy``)."""
