"""For tests of accesspub and of its plugins: validators (EPUBCheck, Ace) and small
publications made without reading Markdown."""
