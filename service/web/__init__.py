"""The web workspace: an ASGI application (Starlette) over the same use cases as the command line.

``app.create_app`` builds it from a running :class:`service.bootstrap.App`; ``review-clerk web``
serves it with uvicorn. Server-rendered pages (``templates/``), one stylesheet (``static/``), no
script: every form works without JavaScript. Who may do what is decided on the server for every
request (:mod:`.access`); every action runs the command line's use case with the signed-in person as
its actor, and is audited.
"""
