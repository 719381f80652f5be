"""Reporting on a customer's personal data (PIPL Art. 44–47): the copy of everything held about
him and closing his account, put together from each domain's own part."""
