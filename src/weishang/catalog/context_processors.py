from .selectors import brand as current_brand


def brand(request):
    """The seller's licence information for every page footer (E-commerce Law Art. 12, 15)."""
    return {"brand": current_brand()}
