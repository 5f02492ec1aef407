"""Agencies' chronologies: read them (Word, Excel, ODT, PDF), integrate them into one date-ordered
chronology, export it (Word, Excel, an SVG timeline), and check a draft report for identifiers
before publication.

Pure except the readers and exporters, which take and give bytes or paths. Nothing here logs a
cell's text, a name, a date of birth or an address: exceptions name the file's part and row only.
"""
