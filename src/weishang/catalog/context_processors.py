from .licences import footer


def brand(request):
    """The seller and its shown licences, with their expiry state, for every page footer
    (E-commerce Law Art. 12, 15), in the one query the brand alone used to take."""
    info = footer()
    return {"brand": info.brand, "licences": info.licences, "licence_warnings": info.warnings}
