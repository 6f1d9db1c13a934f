"""The public register: a partnership's published documents and versions, readable without an
account (HTML first, with the signed PDFs, the Word file, open data, what changed between
versions, an Atom feed and an accessibility statement). Nothing unpublished is ever shown."""


def register(app):
    """Give a document its public address when its first version is published."""
    from . import addresses
    addresses.connect()
